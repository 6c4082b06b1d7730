import assert from "node:assert/strict";
import { mkdir, readFile, stat, unlink, utimes, writeFile } from "node:fs/promises";
import { hostname } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { StorageLockTimeoutError } from "../../src/storage/index.ts";
import { makeTempConf, startChild, storeIn } from "./storage_test_kit.ts";

/** Writes a lock file as another process would have left it. */
async function plantLock(
  storageDir: string,
  owner: { pid: number; hostname: string; owner: string },
  mtimeMs?: number,
): Promise<string> {
  const path = join(storageDir, ".lock");
  await mkdir(storageDir, { recursive: true });
  await writeFile(path, JSON.stringify({ ...owner, acquiredAt: new Date().toISOString(), nonce: "planted" }));
  if (mtimeMs !== undefined) await utimes(path, mtimeMs / 1000, mtimeMs / 1000);
  return path;
}

/** The pid of a process that has already exited. */
async function deadPid(): Promise<number> {
  const child = startChild("node", ["exit", "x", "y"]);
  assert.equal((await child.exited).code, 0);
  return child.pid;
}

describe("cross-process lock", () => {
  let conf: Awaited<ReturnType<typeof makeTempConf>>;
  before(async () => (conf = await makeTempConf()));
  after(async () => conf.cleanup());

  test("two processes doing 50 update() increments each on the same file end at exactly 100", async () => {
    const own = await makeTempConf();
    try {
      const args = ["increment", own.storageDir, own.keyFile, "50"];
      const started = Date.now();
      const results = await Promise.all([startChild("node", args).exited, startChild("same", args).exited]);
      for (const result of results) assert.equal(result.code, 0, result.stderr);
      const tokens = await storeIn(own).read("microsoft", "print@contoso.com");
      assert.equal(tokens?.["counter"], 100);
      assert.equal(await readFile(join(own.storageDir, ".lock")).catch(() => "gone"), "gone");
      process.stderr.write(`# 2 x 50 locked updates took ${Date.now() - started} ms\n`);
    } finally {
      await own.cleanup();
    }
  });

  test("takes over a lock left by a process that no longer runs on this host", async () => {
    const pid = await deadPid();
    await plantLock(conf.storageDir, { pid, hostname: hostname(), owner: "mps run" });
    const store = storeIn(conf, { lockTimeoutMs: 2_000 });
    const started = Date.now();
    await store.write("microsoft", "stale@contoso.com", { refreshToken: "r" });
    assert.ok(Date.now() - started < 1_000, "no wait for a dead holder");
    assert.equal(await store.lockHolder(), undefined);
  });

  test("takes over a lock whose heartbeat stopped longer ago than the stale time", async () => {
    await plantLock(conf.storageDir, { pid: 1, hostname: "another-host", owner: "mps run" }, Date.now() - 120_000);
    const store = storeIn(conf, { lockTimeoutMs: 2_000, lockStaleMs: 60_000 });
    assert.equal((await store.lockHolder())?.stale, true);
    await store.write("microsoft", "stale@contoso.com", { refreshToken: "r" });
  });

  test("keeps a fresh lock of a live process on another host and times out naming it", async () => {
    const path = await plantLock(conf.storageDir, { pid: 4242, hostname: "another-host", owner: "mps run" });
    const store = storeIn(conf, { lockTimeoutMs: 300 });
    await assert.rejects(store.write("microsoft", "x@contoso.com", {}), (error) => {
      assert.ok(error instanceof StorageLockTimeoutError);
      assert.match(error.message, /mps run \(pid 4242 on host another-host/);
      return true;
    });
    await unlink(path);
  });

  test("times out on a lock held by a running process with an error naming its pid", async () => {
    const holder = startChild("same", ["hold", conf.storageDir, conf.keyFile]);
    try {
      assert.equal(await holder.firstLine, "locked");
      const store = storeIn(conf, { lockTimeoutMs: 400 });
      const info = await store.lockHolder();
      assert.equal(info?.pid, holder.pid);
      assert.equal(info?.owner, "lock_child");
      assert.equal(info?.stale, false);
      const started = Date.now();
      await assert.rejects(store.update("microsoft", "x@contoso.com", () => ({})), (error) => {
        assert.ok(error instanceof StorageLockTimeoutError);
        assert.equal(error.code, "ERR_STORAGE_LOCKED");
        assert.equal(error.holder.pid, holder.pid);
        assert.ok(error.message.includes(`lock_child (pid ${holder.pid} on host ${hostname()}`), error.message);
        assert.ok(error.message.includes(join(conf.storageDir, ".lock")), error.message);
        assert.notEqual(error.cause, undefined);
        return true;
      });
      const waited = Date.now() - started;
      assert.ok(waited >= 400 && waited < 2_000, `waited ${waited} ms`);
    } finally {
      holder.closeStdin();
      assert.equal((await holder.exited).code, 0);
    }
    await storeIn(conf, { lockTimeoutMs: 1_000 }).write("microsoft", "after@contoso.com", {});
  });

  test("lets store calls inside withLock run without waiting for the lock they are in", async () => {
    const store = storeIn(conf, { lockTimeoutMs: 500 });
    const result = await store.withLock(async () => {
      await store.write("microsoft", "nested@contoso.com", { refreshToken: "1" });
      return store.update("microsoft", "nested@contoso.com", (old) => ({ ...old, accessToken: "2" }));
    });
    assert.deepEqual(result, { refreshToken: "1", accessToken: "2" });
  });

  test("serialises concurrent updates within one process", async () => {
    const store = storeIn(conf);
    const other = storeIn(conf);
    await store.write("microsoft", "count@contoso.com", { counter: 0 });
    const bump = (s: typeof store) =>
      s.update("microsoft", "count@contoso.com", (old) => ({ counter: Number(old?.["counter"]) + 1 }));
    await Promise.all(Array.from({ length: 20 }, (_, i) => bump(i % 2 === 0 ? store : other)));
    assert.equal((await store.read("microsoft", "count@contoso.com"))?.["counter"], 20);
  });

  test("refreshes the heartbeat of a lock it holds for long", async () => {
    const store = storeIn(conf, { lockStaleMs: 150 });
    await store.withLock(async () => {
      const lock = join(conf.storageDir, ".lock");
      const first = (await stat(lock)).mtimeMs;
      await new Promise((resolve) => setTimeout(resolve, 250));
      assert.ok((await stat(lock)).mtimeMs > first, "mtime moved");
      assert.equal((await store.lockHolder())?.stale, false);
    });
  });
});
