import { open } from "node:fs/promises";

/** fsync a file or folder; folders that cannot be opened or synced (Windows, some file systems) are skipped. */
export async function syncPath(target: string): Promise<void> {
  let handle;
  try {
    handle = await open(target, "r");
    await handle.sync();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== "EPERM" && code !== "EISDIR" && code !== "EACCES" && code !== "EINVAL" && code !== "ENOTSUP" && code !== "EBADF") {
      throw error;
    }
  } finally {
    await handle?.close();
  }
}
