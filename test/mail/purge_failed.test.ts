import assert from "node:assert/strict";
import { mkdir, readdir, utimes, writeFile } from "node:fs/promises";
import * as path from "node:path";
import { after, before, test } from "node:test";
import { purgeFailed } from "../../src/mail/index.ts";
import { makeDirs, removeDirs } from "./mail_test_kit.ts";
import type { Dirs } from "./mail_test_kit.ts";

let dirs: Dirs;
before(async () => {
  dirs = await makeDirs();
});
after(async () => {
  await removeDirs(dirs);
});

const NOW = Date.parse("2026-12-01T12:00:00Z");
const DAY = 86_400;

async function file(name: string, ageSeconds: number): Promise<void> {
  const target = path.join(dirs.failed, name);
  await writeFile(target, "x");
  const when = new Date(NOW - ageSeconds * 1000);
  await utimes(target, when, when);
}

test("removes the files in Failed older than maxAge, temp leftovers included, and counts them", async () => {
  await mkdir(path.join(dirs.failed, "kept-folder"), { recursive: true });
  await file("2026-11-20T10-00-00.000Z_print_1_1.eml", 11 * DAY);
  await file("2026-11-20T10-00-00.000Z_print_1_1.json", 11 * DAY);
  await file(".incoming-print_1_2.abcd1234.tmp", 8 * DAY);
  await file("2026-11-30T10-00-00.000Z_print_1_3.eml", 1 * DAY);
  await file("2026-11-30T10-00-00.000Z_print_1_3.json", 1 * DAY);
  assert.equal(await purgeFailed(dirs.failed, 7 * DAY, () => NOW), 3);
  assert.deepEqual((await readdir(dirs.failed)).sort(), [
    "2026-11-30T10-00-00.000Z_print_1_3.eml",
    "2026-11-30T10-00-00.000Z_print_1_3.json",
    "kept-folder",
  ]);
  assert.equal(await purgeFailed(dirs.failed, 7 * DAY, () => NOW), 0);
});

test("purges nothing from a Failed folder that does not exist yet", async () => {
  assert.equal(await purgeFailed(path.join(dirs.root, "missing"), DAY, () => NOW), 0);
});

test("keeps everything when maxAge is 0", async () => {
  await file("old.eml", 400 * DAY);
  assert.equal(await purgeFailed(dirs.failed, 0, () => NOW), 0);
  assert.ok((await readdir(dirs.failed)).includes("old.eml"));
});
