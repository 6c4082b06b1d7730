import { readDeliveryRecord, writeDeliveryRecord } from "./delivery_record.ts";
import type { PrinterChannel } from "./printer_channel.ts";

/** `job-state` completed. */
const COMPLETED = 9;

/**
 * Asks the printer which jobs it has completed (one Get-Jobs) and marks the documents of the
 * watched job folders whose IPP job is among them `printed`. Returns the folders that need no more
 * watching: every document has its final state, or the folder is gone. A printer that cannot
 * answer leaves everything as it was, to be asked again later. The state is for the admin only:
 * delivery never depends on it (a printer that restarted and numbers its jobs from 1 again can
 * make a document look printed early).
 */
export async function markPrinted(
  channel: PrinterChannel,
  dirs: readonly string[],
  now: () => number,
): Promise<string[]> {
  const jobs = await (await channel.client()).getJobs("mps");
  const completed = new Set(jobs.filter((job) => job.state === COMPLETED).map((job) => job.id));
  const done: string[] = [];
  for (const dir of dirs) {
    const record = await readDeliveryRecord(dir).catch(() => undefined);
    if (record === undefined) {
      done.push(dir);
      continue;
    }
    let changed = false;
    const documents = record.documents.map((document) => {
      if (document.state !== "sent" || document.ippJobId === undefined || !completed.has(document.ippJobId)) {
        return document;
      }
      changed = true;
      return { ...document, state: "printed" as const, updatedAt: new Date(now()).toISOString() };
    });
    if (changed) await writeDeliveryRecord(dir, { ...record, documents });
    if (!documents.some((document) => document.state === "sent")) done.push(dir);
  }
  return done;
}
