import { link, unlink } from "node:fs/promises";
import { dirname } from "node:path";
import { errnoCode } from "../shared/errno.ts";
import { tempPathFor, writeNewFile } from "../shared/durable_file.ts";
import { syncPath } from "../shared/sync_path.ts";

/**
 * Creates `path` with `content` only if it does not exist yet, and never lets
 * another process see it half written: the content goes to a temp file first,
 * which is then hard-linked to `path` (link fails with EEXIST when `path`
 * exists). On a file system without hard links it falls back to an
 * exclusive create. Throws the EEXIST error when `path` already exists.
 * `durable: false` skips the fsyncs (for lock files, which need not survive a crash).
 */
export async function createExclusiveFile(path: string, content: string, durable = true): Promise<void> {
  const temp = tempPathFor(path);
  await writeNewFile(temp, content, { durable });
  let linked = false;
  try {
    await link(temp, path);
    linked = true;
  } catch (error) {
    const code = errnoCode(error);
    if (code === "EEXIST") throw error;
    if (code !== "EPERM" && code !== "ENOTSUP" && code !== "EOPNOTSUPP" && code !== "ENOSYS" && code !== "EXDEV") {
      throw error;
    }
  } finally {
    await unlink(temp).catch(() => undefined);
  }
  if (!linked) await writeNewFile(path, content, { durable });
  if (durable) await syncPath(dirname(path));
}
