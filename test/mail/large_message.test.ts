import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { readdir } from "node:fs/promises";
import { after, before, test } from "node:test";
import { messageToJob } from "../../src/mail/index.ts";
import { emailSource, envelope, expectJob, makeDirs, NOW, RECEIVED, removeDirs } from "./mail_test_kit.ts";
import type { Dirs } from "./mail_test_kit.ts";

let dirs: Dirs;
before(async () => {
  dirs = await makeDirs();
});
after(async () => {
  await removeDirs(dirs);
});

// 920 chunks of 57,000 bytes: 52,440,000 bytes, a little over 50 MiB
const SIZE = 920 * 57_000;
// 57 bytes make one 76-character base64 line; 1,000 lines per chunk handed to the parser
const LINE = 57;
const LINES_PER_CHUNK = 1000;

/**
 * A message with a 50 MB PDF made on the fly, base64 line by line, so the whole attachment never
 * exists in memory. The content cycles through a few random blocks encoded once up front (a
 * prime number of them, so a lost, doubled or reordered chunk changes the hash): the generator
 * itself then makes no garbage that would blur the memory measurement. `expected` gets the
 * attachment's sha256 once the generator is done.
 */
function hugeMessage(expected: { sha256?: string }): AsyncIterable<Uint8Array> {
  const blocks = Array.from({ length: 7 }, () => {
    const raw = randomBytes(LINE * LINES_PER_CHUNK);
    const lines: string[] = [];
    for (let i = 0; i < raw.length; i += LINE) lines.push(raw.subarray(i, i + LINE).toString("base64"));
    return { raw, encoded: Buffer.from(`${lines.join("\r\n")}\r\n`, "latin1") };
  });
  return (async function* () {
    const boundary = "huge-boundary";
    yield Buffer.from(
      [
        ...envelope("Fifty megabytes"),
        `Content-Type: multipart/mixed; boundary="${boundary}"`,
        "",
        `--${boundary}`,
        "Content-Type: text/plain; charset=utf-8",
        "",
        "The big one.",
        `--${boundary}`,
        'Content-Type: application/pdf; name="Huge.pdf"',
        'Content-Disposition: attachment; filename="Huge.pdf"',
        "Content-Transfer-Encoding: base64",
        "",
        "",
      ].join("\r\n"),
    );
    const hash = createHash("sha256");
    for (let n = 0; n * LINE * LINES_PER_CHUNK < SIZE; n++) {
      const block = blocks[n % blocks.length]!;
      hash.update(block.raw);
      yield block.encoded;
    }
    expected.sha256 = hash.digest("hex");
    yield Buffer.from(`--${boundary}--\r\n`);
  })();
}

test("streams a 50 MB attachment to the spool without holding it in memory", async (t) => {
  const expected: { sha256?: string } = {};
  const baseline = process.memoryUsage().rss;
  let peak = baseline;
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 20);
  const started = performance.now();
  let outcome;
  try {
    outcome = await messageToJob({
      message: hugeMessage(expected),
      jobId: "print_1_50mb",
      source: emailSource(),
      spoolDir: dirs.spool,
      failedDir: dirs.failed,
      receivedAt: RECEIVED,
      now: () => NOW,
    });
  } finally {
    clearInterval(sampler);
  }
  peak = Math.max(peak, process.memoryUsage().rss);
  const seconds = (performance.now() - started) / 1000;
  const grewMb = (peak - baseline) / 1024 / 1024;
  t.diagnostic(
    `50 MB attachment: ${seconds.toFixed(2)} s, RSS ${(baseline / 1048576).toFixed(1)} MB -> peak ${
      (peak / 1048576).toFixed(1)
    } MB (+${grewMb.toFixed(1)} MB)`,
  );
  const job = await expectJob(dirs, outcome);
  assert.deepEqual(job.documents.map((d) => [d.fileName, d.contentType, d.size, d.sha256]), [[
    "Huge.pdf",
    "application/pdf",
    SIZE,
    expected.sha256,
  ]]);
  // The growth is V8 sizing its young generation for the garbage of parsing (about 25 MB on Node 24,
  // 10 on Deno; 13 with --max-semi-space-size=2), not the attachment: it stays flat for 500 MB.
  assert.ok(grewMb < 35, `RSS grew by ${grewMb.toFixed(1)} MB while a 50 MB attachment streamed`);
  assert.deepEqual(await readdir(dirs.failed), [], "the raw copy was dropped once the job was published");
});
