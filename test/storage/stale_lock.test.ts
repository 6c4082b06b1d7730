import assert from "node:assert/strict";
import { mkdtemp, readdir, readFile, rm, stat, utimes, writeFile } from "node:fs/promises";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { withFileLock } from "../../src/storage/file_lock.ts";
import { removeIfUnchanged, sameSnapshot, snapshotFile } from "../../src/storage/remove_if_unchanged.ts";
import { makeTempConf, startChild, storeIn } from "./storage_test_kit.ts";

let dir = "";
before(async () => (dir = await mkdtemp(join(tmpdir(), "mps-stale-"))));
after(() => rm(dir, { recursive: true, force: true }));

const HOUR_AGO = () => (Date.now() - 3_600_000) / 1000;

async function plantStale(path: string, nonce: string): Promise<void> {
  await writeFile(path, JSON.stringify({ pid: 1, hostname: "gone-host", owner: "mps run", nonce }));
  await utimes(path, HOUR_AGO(), HOUR_AGO());
}

async function leftovers(): Promise<string[]> {
  return (await readdir(dir)).filter((name) => name.endsWith(".removing"));
}

describe("removing a stale lock compares before it deletes", () => {
  test("of two contenders that judged the same lock stale, the second leaves the lock the first took", async () => {
    const path = join(dir, "race.lock");
    await plantStale(path, "stale");
    const judgedByA = await snapshotFile(path);
    const judgedByB = await snapshotFile(path);
    assert.ok(judgedByA !== undefined && judgedByB !== undefined);

    assert.equal(await removeIfUnchanged(path, (now) => sameSnapshot(now, judgedByA)), true);
    const fresh = JSON.stringify({ pid: process.pid, hostname: hostname(), owner: "A", nonce: "fresh" });
    await writeFile(path, fresh, { flag: "wx" });

    assert.equal(await removeIfUnchanged(path, (now) => sameSnapshot(now, judgedByB)), false);
    assert.equal(await readFile(path, "utf8"), fresh);
    assert.deepEqual(await leftovers(), []);
  });

  test("a lock touched again after it was judged stale (its holder woke up) is kept", async () => {
    const path = join(dir, "woke.lock");
    await plantStale(path, "woke");
    const judged = await snapshotFile(path);
    assert.ok(judged !== undefined);
    await utimes(path, new Date(), new Date());
    assert.equal(await removeIfUnchanged(path, (now) => sameSnapshot(now, judged)), false);
    assert.ok((await stat(path)).isFile());
  });

  test("a file that changed between the check and the rename is put back where it was, whole", async () => {
    const path = join(dir, "back.lock");
    await plantStale(path, "back");
    const before = await snapshotFile(path);
    let checks = 0;
    // The first check passes and the one after the rename fails, as when another process
    // replaced the file in between.
    assert.equal(await removeIfUnchanged(path, () => ++checks === 1), false);
    assert.equal(checks, 2);
    const after = await snapshotFile(path);
    assert.equal(after?.text, before?.text);
    assert.equal(after?.ino, before?.ino);
    assert.deepEqual(await leftovers(), []);
  });

  test("two contenders racing for a stale lock in one process never hold it at the same time", async () => {
    const path = join(dir, "contended.lock");
    const options = { now: () => Date.now(), timeoutMs: 10_000, staleMs: 60_000, pollMs: 5 };
    let inside = 0;
    let most = 0;
    const work = async () => {
      inside++;
      most = Math.max(most, inside);
      await new Promise((resolve) => setTimeout(resolve, 2));
      inside--;
    };
    for (let round = 0; round < 20; round++) {
      await plantStale(path, `round-${round}`);
      await Promise.all([withFileLock(path, options, work), withFileLock(path, options, work)]);
      assert.equal(await snapshotFile(path), undefined, "released");
    }
    assert.equal(most, 1);
    assert.deepEqual(await leftovers(), []);
  });

  test("two processes updating through a stale lock left by a dead one end at exactly their sum", async () => {
    const conf = await makeTempConf();
    try {
      await storeIn(conf).write("microsoft", "print@contoso.com", { counter: 0 });
      const lock = join(conf.storageDir, ".lock");
      await writeFile(lock, JSON.stringify({ pid: 1, hostname: "gone-host", owner: "mps run", nonce: "dead" }));
      await utimes(lock, HOUR_AGO(), HOUR_AGO());
      const args = ["increment", conf.storageDir, conf.keyFile, "30"];
      const results = await Promise.all([startChild("node", args).exited, startChild("same", args).exited]);
      for (const result of results) assert.equal(result.code, 0, result.stderr);
      assert.equal((await storeIn(conf).read("microsoft", "print@contoso.com"))?.["counter"], 60);
      assert.equal(await snapshotFile(lock), undefined);
    } finally {
      await conf.cleanup();
    }
  });
});
