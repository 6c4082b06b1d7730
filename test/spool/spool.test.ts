import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { after, before, test } from "node:test";
import { cleanPartialJobs, JobBuilder, safeDocumentName } from "../../src/spool/index.ts";
import { Ledger } from "../../src/spool/ledger.ts";

let spool = "";
before(async () => {
  spool = await mkdtemp(path.join(tmpdir(), "mps-spool-"));
});
after(async () => {
  await rm(spool, { recursive: true, force: true });
});

async function* chunks(...parts: string[]): AsyncIterable<Uint8Array> {
  for (const part of parts) yield new TextEncoder().encode(part);
}

/** The spool takes its clock from its caller, as the downloader passes its own. */
const CLOCK = { now: () => Date.now() };

/** True when the spool's ledger, read afresh from disk, remembers the job. */
async function isPublished(spool: string, id: string, now: () => number): Promise<boolean> {
  return await (await Ledger.open(spool, now)).has(id);
}

const INFO = {
  source: "print@example.test",
  owner: "alice@example.test",
  subject: "Quarterly report",
  receivedAt: "2026-11-27T10:00:00.000Z",
  messageId: "<m1@example.test>",
};

test("makes hostile attachment names safe on Windows and POSIX", () => {
  const cases: Array<[string, string]> = [
    ["../../etc/passwd", "passwd"],
    ["C:\\Windows\\system32\\evil.exe", "evil.exe"],
    ["report?.pdf", "report_.pdf"],
    ['a<b>c:d"e|f*.txt', "a_b_c_d_e_f_.txt"],
    ["CON", "_CON"],
    ["lpt1.txt", "_lpt1.txt"],
    ["name. . ", "name"],
    ["", "document"],
    ["..", "document"],
    ["tab\there.pdf", "tab here.pdf"],
    ["job.json", "job (2).json"],
  ];
  for (const [raw, expected] of cases) {
    assert.equal(safeDocumentName(raw, new Set(["job.json"])), expected, raw);
  }
});

test("numbers duplicate names, ignoring case", () => {
  const taken = new Set<string>();
  assert.deepEqual(
    ["scan.pdf", "Scan.PDF", "scan.pdf", "README"].map((name) => safeDocumentName(name, taken)),
    ["scan.pdf", "Scan (2).PDF", "scan (3).pdf", "README"],
  );
});

test("shortens very long names to 200 bytes and keeps the extension", () => {
  const name = safeDocumentName(`${"x".repeat(400)}.pdf`, new Set());
  assert.equal(name, `${"x".repeat(196)}.pdf`);
  assert.ok(name.endsWith(".pdf"));
});

test("publishes a job whole with job.json describing each document in order", async () => {
  const builder = await JobBuilder.begin(spool, "src-1-10", CLOCK);
  assert.ok(builder);
  await builder.addDocument("b.pdf", "application/pdf", chunks("%PDF-1.4 ", "body"));
  await builder.addDocument("a.txt", "text/plain", chunks("hello"));
  assert.deepEqual(await readdir(spool).then((names) => names.filter((n) => !n.startsWith("."))), []);
  const job = await builder.commit(INFO);
  const dir = path.join(spool, "src-1-10");
  const written = JSON.parse(await readFile(path.join(dir, "job.json"), "utf8"));
  assert.deepEqual(written, job);
  assert.deepEqual(written.documents, [
    {
      fileName: "b.pdf",
      contentType: "application/pdf",
      size: 13,
      sha256: createHash("sha256").update("%PDF-1.4 body").digest("hex"),
    },
    {
      fileName: "a.txt",
      contentType: "text/plain",
      size: 5,
      sha256: createHash("sha256").update("hello").digest("hex"),
    },
  ]);
  assert.equal(await readFile(path.join(dir, "a.txt"), "utf8"), "hello");
  assert.deepEqual((await readdir(dir)).sort(), ["a.txt", "b.pdf", "job.json"]);
});

test("refuses to make a job twice, even after the print system took the first away", async () => {
  const first = await JobBuilder.begin(spool, "src-1-11", CLOCK);
  assert.ok(first);
  await first.commit(INFO);
  assert.equal(await JobBuilder.begin(spool, "src-1-11", CLOCK), undefined);
  await rm(path.join(spool, "src-1-11"), { recursive: true });
  assert.equal(await isPublished(spool, "src-1-11", CLOCK.now), true);
  assert.equal(await JobBuilder.begin(spool, "src-1-11", CLOCK), undefined);
});

test("an aborted job leaves nothing in the spool", async () => {
  const builder = await JobBuilder.begin(spool, "src-1-12", CLOCK);
  assert.ok(builder);
  await builder.addDocument("x.pdf", "application/pdf", chunks("x"));
  await builder.abort();
  assert.equal(await isPublished(spool, "src-1-12", CLOCK.now), false);
  assert.deepEqual(await readdir(path.join(spool, ".tmp")), []);
});

test("refuses a job id that is not a safe folder name", async () => {
  await assert.rejects(JobBuilder.begin(spool, "../x", CLOCK), /Job id '..\/x' is not a safe folder name/);
});

test("removes half-built jobs of dead processes and keeps its own", async () => {
  const { mkdir } = await import("node:fs/promises");
  const process = (await import("node:process")).default;
  const own = await JobBuilder.begin(spool, "src-1-20", CLOCK);
  assert.ok(own);
  await mkdir(path.join(spool, ".tmp", "src-1-21.999999999.0a1b2c3d"), { recursive: true });
  assert.equal(await cleanPartialJobs(spool), 1);
  const left = await readdir(path.join(spool, ".tmp"));
  assert.deepEqual(left.map((name) => name.split(".")[1]), [String(process.pid)]);
  await own.abort();
});

test("keeps publishing after the whole spool folder was removed while running", async () => {
  const first = await JobBuilder.begin(spool, "src-1-30", CLOCK);
  assert.ok(first);
  await first.commit(INFO);
  await rm(spool, { recursive: true, force: true });
  const second = await JobBuilder.begin(spool, "src-1-31", CLOCK);
  assert.ok(second);
  await second.addDocument("a.txt", "text/plain", chunks("again"));
  await second.commit(INFO);
  assert.equal(await readFile(path.join(spool, "src-1-31", "a.txt"), "utf8"), "again");
  assert.equal(await isPublished(spool, "src-1-31", CLOCK.now), true);
});

test("writes a large document streamed in small chunks byte for byte", async () => {
  const builder = await JobBuilder.begin(spool, "src-1-32", CLOCK);
  assert.ok(builder);
  const parts = Array.from({ length: 3000 }, (_, index) => `${index},`);
  const document = await builder.addDocument("big.txt", "text/plain", chunks(...parts));
  await builder.commit(INFO);
  const text = parts.join("");
  assert.equal(document.size, Buffer.byteLength(text));
  assert.equal(await readFile(path.join(spool, "src-1-32", "big.txt"), "utf8"), text);
});
