import { open, rename, unlink } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import process from "node:process";
import { errnoCode } from "./errno.ts";
import { syncPath } from "./sync_path.ts";

// Files that must survive a crash whole or not at all: written to a temp name, fsynced, renamed into
// place, and the folder fsynced so the rename survives too.

const WINDOWS = process.platform === "win32";

export interface WriteFileOptions {
  /** Permission bits of a new file; default 0o600 (only the account mps runs as). */
  readonly mode?: number;
  /** False skips the fsyncs (a lock file need not survive a crash); default true. */
  readonly durable?: boolean;
}

/** A name in the same folder that listings and locks never mistake for the file itself. */
export function tempPathFor(path: string): string {
  const random = Math.random().toString(36).slice(2, 10);
  return join(dirname(path), `.${basename(path)}.${process.pid}.${random}.tmp`);
}

/** Creates `path` (exclusive: fails with EEXIST when it exists) with `data`, fsynced unless `durable` is false. */
export async function writeNewFile(
  path: string,
  data: string | Uint8Array,
  options: WriteFileOptions = {},
): Promise<void> {
  const handle = await open(path, "wx", options.mode ?? 0o600);
  try {
    await handle.writeFile(data);
    if (options.durable !== false) await handle.sync();
  } finally {
    await handle.close();
  }
}

/** rename, retried briefly on Windows, where a reader or a virus scanner may hold the file open. */
export async function renameRetrying(from: string, to: string): Promise<void> {
  for (let attempt = 0;; attempt++) {
    try {
      await rename(from, to);
      return;
    } catch (error) {
      const code = errnoCode(error);
      if (!WINDOWS || attempt >= 20 || (code !== "EPERM" && code !== "EACCES" && code !== "EBUSY")) throw error;
      await new Promise((resolve) => setTimeout(resolve, 25 * (attempt + 1)));
    }
  }
}

/**
 * Replaces `path` atomically: a reader sees the old or the new content, never a mix, and (durable) after
 * return the new content survives a crash. Temp file in the same folder, fsync, rename over the target,
 * fsync the folder.
 */
export async function writeFileAtomic(
  path: string,
  data: string | Uint8Array,
  options: WriteFileOptions = {},
): Promise<void> {
  const temp = tempPathFor(path);
  try {
    await writeNewFile(temp, data, options);
    await renameRetrying(temp, path);
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw error;
  }
  if (options.durable !== false) await syncPath(dirname(path));
}
