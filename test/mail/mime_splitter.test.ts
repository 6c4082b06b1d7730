import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { test } from "node:test";
import { isDeepStrictEqual } from "node:util";
import type { SplitterChunk } from "@zone-eu/mailsplit";
import { MimeSplitter } from "../../src/mail/mime/mime_splitter.ts";
import type { MimeSplitterOptions } from "../../src/mail/mime/mime_splitter.ts";
import { fixtureMessages, kitMessages } from "./kit_messages.ts";
import { MimeTreeGenerator, Rng } from "./mime_tree_generator.ts";
import { mailsplitSummary, mimeSplitterSummary } from "./splitter_events.ts";
import type { SplitSummary } from "./splitter_events.ts";

/** Change it to explore other messages; a failure names the seed and the case. */
const SEED = 20261127;

/** Write sizes to feed a message in: whole, a byte at a time (small ones) and random pieces. */
function feedings(input: Buffer, rng: Rng): Array<[string, number[]]> {
  const random = Array.from({ length: 64 }, () => 1 + rng.int(rng.chance(0.5) ? 16 : 4096));
  const feedings: Array<[string, number[]]> = [["whole", []], [`pieces of ${random.slice(0, 8).join(",")}...`, random]];
  if (input.length <= 20_000) feedings.push(["a byte at a time", [1]]);
  return feedings;
}

function show(input: Buffer): string {
  const text = JSON.stringify(input.toString("latin1"));
  return text.length > 6000 ? `${text.slice(0, 6000)}... (${input.length} bytes)` : text;
}

/** Splits `input` both ways in every feeding; fails with the input and the first difference. */
async function assertSplitsAsMailsplit(
  input: Buffer,
  label: string,
  rng: Rng,
  options: MimeSplitterOptions = {},
): Promise<void> {
  const expected = await mailsplitSummary(input, options);
  for (const [feeding, sizes] of feedings(input, rng)) {
    const actual = mimeSplitterSummary(input, sizes, options);
    if (!isDeepStrictEqual(actual, expected)) {
      assert.fail(
        `${label}, fed ${feeding}${
          options.maxChildNodes || options.maxHeadSize ? ` with ${JSON.stringify(options)}` : ""
        }: ` +
          `${firstDifference(actual, expected)}\ninput: ${show(input)}`,
      );
    }
  }
}

function firstDifference(actual: SplitSummary, expected: SplitSummary): string {
  if (!isDeepStrictEqual(actual.error, expected.error)) {
    return `error ${JSON.stringify(actual.error)}, mailsplit ${JSON.stringify(expected.error)}`;
  }
  for (let i = 0; i < Math.max(actual.nodes.length, expected.nodes.length); i++) {
    if (!isDeepStrictEqual(actual.nodes[i], expected.nodes[i])) {
      return `node ${i}: ${JSON.stringify(actual.nodes[i])}, mailsplit ${JSON.stringify(expected.nodes[i])}`;
    }
  }
  for (let i = 0; i < Math.max(actual.bodies.length, expected.bodies.length); i++) {
    if (!isDeepStrictEqual(actual.bodies[i], expected.bodies[i])) {
      return `body ${i}: ${JSON.stringify(actual.bodies[i])}, mailsplit ${JSON.stringify(expected.bodies[i])}`;
    }
  }
  return "no difference found";
}

test("splits the fixture messages and the messages the mail tests build as mailsplit does, however they are fed", async () => {
  const rng = new Rng(SEED);
  for (const [name, raw] of [...await fixtureMessages(), ...kitMessages()]) {
    await assertSplitsAsMailsplit(raw, `message '${name}'`, rng);
  }
});

test("splits random MIME trees as mailsplit does, however they are fed", async () => {
  const rng = new Rng(SEED);
  const generator = new MimeTreeGenerator(rng);
  for (let n = 0; n < 1500; n++) {
    await assertSplitsAsMailsplit(generator.message(), `seed ${SEED}, random message ${n}`, rng);
  }
});

test("splits random MIME trees with lines over 64 KiB as mailsplit does", async () => {
  const rng = new Rng(SEED + 1);
  const generator = new MimeTreeGenerator(rng, { long: true });
  for (let n = 0; n < 100; n++) {
    await assertSplitsAsMailsplit(generator.message(), `seed ${SEED + 1}, random long-line message ${n}`, rng);
  }
});

test("fails on maxHeadSize and maxChildNodes exactly where mailsplit fails, with its errors", async () => {
  const rng = new Rng(SEED + 2);
  const generator = new MimeTreeGenerator(rng);
  for (let n = 0; n < 600; n++) {
    const options = { maxChildNodes: 1 + rng.int(6), maxHeadSize: rng.chance(0.5) ? 64 + rng.int(400) : 0 };
    await assertSplitsAsMailsplit(generator.message(), `seed ${SEED + 2}, random message ${n}`, rng, options);
  }
});

test("refuses a header block over 1 MiB with mailsplit's EMAXLEN error", async () => {
  const rng = new Rng(SEED + 3);
  const raw = Buffer.from(`From: a@example.test\r\n${"X-Junk: yes\r\n".repeat(20_000)}\r\nbody`, "latin1");
  await assertSplitsAsMailsplit(raw, "20,000 header lines", rng);
  const summary = mimeSplitterSummary(raw);
  assert.deepEqual(summary.error, { message: "Max header size for a MIME node exceeded", code: "EMAXLEN" });
});

test("refuses a header line without end as soon as it passes maxHeadSize, holding no more than that", () => {
  const splitter = new MimeSplitter();
  const events: SplitterChunk[] = [];
  splitter.write(Buffer.from("Subject: "), events);
  const piece = Buffer.alloc(256 * 1024, "x");
  let written = 0;
  assert.throws(() => {
    for (;;) {
      splitter.write(piece, events);
      written += piece.length;
      assert.ok(splitter.buffered <= 1024 * 1024, `${splitter.buffered} bytes held`);
    }
  }, { message: "Max header size for a MIME node exceeded", code: "EMAXLEN" });
  assert.ok(written <= 1024 * 1024, `failed only after ${written} bytes`);
  assert.throws(() => splitter.end(events), { code: "EMAXLEN" }, "the splitter stays failed");
});

test("refuses the 1001st MIME part with mailsplit's EMAXLEN error, and takes 1000", async () => {
  const rng = new Rng(SEED + 4);
  const message = (parts: number): Buffer =>
    Buffer.from(
      `Content-Type: multipart/mixed; boundary=b\r\n\r\n${"--b\r\n\r\nx\r\n".repeat(parts)}--b--\r\n`,
      "latin1",
    );
  await assertSplitsAsMailsplit(message(999), "999 parts and the root", rng);
  await assertSplitsAsMailsplit(message(1000), "1000 parts and the root", rng);
  assert.equal(mimeSplitterSummary(message(999)).nodes.length, 1000);
  assert.deepEqual(mimeSplitterSummary(message(1000)).error, {
    message: "Max allowed child nodes exceeded",
    code: "EMAXLEN",
  });
  // a delimiter without line end as the last bytes opens a part no line follows: no error there
  const opensLast = Buffer.concat([message(999).subarray(0, -"--b--\r\n".length), Buffer.from("--b\r")]);
  await assertSplitsAsMailsplit(opensLast, "999 parts and one opened by the last bytes", rng);
  assert.equal(mimeSplitterSummary(opensLast).error, undefined);
});

test("streams a 50 MB base64 body through in 512 KiB writes, holding at most a line end between writes", () => {
  const boundary = "----=_Part_4711";
  const line = Buffer.from(`${randomBytes(57 * 1000).toString("base64").replace(/.{76}/g, "$&\r\n")}\r\n`, "latin1");
  const head = Buffer.from(
    `From: a@example.test\r\nContent-Type: multipart/mixed; boundary="${boundary}"\r\n\r\n--${boundary}\r\n` +
      `Content-Type: application/pdf\r\nContent-Transfer-Encoding: base64\r\n\r\n`,
    "latin1",
  );
  const tail = Buffer.from(`--${boundary}--\r\n`, "latin1");
  const repeats = Math.ceil(50_000_000 / line.length);
  // the body without the line end in front of the closing delimiter, which belongs to the delimiter
  const expected = createHash("sha256");
  for (let n = 0; n < repeats; n++) expected.update(n === repeats - 1 ? line.subarray(0, line.length - 2) : line);
  const splitter = new MimeSplitter();
  const actual = createHash("sha256");
  let bodyBytes = 0;
  let copied = 0;
  let maxBuffered = 0;
  const events: SplitterChunk[] = [];
  const take = (chunk: Buffer): void => {
    for (const item of events) {
      if (item.type !== "body") continue;
      actual.update(item.value);
      bodyBytes += item.value.length;
      if (item.value.buffer !== chunk.buffer) copied += item.value.length;
    }
    events.length = 0;
    maxBuffered = Math.max(maxBuffered, splitter.buffered);
  };
  // a stream of 512 KiB chunks cut anywhere, also inside line ends
  let pending = head;
  const write = (chunk: Buffer): void => {
    splitter.write(chunk, events);
    take(chunk);
  };
  for (let n = 0; n < repeats; n++) {
    pending = Buffer.concat([pending, line]);
    while (pending.length >= 512 * 1024) {
      write(pending.subarray(0, 512 * 1024));
      pending = pending.subarray(512 * 1024);
    }
  }
  write(Buffer.concat([pending, tail]));
  splitter.end(events);
  take(Buffer.alloc(0));
  assert.equal(actual.digest("hex"), expected.digest("hex"));
  assert.ok(bodyBytes > 50_000_000);
  assert.ok(maxBuffered <= 2, `${maxBuffered} bytes held between writes`);
  assert.ok(
    copied <= 2 * Math.ceil(bodyBytes / (512 * 1024)),
    `${copied} body bytes copied rather than sliced from the input`,
  );
});

test("holds a possible delimiter line between writes, and no more once it is too long to be one", () => {
  const splitter = new MimeSplitter();
  const events: SplitterChunk[] = [];
  splitter.write(Buffer.from("Content-Type: multipart/mixed; boundary=abc\r\n\r\n--abc\r\n\r\nbody\r\n--ab"), events);
  assert.equal(splitter.buffered, 2 + 4, "the line end and the start of the line that may be a delimiter");
  splitter.write(Buffer.alloc(2000, "c"), events);
  assert.equal(splitter.buffered, 0, "a line longer than any delimiter is body at once");
  splitter.write(Buffer.from("\r\n--abc--\r\n"), events);
  splitter.end(events);
  const body = Buffer.concat(events.flatMap((item) => (item.type === "body" ? [item.value] : [])));
  assert.equal(body.toString("latin1"), `body\r\n--ab${"c".repeat(2000)}`);
});

test("streams a 20 MB body line without line end through in 512 KiB writes, holding at most a CR between writes", () => {
  const splitter = new MimeSplitter();
  const events: SplitterChunk[] = [];
  splitter.write(
    Buffer.from(
      "Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: application/octet-stream\r\n\r\n",
    ),
    events,
  );
  const piece = randomBytes(512 * 1024);
  for (let i = piece.indexOf(0x0a); i >= 0; i = piece.indexOf(0x0a, i)) piece[i] = 0x20;
  piece[piece.length - 1] = 0x0d; // a CR at the end of every write, as the first half of a line end would be
  let body = 0;
  let maxBuffered = 0;
  for (let n = 0; n < 40; n++) {
    splitter.write(piece, events);
    maxBuffered = Math.max(maxBuffered, splitter.buffered);
  }
  splitter.write(Buffer.from("\r\n--b--\r\n"), events);
  splitter.end(events);
  for (const item of events) if (item.type === "body") body += item.value.length;
  assert.ok(maxBuffered <= 1, `${maxBuffered} bytes held between writes`);
  assert.equal(body, 40 * piece.length);
});
