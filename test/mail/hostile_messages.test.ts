import assert from "node:assert/strict";
import { readdir, readFile, stat } from "node:fs/promises";
import * as path from "node:path";
import { performance } from "node:perf_hooks";
import { after, before, test } from "node:test";
import { FAILED_REASONS, messageToJob } from "../../src/mail/index.ts";
import type { FailedRecord } from "../../src/mail/index.ts";
import type { Job } from "../../src/spool/index.ts";
import { HostileMessageGenerator } from "./hostile_message_generator.ts";
import type { HostileVolume } from "./hostile_message_generator.ts";
import { chunked, emailSource, makeDirs, NOW, RECEIVED, removeDirs } from "./mail_test_kit.ts";
import type { Dirs } from "./mail_test_kit.ts";
import { Rng } from "./mime_tree_generator.ts";

const SEED = 20261206;
const CASES = 3000;
/** Messages converted side by side. */
const PARALLEL = 4;
/**
 * The full volume: names with bidi controls, zero-width and C1 characters, the Windows reserved
 * forms (`CON .pdf`, `CONIN$`) or so many emoji that cutting them may split a surrogate pair,
 * headers with invalid UTF-8 (read as Latin-1, so C1 controls reach names), HTML floods of up to
 * 256 KiB, and addresses hidden in encoded display names of `From`. Lower one to tell which of
 * those a failure comes from.
 */
const VOLUME: HostileVolume = { oddNameShare: 0.3, htmlBytes: 256 * 1024, forgedFromShare: 0.3 };

/** Generous: 2 s plus 2 ms per KiB. A parser that backtracks takes seconds on tens of KiB. */
const boundMs = (bytes: number): number => 2000 + (2 * bytes) / 1024;

/**
 * Characters no stored name may hold: separators, controls, bidi controls, zero-width characters;
 * a zero-width joiner only inside an emoji sequence (👩‍💻), where it is part of the picture.
 */
const UNSAFE =
  /[/\\\p{Cc}\u061c\u200b\u200c\u200e\u200f\u202a-\u202e\u2060\u2066-\u2069\ufeff]|(?<!\p{Extended_Pictographic}[\u{fe0f}\u{1f3fb}-\u{1f3ff}]?)\u200d|\u200d(?!\p{Extended_Pictographic})/u;
const WINDOWS_RESERVED = /^(con|prn|aux|nul|conin\$|conout\$|com[0-9¹²³]|lpt[0-9¹²³]) *(\..*)?$/i;

function unsafeName(name: string): string | undefined {
  if (Buffer.byteLength(name, "utf8") > 255) return `longer than 255 bytes (${Buffer.byteLength(name)})`;
  if (name === "" || name === "." || name === "..") return "empty or a dot name";
  if (UNSAFE.test(name)) return `holds ${JSON.stringify(UNSAFE.exec(name)?.[0])}`;
  if (/[. ]$/.test(name)) return "ends in a dot or space";
  if (WINDOWS_RESERVED.test(name)) return "a Windows reserved name";
  return undefined;
}

/**
 * How the bytes arrive: whole (a batch FETCH), in the downloader's stream chunks, or in odd
 * sizes; tiny chunks only for small messages (every chunk costs a round through the parser).
 */
function chunkSize(index: number, bytes: number): number {
  if (bytes < 4096 && index % 4 === 0) return 1 + (index % 61);
  return [bytes + 1, 512 * 1024, 65_536, 4096, 777][index % 5] ?? 4096;
}

let dirs: Dirs;
before(async () => {
  dirs = await makeDirs();
});
after(async () => {
  await removeDirs(dirs);
});

interface Timing {
  readonly index: number;
  readonly kind: string;
  readonly bytes: number;
  readonly ms: number;
}

test(`${CASES} hostile messages (seed ${SEED}) each end as exactly one job or one Failed entry, with safe names, in time bounded by their size`, async () => {
  const generator = new HostileMessageGenerator(new Rng(SEED), VOLUME);
  const timings: Timing[] = [];
  const outcomes = new Map<string, number>();
  const problems: string[] = [];
  const runCase = async (index: number, raw: Buffer, kind: string): Promise<void> => {
    const jobId = `fuzz_${index}`;
    const label = `case ${index} (${kind}, ${raw.length} bytes)`;
    const source = emailSource({
      printBody: index % 7 === 0 ? "always" : "auto",
      allowedSenders: index % 5 === 0 ? ["*@contoso.com"] : [],
      maxMessageSize: index % 11 === 0 ? 64 * 1024 : 100 * 1024 * 1024,
    });
    const begin = performance.now();
    let outcome;
    try {
      outcome = await messageToJob({
        message: chunked(raw, chunkSize(index, raw.length)),
        jobId,
        source,
        spoolDir: dirs.spool,
        failedDir: dirs.failed,
        receivedAt: RECEIVED,
        syncSpool: false,
        now: () => NOW,
      });
    } catch (error) {
      problems.push(`${label}: threw ${(error as Error).stack ?? String(error)}`);
      return;
    }
    const ms = performance.now() - begin;
    timings.push({ index, kind, bytes: raw.length, ms });
    if (ms > boundMs(raw.length)) problems.push(`${label}: took ${ms.toFixed(0)} ms, over ${boundMs(raw.length)} ms`);
    const key = outcome.outcome === "failed" ? outcome.reason : outcome.outcome;
    outcomes.set(key, (outcomes.get(key) ?? 0) + 1);
    problems.push(...(await check(jobId, raw, outcome.outcome === "failed" ? outcome.failedStem : undefined, label)));
  };
  const started = performance.now();
  // A few side by side, as the downloader converts a batch: fsync waits overlap.
  const running = new Set<Promise<void>>();
  for (let index = 0; index < CASES && problems.length <= 20; index++) {
    const { raw, kind } = generator.next();
    const task = runCase(index, raw, kind);
    running.add(task);
    void task.finally(() => running.delete(task));
    if (running.size >= PARALLEL) await Promise.race(running);
  }
  await Promise.all(running);
  const total = performance.now() - started;
  assert.deepEqual(await readdir(path.join(dirs.spool, ".tmp")), [], "no half-built job is left in the spool");
  const incoming = (await readdir(dirs.failed)).filter((name) => name.startsWith("."));
  assert.deepEqual(incoming, [], "no raw-copy temp file is left in Failed");
  const jobs = (await readdir(dirs.spool)).filter((name) => !name.startsWith("."));
  const failed = (await readdir(dirs.failed)).filter((name) => name.endsWith(".json"));
  assert.equal(jobs.length + failed.length, timings.length, "every message is one job or one Failed entry");
  const slowest = [...timings].sort((a, b) => b.ms - a.ms).slice(0, 5);
  console.log(
    `${timings.length} cases in ${(total / 1000).toFixed(1)} s; outcomes ${
      JSON.stringify(Object.fromEntries(outcomes))
    }; ` +
      `slowest: ${slowest.map((t) => `#${t.index} ${t.kind} ${t.bytes} B ${t.ms.toFixed(0)} ms`).join(", ")}`,
  );
  assert.deepEqual(problems, []);
  assert.equal(timings.length, CASES);
  // the generator reaches every kind of outcome, or it tests less than it claims
  for (const outcome of ["job", "unreadable", "no-printable-part", "sender-not-allowed", "too-large", "no-sender"]) {
    assert.ok((outcomes.get(outcome) ?? 0) > 0, `no case ended as ${outcome}`);
  }
});

/**
 * The top-level `From` header lines as written, lower-cased: a job's owner must be written
 * there, not decoded out of an encoded display name.
 */
function fromHeaders(raw: Buffer): string {
  const text = raw.toString("utf8");
  const end = text.search(/\r?\n\r?\n/);
  const head = end === -1 ? text : text.slice(0, end);
  return head.split(/\r?\n(?![ \t])/).filter((line) => /^from:/i.test(line)).join("\n").toLowerCase();
}

/** The invariants of one case: exactly one of a whole job and a Failed pair, and only safe names. */
async function check(jobId: string, raw: Buffer, failedStem: string | undefined, label: string): Promise<string[]> {
  const problems: string[] = [];
  const jobDir = path.join(dirs.spool, jobId);
  const isJob = await stat(jobDir).then(() => true, () => false);
  // the clock is fixed, so the Failed stem a message would get is known
  const stem = `${new Date(NOW).toISOString().replace(/:/g, "-")}_${jobId}`;
  const failedNames: string[] = [];
  for (const name of [`${stem}.eml`, `${stem}.json`]) {
    if (await stat(path.join(dirs.failed, name)).then(() => true, () => false)) failedNames.push(name);
  }
  if (failedStem === undefined) {
    if (!isJob) return [`${label}: a job outcome without a job folder`];
    if (failedNames.length > 0) problems.push(`${label}: a job and a Failed entry: ${failedNames.join(", ")}`);
    const job = JSON.parse(await readFile(path.join(jobDir, "job.json"), "utf8")) as Job;
    if (job.owner !== "" && !fromHeaders(raw).includes(job.owner)) {
      problems.push(`${label}: owner '${job.owner}' is not written in a From header as it is`);
    }
    const files = (await readdir(jobDir)).sort();
    const listed = [...job.documents.map((document) => document.fileName), "job.json"].sort();
    if (JSON.stringify(files) !== JSON.stringify(listed)) {
      problems.push(`${label}: files ${JSON.stringify(files)} are not job.json's ${JSON.stringify(listed)}`);
    }
    for (const name of files) {
      const why = unsafeName(name);
      if (why !== undefined) problems.push(`${label}: document name ${JSON.stringify(name)} is ${why}`);
    }
    return problems;
  }
  if (isJob) problems.push(`${label}: a Failed outcome and a job folder`);
  const expected = [`${failedStem}.eml`, `${failedStem}.json`];
  if (JSON.stringify(failedNames.sort()) !== JSON.stringify(expected)) {
    return [...problems, `${label}: Failed holds ${JSON.stringify(failedNames)}, expected ${JSON.stringify(expected)}`];
  }
  const record = JSON.parse(await readFile(path.join(dirs.failed, `${failedStem}.json`), "utf8")) as FailedRecord;
  if (!(FAILED_REASONS as readonly string[]).includes(record.reason)) {
    problems.push(`${label}: unknown reason ${record.reason}`);
  }
  if (record.message === "") problems.push(`${label}: a Failed record without a sentence`);
  if (!(await readFile(path.join(dirs.failed, `${failedStem}.eml`))).equals(raw)) {
    problems.push(`${label}: the .eml is not the raw message`);
  }
  for (const name of expected) {
    const why = unsafeName(name);
    if (why !== undefined) problems.push(`${label}: Failed name ${JSON.stringify(name)} is ${why}`);
  }
  return problems;
}
