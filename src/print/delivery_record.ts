import { readFile } from "node:fs/promises";
import { writeFileAtomic } from "../shared/durable_file.ts";
import * as path from "node:path";
import { errnoCode } from "../shared/errno.ts";

/**
 * Where one document stands. `sending`: written just before Print-Job, so after a crash or a lost
 * answer its outcome is unknown and the printer is asked (Get-Jobs, by the tag in the job name)
 * before it is sent again.
 */
export type DocumentState = "pending" | "sending" | "sent" | "printed" | "failed";

export interface DocumentDelivery {
  /** 1-based position in job.json's documents: the `<n>` of the tag. */
  readonly n: number;
  readonly fileName: string;
  readonly state: DocumentState;
  /** The format sent (after conversion). */
  readonly format?: string;
  readonly ippJobId?: number;
  /** Reason code of a failed document (`cannot-convert`, `refused`, ...). */
  readonly reason?: string;
  /** The sentence and the printer's own status message of a failure. */
  readonly message?: string;
  readonly printerMessage?: string;
  readonly updatedAt: string;
}

export interface DeliveryRecord {
  readonly printer: string;
  readonly documents: readonly DocumentDelivery[];
  /** When every document had an outcome; the job folder leaves the spool `keepPrinted` seconds later. */
  readonly finishedAt?: string;
}

export const DELIVERY_FILE = "delivery.json";

/** Reads `delivery.json` of a job folder; undefined when there is none yet. */
export async function readDeliveryRecord(jobDir: string): Promise<DeliveryRecord | undefined> {
  let text: string;
  try {
    text = await readFile(path.join(jobDir, DELIVERY_FILE), "utf8");
  } catch (error) {
    if (errnoCode(error) === "ENOENT") return undefined;
    throw error;
  }
  const parsed = JSON.parse(text) as Partial<DeliveryRecord>;
  if (typeof parsed.printer !== "string" || !Array.isArray(parsed.documents)) {
    throw new Error(`'${path.join(jobDir, DELIVERY_FILE)}' is not a delivery record`);
  }
  return parsed as DeliveryRecord;
}

/**
 * Replaces `delivery.json` so that it survives a power cut before this returns: temp file,
 * fsync, rename, fsync of the folder. A reader sees the old record or the new one.
 */
export async function writeDeliveryRecord(jobDir: string, record: DeliveryRecord): Promise<void> {
  const target = path.join(jobDir, DELIVERY_FILE);
  await writeFileAtomic(target, `${JSON.stringify(record, null, 2)}\n`, { mode: 0o666 });
}
