import { open, rename, unlink } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { syncPath } from "../shared/sync_path.ts";

const WINDOWS = process.platform === "win32";

function errorCode(error: unknown): unknown {
  return (error as { code?: unknown } | undefined)?.code;
}

/** fsync a folder so a rename or unlink in it survives a power cut. */
export const syncDirectory = syncPath;

/** A name in the same folder that list() and the lock never mistake for a token file. */
export function tempPathFor(path: string): string {
  const random = Math.random().toString(36).slice(2, 10);
  return join(dirname(path), `.${basename(path)}.${process.pid}.${random}.tmp`);
}

/** Writes a complete file (mode 0600, exclusive) at `path`, fsynced unless `durable` is false. */
export async function writeNewFile(path: string, data: string | Uint8Array, durable = true): Promise<void> {
  const handle = await open(path, "wx", 0o600);
  try {
    await handle.writeFile(data);
    if (durable) await handle.sync();
  } finally {
    await handle.close();
  }
}

/** rename, retried briefly on Windows where a reader or a virus scanner may hold the target open. */
async function renameOver(from: string, to: string): Promise<void> {
  for (let attempt = 0;; attempt++) {
    try {
      await rename(from, to);
      return;
    } catch (error) {
      const code = errorCode(error);
      if (!WINDOWS || attempt >= 20 || (code !== "EPERM" && code !== "EACCES" && code !== "EBUSY")) throw error;
      await new Promise((resolve) => setTimeout(resolve, 25 * (attempt + 1)));
    }
  }
}

/**
 * Replaces `path` atomically: a reader sees the old or the new content, never
 * a mix, and after return the new content survives a crash. Temp file (mode
 * 0600) in the same folder, fsync, rename over the target, fsync the folder.
 */
export async function atomicWriteFile(path: string, data: string | Uint8Array): Promise<void> {
  const temp = tempPathFor(path);
  try {
    await writeNewFile(temp, data);
    await renameOver(temp, path);
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw error;
  }
  await syncDirectory(dirname(path));
}
