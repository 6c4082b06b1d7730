import { readdir, rename, rm, writeFile } from "node:fs/promises";
import * as path from "node:path";
import { DEFAULT_MODE, mkdirPrivate } from "../shared/private_path.ts";
import { syncPath } from "../shared/sync_path.ts";
import type { Job } from "../spool/index.ts";
import type { DeliveryRecord } from "./delivery_record.ts";

/** Suffix of a job folder moved to `Failed` because a document could not be printed. */
export const FAILED_JOB_SUFFIX = ".job";

/**
 * Moves a job with a refused document to the `Failed` folder: `<stem>.job/` (the job folder with
 * its documents, job.json and delivery.json) and `<stem>.json` beside it (reason, the sentence, the
 * printer's own message, who sent it), the stem sorting by time as for refused messages.
 */
export async function moveToFailed(
  jobDir: string,
  job: Job,
  record: DeliveryRecord,
  failedDir: string,
  now: () => number,
): Promise<string> {
  const failedAt = new Date(now()).toISOString();
  const stem = `${failedAt.replace(/:/g, "-")}_${job.id}`;
  await mkdirPrivate(failedDir, { mode: DEFAULT_MODE });
  const failures = record.documents.filter((document) => document.state === "failed");
  const first = failures[0];
  const summary = {
    reason: first?.reason ?? "refused",
    message: failures.map((document) => `${document.fileName}: ${document.message ?? "refused"}`).join("; "),
    printerMessage: first?.printerMessage ?? "",
    printer: record.printer,
    source: job.source,
    sender: job.owner,
    subject: job.subject,
    messageId: job.messageId,
    receivedAt: job.receivedAt,
    failedAt,
    jobId: job.id,
    documents: record.documents,
  };
  await rename(jobDir, path.join(failedDir, `${stem}${FAILED_JOB_SUFFIX}`));
  await writeFile(path.join(failedDir, `${stem}.json`), `${JSON.stringify(summary, null, 2)}\n`);
  await syncPath(failedDir);
  await syncPath(path.dirname(jobDir));
  return stem;
}

/** Removes job folders in `Failed` older than `maxAgeSeconds` (0 keeps them); their `.json` goes with the files' purge. */
export async function purgeFailedJobs(failedDir: string, maxAgeSeconds: number, now: () => number): Promise<number> {
  if (!(maxAgeSeconds > 0)) return 0;
  let removed = 0;
  const entries = await readdir(failedDir, { withFileTypes: true }).catch(() => []);
  for (const entry of entries) {
    if (!entry.isDirectory() || !entry.name.endsWith(FAILED_JOB_SUFFIX)) continue;
    // the time is in the name: a rename keeps the folder's own (older) modification time
    const stamp = /^(\d{4}-\d{2}-\d{2}T\d{2})-(\d{2})-(\d{2}(\.\d+)?Z)_/.exec(entry.name);
    const failedAt = stamp === null ? Number.NaN : Date.parse(`${stamp[1]}:${stamp[2]}:${stamp[3]}`);
    if (!(failedAt < now() - maxAgeSeconds * 1000)) continue;
    await rm(path.join(failedDir, entry.name), { recursive: true, force: true });
    removed += 1;
  }
  return removed;
}
