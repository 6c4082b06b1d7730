import { link, open, rename, unlink } from "node:fs/promises";
import { errnoCode } from "../shared/errno.ts";

/** A file's content and identity, read through one open descriptor so that both belong to the same file. */
export type FileSnapshot = {
  readonly text: string;
  readonly ino: number;
  readonly dev: number;
  readonly mtimeMs: number;
};

/** The file at `path` as it is now, or undefined when there is none. */
export async function snapshotFile(path: string): Promise<FileSnapshot | undefined> {
  let handle;
  try {
    handle = await open(path, "r");
  } catch (error) {
    if (errnoCode(error) === "ENOENT") return undefined;
    throw error;
  }
  try {
    const stats = await handle.stat();
    const text = await handle.readFile("utf8");
    return { text, ino: stats.ino, dev: stats.dev, mtimeMs: stats.mtimeMs };
  } finally {
    await handle.close();
  }
}

/** Same file, same content, not touched since: what `judged` saw is what is there. */
export function sameSnapshot(a: FileSnapshot, b: FileSnapshot): boolean {
  return a.text === b.text && a.ino === b.ino && a.dev === b.dev && a.mtimeMs === b.mtimeMs;
}

/**
 * Deletes `path` only if the file there is still the one `isSame` accepts, and returns whether it
 * did. Reading and then deleting would race (another process may replace the file in between and
 * lose its fresh one), so the file is first renamed to a name of its own, an atomic step that
 * takes whatever is at `path`; then the taken file is checked. If it is another one, it goes back
 * with link(), which never overwrites a file a third process created meanwhile.
 */
export async function removeIfUnchanged(path: string, isSame: (now: FileSnapshot) => boolean): Promise<boolean> {
  const before = await snapshotFile(path);
  if (before === undefined || !isSame(before)) return false;
  const aside = `${path}.${globalThis.crypto.randomUUID()}.removing`;
  try {
    await rename(path, aside);
  } catch (error) {
    // Gone (another process removed it first) or held open on Windows: not ours to remove now.
    if (errnoCode(error) === "ENOENT" || errnoCode(error) === "EPERM" || errnoCode(error) === "EBUSY") return false;
    throw error;
  }
  const taken = await snapshotFile(aside);
  if (taken !== undefined && isSame(taken)) {
    await unlink(aside).catch(() => undefined);
    return true;
  }
  await putBack(aside, path);
  return false;
}

async function putBack(aside: string, path: string): Promise<void> {
  try {
    await link(aside, path);
  } catch (error) {
    const code = errnoCode(error);
    // Without hard links, a rename is the closest: it could replace a file created in the last
    // microseconds, which link() would have refused.
    if (code === "EPERM" || code === "ENOTSUP" || code === "EOPNOTSUPP" || code === "ENOSYS") {
      await rename(aside, path);
      return;
    }
    // EEXIST: a third process created a file in the instant `path` was empty. It keeps it; the
    // file taken by mistake is dropped. This is the one race left, and it needs the file to have
    // been replaced between the check above and the rename, and a third creator right after.
    if (code !== "EEXIST") throw error;
  }
  await unlink(aside).catch(() => undefined);
}
