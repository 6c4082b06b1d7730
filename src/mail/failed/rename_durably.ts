import { rename } from "node:fs/promises";

/** rename, retried briefly on Windows, where a virus scanner may hold a fresh file open. */
export async function renameDurably(from: string, to: string): Promise<void> {
  for (let attempt = 0;; attempt++) {
    try {
      await rename(from, to);
      return;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (
        process.platform !== "win32" || attempt >= 20 || (code !== "EPERM" && code !== "EACCES" && code !== "EBUSY")
      ) throw error;
      await new Promise((resolve) => setTimeout(resolve, 25 * (attempt + 1)));
    }
  }
}
