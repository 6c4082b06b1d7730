import { readdir, stat, unlink } from "node:fs/promises";
import * as path from "node:path";
import { FailedFolderError } from "./failed_folder_error.ts";

/**
 * Removes the files in the `Failed` folder last modified more than `maxAgeSeconds` ago
 * (including temp files a crash left behind) and returns how many it removed. A missing folder
 * holds nothing to purge. `maxAgeSeconds` 0 keeps everything, as "no maximum age".
 */
export async function purgeFailed(failedDir: string, maxAgeSeconds: number, now: () => number): Promise<number> {
  if (!(maxAgeSeconds > 0)) return 0;
  const cutoff = now() - maxAgeSeconds * 1000;
  let entries;
  try {
    entries = await readdir(failedDir, { withFileTypes: true });
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code === "ENOENT") return 0;
    throw new FailedFolderError(`Cannot list the Failed folder '${failedDir}': ${(cause as Error).message}`, { cause });
  }
  let removed = 0;
  for (const entry of entries) {
    if (!entry.isFile()) continue;
    const file = path.join(failedDir, entry.name);
    try {
      if ((await stat(file)).mtimeMs >= cutoff) continue;
      await unlink(file);
      removed++;
    } catch (cause) {
      // gone already: another process purged it
      if ((cause as NodeJS.ErrnoException).code === "ENOENT") continue;
      throw new FailedFolderError(`Cannot remove '${file}' from the Failed folder: ${(cause as Error).message}`, {
        cause,
      });
    }
  }
  return removed;
}
