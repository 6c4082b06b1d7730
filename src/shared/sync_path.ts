import process from "node:process";
import { errnoCode } from "./errno.ts";
import { closeFile, fsyncFile, openForSync } from "./file_ops.ts";

const WINDOWS = process.platform === "win32";

/**
 * fsyncs a file or folder, so that what was written or renamed in it survives a power cut.
 * Windows cannot open or fsync a folder (NTFS orders renames itself), and some file systems
 * do not support it: those failures are ignored; any other is thrown.
 */
export async function syncPath(target: string): Promise<void> {
  let fd: number | undefined;
  try {
    fd = openForSync(target);
    await fsyncFile(fd);
  } catch (error) {
    const code = errnoCode(error);
    const unsupported = code === "EINVAL" || code === "ENOTSUP" || code === "EOPNOTSUPP";
    const windows = WINDOWS && (code === "EISDIR" || code === "EPERM" || code === "EACCES" || code === "EBADF");
    if (!unsupported && !windows) throw error;
  } finally {
    if (fd !== undefined) closeFile(fd);
  }
}
