import { readdir } from "node:fs/promises";
import * as path from "node:path";
import { FailedFolderError } from "./failed_folder_error.ts";
import { writeFileAtomic } from "../../shared/durable_file.ts";
import { DEFAULT_MODE, mkdirPrivate } from "../../shared/private_path.ts";
import type { FailedReason } from "../message_rejected_error.ts";
import type { RawTee } from "./raw_tee.ts";

/** What `<stem>.json` in the `Failed` folder says about a message that did not become a job. */
export interface FailedRecord {
  readonly reason: FailedReason;
  /** A sentence for the admin. */
  readonly message: string;
  /** The source's name. */
  readonly source: string;
  /** The sender's address, lower-cased; null when the message has none. */
  readonly sender: string | null;
  readonly subject: string | null;
  readonly messageId: string | null;
  /** The `Date` header as written. */
  readonly date: string | null;
  readonly receivedAt: string;
  readonly failedAt: string;
  readonly jobId: string;
  /** Bytes of the raw message. */
  readonly size: number;
}

/**
 * Saves a message that cannot become a job as `<stem>.eml` (the raw bytes) and `<stem>.json`
 * (the record), both atomically and the .json last, so a `.json` always has its `.eml`.
 * The stem `<failedAt, file-name safe ISO time>_<jobId>` sorts by time. A message that is
 * already in the folder (same job id: saved, then mps stopped before it left the mailbox)
 * is not saved twice: its existing stem is returned.
 */
export async function saveFailedMessage(failedDir: string, raw: RawTee, record: FailedRecord): Promise<string> {
  try {
    await mkdirPrivate(failedDir, { mode: DEFAULT_MODE });
    const existing = await existingStem(failedDir, record.jobId);
    if (existing !== undefined) {
      await raw.discard();
      return existing;
    }
    const stem = `${record.failedAt.replace(/:/g, "-")}_${record.jobId}`;
    await raw.saveAs(path.join(failedDir, `${stem}.eml`));
    const json = path.join(failedDir, `${stem}.json`);
    // 0o666 less the umask, as for the .eml beside it: admins read Failed with their own accounts
    await writeFileAtomic(json, `${JSON.stringify(record, null, 2)}\n`, { mode: 0o666 });
    return stem;
  } catch (cause) {
    await raw.discard();
    if (cause instanceof FailedFolderError) throw cause;
    throw new FailedFolderError(
      `Cannot save message ${record.jobId} in the Failed folder '${failedDir}': ${(cause as Error).message}`,
      { cause },
    );
  }
}

async function existingStem(failedDir: string, jobId: string): Promise<string | undefined> {
  // `<time>_<jobId>.json`: the time holds no `_`, so the job id is everything after the first one
  const name = (await readdir(failedDir)).find((entry) =>
    entry.endsWith(".json") && !entry.startsWith(".") && entry.slice(entry.indexOf("_") + 1, -".json".length) === jobId
  );
  return name?.slice(0, -".json".length);
}
