import { stat } from "node:fs/promises";
import * as path from "node:path";
import type { Printer } from "../config/index.ts";
import type { ComponentLogger } from "../log/index.ts";
import type { Job } from "../spool/index.ts";
import { readDeliveryRecord, writeDeliveryRecord } from "./delivery_record.ts";
import type { DeliveryRecord, DocumentDelivery } from "./delivery_record.ts";
import { jobName, jobTag, requestingUser } from "./job_name.ts";
import { prepareDocument } from "./prepare_document.ts";
import type { DocumentConverter } from "./prepare_document.ts";
import type { PrinterChannel } from "./printer_channel.ts";
import { PrinterRefusedError } from "./printer_refused_error.ts";
import { countDocument } from "./printer_state.ts";
import type { PrinterState } from "./printer_state.ts";
import { errnoCode } from "../shared/errno.ts";

export interface DeliverJobOptions {
  readonly channel: PrinterChannel;
  readonly state: PrinterState;
  readonly converter: DocumentConverter;
  readonly log: ComponentLogger;
  readonly now: () => number;
  /** Waits between attempts at a busy printer. */
  readonly sleep?: (ms: number) => Promise<void>;
  /** Ends the wait for a busy printer (the job stays for the next start). */
  readonly shutdown?: AbortSignal;
}

const BUSY = 0x0507;
/** How long a busy printer (one that prints a job at a time) is waited for before backing off. */
const BUSY_WAIT_MS = 60_000;

/**
 * Delivers the documents of one job that have no outcome yet, one IPP job each, and returns the
 * record once every document has one. Throws (PrinterUnreachableError, or a PrinterRefusedError
 * that is temporary) when the printer cannot take the job now: what was done is recorded, and the
 * next attempt goes on from there.
 *
 * Exactly once: a document's state is written durably as `sending` before Print-Job and as
 * `sent` with the printer's job id after it. A document found in `sending` was perhaps received
 * by the printer (a crash, a lost answer): the printer's jobs are searched for its tag before it
 * is sent again.
 */
export async function deliverJob(jobDir: string, job: Job, options: DeliverJobOptions): Promise<DeliveryRecord> {
  const { channel, log, now } = options;
  const printer: Printer = channel.printer;
  let record: DeliveryRecord = await readDeliveryRecord(jobDir) ?? {
    printer: printer.name,
    documents: job.documents.map((document, index) => ({
      n: index + 1,
      fileName: document.fileName,
      state: "pending" as const,
      updatedAt: new Date(now()).toISOString(),
    })),
  };
  const user = requestingUser(job.owner, printer.owner);

  const update = async (n: number, change: Omit<DocumentDelivery, "n" | "fileName" | "updatedAt">) => {
    record = {
      ...record,
      documents: record.documents.map((document) =>
        document.n === n
          ? { n, fileName: document.fileName, ...change, updatedAt: new Date(now()).toISOString() }
          : document
      ),
    };
    await writeDeliveryRecord(jobDir, record);
  };

  for (const entry of record.documents) {
    if (entry.state === "sent" || entry.state === "printed" || entry.state === "failed") continue;
    const document = job.documents[entry.n - 1];
    const tag = jobTag(job.id, entry.n);
    const fields = { job: job.id, document: entry.fileName, printer: printer.name };
    if (entry.state === "sending") {
      const found = await findOnPrinter(channel, user, tag, log);
      if (found !== undefined) {
        log.info("document was already on the printer (found by its tag after a restart)", {
          ...fields,
          ippJob: found,
        });
        await update(entry.n, { state: "sent", format: entry.format ?? "", ippJobId: found });
        countDocument(options.state, "sent");
        continue;
      }
    }
    if (document === undefined) {
      await update(entry.n, {
        state: "failed",
        reason: "missing-document",
        message: `job.json lists no document ${entry.n}`,
      });
      continue;
    }
    const file = path.join(jobDir, document.fileName);
    if (!(await exists(file))) {
      await update(entry.n, {
        state: "failed",
        reason: "missing-document",
        message: `The document file '${file}' is gone from the spool`,
      });
      countDocument(options.state, "failed");
      log.warn("document cannot be printed: its file is gone from the spool", fields);
      continue;
    }
    const capabilities = await channel.capabilities();
    const prepared = await prepareDocument(
      {
        file,
        contentType: document.contentType,
        fileName: document.fileName,
        n: entry.n,
      },
      capabilities,
      options.converter,
    );
    if (prepared.kind === "refuse") {
      log.warn("document cannot be printed", { ...fields, reason: prepared.reason, detail: prepared.message });
      await update(entry.n, { state: "failed", reason: prepared.reason, message: prepared.message });
      countDocument(options.state, "failed");
      continue;
    }
    await update(entry.n, { state: "sending", format: prepared.format });
    const client = await channel.client();
    try {
      const { jobId } = await whileBusy(
        () =>
          client.printJob({
            userName: user,
            jobName: jobName(job.subject, document.fileName, tag),
            format: prepared.format,
            file: prepared.file,
            size: prepared.size,
          }),
        options.sleep ?? sleep,
        options.shutdown,
      );
      await update(entry.n, { state: "sent", format: prepared.format, ippJobId: jobId });
      countDocument(options.state, "sent");
      log.info("document sent to the printer", { ...fields, ippJob: jobId, format: prepared.format, user });
    } catch (error) {
      if (error instanceof PrinterRefusedError) {
        // A refusal is an answer: the printer made no job, so nothing is left to look up.
        channel.forget();
        if (error.temporary) {
          await update(entry.n, { state: "pending", format: prepared.format });
          throw error;
        }
        await update(entry.n, {
          state: "failed",
          format: prepared.format,
          reason: "refused",
          message: error.message,
          printerMessage: error.printerMessage,
        });
        countDocument(options.state, "failed");
        log.warn("printer refused the document", { ...fields, status: error.message });
        continue;
      }
      // No answer: the printer may have the job; `sending` stays, so the next attempt looks first.
      throw error;
    }
  }
  record = { ...record, finishedAt: new Date(now()).toISOString() };
  await writeDeliveryRecord(jobDir, record);
  return record;
}

async function findOnPrinter(
  channel: PrinterChannel,
  user: string,
  tag: string,
  log: ComponentLogger,
): Promise<number | undefined> {
  const client = await channel.client();
  try {
    const jobs = await client.getJobs(user);
    // the tag ends the name mps gave; a subject that quotes another job's tag cannot end with it
    return jobs.find((job) => job.name.endsWith(tag))?.id;
  } catch (error) {
    if (error instanceof PrinterRefusedError && !error.temporary) {
      // A printer that cannot list its jobs cannot tell; sending again is the only way to print.
      log.warn("printer cannot list its jobs, so a document whose delivery was interrupted is sent again", {
        tag,
        status: error.message,
      });
      return undefined;
    }
    throw error;
  }
}

/**
 * Repeats a request the printer answered with server-error-busy: many printers take one job at a
 * time and say so while they print, which is not worth the backoff of a printer that is down.
 */
async function whileBusy<T>(
  attempt: () => Promise<T>,
  wait: (ms: number) => Promise<void>,
  shutdown: AbortSignal | undefined,
): Promise<T> {
  let waited = 0;
  for (let round = 1;; round++) {
    try {
      return await attempt();
    } catch (error) {
      if (!(error instanceof PrinterRefusedError) || error.status !== BUSY || waited >= BUSY_WAIT_MS) throw error;
      if (shutdown?.aborted === true) throw error;
      const pause = Math.min(2000, 100 * round);
      await wait(pause);
      waited += pause;
    }
  }
}

async function exists(file: string): Promise<boolean> {
  try {
    await stat(file);
    return true;
  } catch (error) {
    if (errnoCode(error) === "ENOENT") return false;
    throw error;
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
