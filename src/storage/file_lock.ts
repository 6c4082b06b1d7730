import { AsyncLocalStorage } from "node:async_hooks";
import { mkdir, unlink, utimes } from "node:fs/promises";
import { hostname } from "node:os";
import { dirname, resolve } from "node:path";
import { createExclusiveFile } from "./exclusive_file.ts";
import { StorageIoError, StorageLockTimeoutError } from "./errors.ts";
import type { LockHolder } from "./errors.ts";
import { removeIfUnchanged, sameSnapshot, snapshotFile } from "./remove_if_unchanged.ts";
import type { FileSnapshot } from "./remove_if_unchanged.ts";
import { errnoCode } from "../shared/errno.ts";

export type FileLockOptions = {
  now: () => number;
  /** Who takes the lock, shown to whoever waits for it, e.g. "mps run". */
  owner?: string | undefined;
  /** How long to wait for a held lock before StorageLockTimeoutError. */
  timeoutMs: number;
  /** A lock whose heartbeat (mtime) is older than this is stale; the holder touches it every staleMs/3. */
  staleMs: number;
  pollMs?: number;
};

type LockRead = { holder: LockHolder; snapshot: FileSnapshot };

/** Locks this async context already holds: nested withFileLock calls on them run at once. */
const held = new AsyncLocalStorage<ReadonlySet<string>>();

/** false only when the pid surely no longer runs on this host (ESRCH). */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return errnoCode(error) !== "ESRCH";
  }
}

async function readLock(
  path: string,
  options: Pick<FileLockOptions, "now" | "staleMs">,
): Promise<LockRead | undefined> {
  let snapshot: FileSnapshot | undefined;
  try {
    snapshot = await snapshotFile(path);
  } catch (error) {
    throw new StorageIoError("read lock file", path, { cause: error });
  }
  if (snapshot === undefined) return undefined;
  const { text, mtimeMs: touchedAt } = snapshot;
  let fields: Record<string, unknown> = {};
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed === "object" && parsed !== null) fields = parsed as Record<string, unknown>;
  } catch {
    // Not ours or cut short: only its age can make it stale.
  }
  const pid = Number.isSafeInteger(fields["pid"]) ? (fields["pid"] as number) : undefined;
  const host = typeof fields["hostname"] === "string" ? fields["hostname"] : undefined;
  const acquiredAt = typeof fields["acquiredAt"] === "string" ? Date.parse(fields["acquiredAt"]) : Number.NaN;
  const silent = options.now() - touchedAt > options.staleMs;
  const dead = pid !== undefined && host === hostname() && !isAlive(pid);
  return {
    snapshot,
    holder: {
      path,
      pid,
      hostname: host,
      owner: typeof fields["owner"] === "string" ? fields["owner"] : undefined,
      acquiredAt: Number.isNaN(acquiredAt) ? undefined : acquiredAt,
      touchedAt,
      stale: silent || dead,
    },
  };
}

/** Who holds the lock at `path` right now, or undefined when nobody does. */
export async function inspectLock(
  path: string,
  options: Pick<FileLockOptions, "now" | "staleMs">,
): Promise<LockHolder | undefined> {
  return (await readLock(path, options))?.holder;
}

async function touch(path: string, now: number): Promise<void> {
  await utimes(path, now / 1000, now / 1000);
}

/**
 * Removes the stale lock `judged`, and only that one: a lock another process took meanwhile (or
 * a holder that touched it again) is a different file or has another time, and stays. A guard
 * file keeps contenders from doing this at the same time. Returns false when another process is at it.
 */
async function takeOver(path: string, options: FileLockOptions, judged: LockRead): Promise<boolean> {
  const guard = `${path}.takeover`;
  try {
    await createExclusiveFile(
      guard,
      JSON.stringify({ pid: process.pid, nonce: globalThis.crypto.randomUUID() }),
      false,
    );
  } catch (error) {
    if (errnoCode(error) !== "EEXIST") throw new StorageIoError("create lock file", guard, { cause: error });
    const seen = await snapshotFile(guard).catch(() => undefined);
    if (seen !== undefined && options.now() - seen.mtimeMs > options.staleMs) {
      await removeIfUnchanged(guard, (now) => sameSnapshot(now, seen)).catch(() => undefined);
    }
    return false;
  }
  try {
    await removeIfUnchanged(path, (now) => sameSnapshot(now, judged.snapshot)).catch((error: unknown) => {
      throw new StorageIoError("remove stale lock file", path, { cause: error });
    });
    return true;
  } finally {
    await unlink(guard).catch(() => undefined);
  }
}

async function acquire(path: string, options: FileLockOptions): Promise<string> {
  const pollMs = options.pollMs ?? 50;
  const started = performance.now();
  const content = JSON.stringify({
    pid: process.pid,
    hostname: hostname(),
    owner: options.owner,
    acquiredAt: new Date(options.now()).toISOString(),
    nonce: globalThis.crypto.randomUUID(),
  });
  await mkdir(dirname(path), { recursive: true, mode: 0o700 }).catch((error: unknown) => {
    throw new StorageIoError("create folder", dirname(path), { cause: error });
  });
  for (;;) {
    let exists: unknown;
    try {
      await createExclusiveFile(path, content, false);
      await touch(path, options.now());
      return content;
    } catch (error) {
      if (errnoCode(error) !== "EEXIST") throw new StorageIoError("create lock file", path, { cause: error });
      exists = error;
    }
    const current = await readLock(path, options);
    if (current === undefined) continue;
    if (current.holder.stale && (await takeOver(path, options, current))) continue;
    const waited = performance.now() - started;
    if (waited >= options.timeoutMs) throw new StorageLockTimeoutError(current.holder, waited, { cause: exists });
    const pause = Math.min(pollMs * (0.5 + Math.random()), options.timeoutMs - waited + 1);
    await new Promise((done) => setTimeout(done, pause));
  }
}

async function release(path: string, content: string): Promise<void> {
  // Only our own lock: after a takeover (our heartbeat stalled) the file may be another's.
  await removeIfUnchanged(path, (now) => now.text === content).catch(() => undefined);
}

/**
 * Runs `fn` holding an exclusive lock file at `path` shared by every process
 * (pid, hostname, owner and time inside). Waits by polling up to timeoutMs,
 * taking over a stale lock (dead pid on this host, or no heartbeat for
 * staleMs). Re-entrant within one async call chain.
 */
export async function withFileLock<T>(path: string, options: FileLockOptions, fn: () => Promise<T>): Promise<T> {
  const key = resolve(path);
  const outer = held.getStore();
  if (outer?.has(key) === true) return fn();
  const content = await acquire(key, options);
  let beat: Promise<void> = Promise.resolve();
  const timer = setInterval(() => {
    beat = beat.then(() => touch(key, options.now())).catch(() => undefined);
  }, Math.max(10, Math.floor(options.staleMs / 3)));
  try {
    return await held.run(new Set([...(outer ?? []), key]), fn);
  } finally {
    clearInterval(timer);
    await beat;
    await release(key, content);
  }
}
