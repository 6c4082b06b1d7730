import assert from "node:assert/strict";
import { appendFile, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { after, before, test } from "node:test";
import { CATCH_UP_MS, Ledger, LEDGER_DAYS } from "../../src/spool/ledger.ts";

const DAY = 24 * 60 * 60 * 1000;
const NOON = Date.parse("2026-11-27T12:00:00Z");

let root = "";
let count = 0;
before(async () => {
  root = await mkdtemp(path.join(tmpdir(), "mps-ledger-"));
});
after(async () => {
  await rm(root, { recursive: true, force: true });
});

async function freshSpool(): Promise<string> {
  const spool = path.join(root, `spool-${++count}`);
  await mkdir(spool, { recursive: true });
  return spool;
}

test("remembers published ids for the next process, one line per job in the day's file", async () => {
  const spool = await freshSpool();
  const first = await Ledger.open(spool, () => NOON);
  await first.add("src-7-1");
  await first.add("src-7-2");
  await first.sync();
  assert.equal(await first.has("src-7-1"), true);
  assert.equal(await first.has("src-7-3"), false);
  assert.deepEqual(await readdir(path.join(spool, ".done")), ["2026-11-27.log"]);
  assert.equal(
    await readFile(path.join(spool, ".done", "2026-11-27.log"), "utf8"),
    "2026-11-27T12:00:00.000Z src-7-1\n2026-11-27T12:00:00.000Z src-7-2\n",
  );
  const next = await Ledger.open(spool, () => NOON + 60_000);
  assert.equal(await next.has("src-7-2"), true);
  assert.equal(await next.has("src-7-3"), false);
});

test("a lookup that misses sees what another process appended, reading at most once a second", async () => {
  const spool = await freshSpool();
  let now = NOON;
  const mine = await Ledger.open(spool, () => now);
  const theirs = await Ledger.open(spool, () => now);
  await mine.add("src-7-10");
  await theirs.add("src-7-11");
  await mine.add("src-7-12");
  assert.equal(await mine.has("src-7-11"), false, "read again within the second");
  now += CATCH_UP_MS;
  assert.equal(await mine.has("src-7-11"), true);
  assert.equal(await theirs.has("src-7-10"), true);
  assert.equal(await theirs.has("src-7-12"), true);
});

test("takes only whole lines: an id being appended right now is read once its line ends", async () => {
  const spool = await freshSpool();
  let now = NOON;
  const ledger = await Ledger.open(spool, () => now);
  await ledger.add("src-7-20");
  const file = path.join(spool, ".done", "2026-11-27.log");
  await appendFile(file, "2026-11-27T12:00:01.000Z src-7-2");
  now += CATCH_UP_MS;
  assert.equal(await ledger.has("src-7-2"), false);
  await appendFile(file, "1\n");
  now += CATCH_UP_MS;
  assert.equal(await ledger.has("src-7-21"), true);
  assert.equal(await ledger.has("src-7-2"), false);
});

test("counts a job folder found in the spool as published: the crash came before its line", async () => {
  const spool = await freshSpool();
  await mkdir(path.join(spool, "src-7-30"));
  await mkdir(path.join(spool, ".tmp"));
  const ledger = await Ledger.open(spool, () => NOON);
  assert.equal(await ledger.has("src-7-30"), true);
  assert.equal(await ledger.has(".tmp"), false);
});

test(`forgets a day ${LEDGER_DAYS} days later and deletes its file, at start and when the day changes`, async () => {
  const spool = await freshSpool();
  await mkdir(path.join(spool, ".done"));
  await writeFile(path.join(spool, ".done", "2026-11-01.log"), "2026-11-01T08:00:00.000Z src-7-40\n");
  await writeFile(path.join(spool, ".done", "2026-11-14.log"), "2026-11-14T08:00:00.000Z src-7-41\n");
  await writeFile(path.join(spool, ".done", "notes.txt"), "not a day file\n");
  let now = NOON;
  const ledger = await Ledger.open(spool, () => now);
  assert.deepEqual((await readdir(path.join(spool, ".done"))).sort(), ["2026-11-14.log", "notes.txt"]);
  assert.equal(await ledger.has("src-7-40"), false);
  assert.equal(await ledger.has("src-7-41"), true);
  now = NOON + 2 * DAY;
  await ledger.add("src-7-42");
  assert.equal(await ledger.has("src-7-41"), false);
  assert.equal(await ledger.has("src-7-42"), true);
  assert.deepEqual((await readdir(path.join(spool, ".done"))).sort(), ["2026-11-29.log", "notes.txt"]);
});

test("keeps remembering, and records again what it had appended, after the spool folder was removed while running", async () => {
  const spool = await freshSpool();
  const ledger = await Ledger.open(spool, () => NOON);
  await ledger.add("src-7-50");
  await rm(spool, { recursive: true });
  assert.equal(await ledger.has("src-7-50"), true);
  await ledger.add("src-7-51");
  await ledger.sync();
  assert.equal(
    await readFile(path.join(spool, ".done", "2026-11-27.log"), "utf8"),
    "2026-11-27T12:00:00.000Z src-7-50\n2026-11-27T12:00:00.000Z src-7-51\n",
  );
  const next = await Ledger.open(spool, () => NOON);
  assert.equal(await next.has("src-7-51"), true);
});

test("lookups and appends side by side, in this process and another, neither fail nor lose an id", async () => {
  const spool = await freshSpool();
  let now = NOON;
  const mine = await Ledger.open(spool, () => now);
  const theirs = await Ledger.open(spool, () => now);
  const work: Promise<unknown>[] = [];
  for (let i = 0; i < 60; i++) {
    work.push(mine.has(`src-8-${i}`).then(() => mine.add(`src-8-${i}`)));
    work.push(theirs.add(`src-9-${i}`));
    if (i % 10 === 0) now += CATCH_UP_MS;
  }
  await Promise.all(work);
  now += CATCH_UP_MS;
  for (let i = 0; i < 60; i++) {
    assert.equal(await mine.has(`src-9-${i}`), true, `src-9-${i}`);
    assert.equal(await theirs.has(`src-8-${i}`), true, `src-8-${i}`);
  }
});

test("adds and syncs from several sources on one spool interleave without losing or doubling a line", async () => {
  const spool = await freshSpool();
  const ledger = await Ledger.open(spool, () => NOON);
  const work: Promise<unknown>[] = [];
  for (let i = 0; i < 200; i++) {
    work.push(ledger.add(`src-${i % 2 ? "a" : "b"}-1-${i}`));
    if (i % 7 === 0) work.push(ledger.sync());
  }
  await Promise.all(work);
  await ledger.sync();
  const lines = (await readFile(path.join(spool, ".done", "2026-11-27.log"), "utf8")).trim().split("\n");
  assert.equal(lines.length, 200);
  assert.equal(new Set(lines).size, 200);
  const next = await Ledger.open(spool, () => NOON);
  for (let i = 0; i < 200; i++) assert.equal(await next.has(`src-${i % 2 ? "a" : "b"}-1-${i}`), true);
});
