import { readdir, readFile, rm, stat } from "node:fs/promises";
import * as path from "node:path";
import type { Config } from "../config/index.ts";
import type { ComponentLogger, Logger } from "../log/index.ts";
import { problemOf } from "../shared/errors.ts";
import { ProxyError } from "../shared/proxy.ts";
import type { Proxies } from "../shared/proxy.ts";
import type { Job } from "../spool/index.ts";
import { deliverJob } from "./deliver_job.ts";
import { readDeliveryRecord } from "./delivery_record.ts";
import type { DeliveryRecord } from "./delivery_record.ts";
import { markPrinted } from "./mark_printed.ts";
import { moveToFailed, purgeFailedJobs } from "./move_to_failed.ts";
import type { DocumentConverter } from "./prepare_document.ts";
import { PrinterChannel } from "./printer_channel.ts";
import { PrinterRefusedError } from "./printer_refused_error.ts";
import { createPrinterState } from "./printer_state.ts";
import type { PrinterState } from "./printer_state.ts";
import { PrinterUnreachableError } from "./printer_unreachable_error.ts";

export interface PrintServiceOptions {
  readonly config: Config;
  readonly log: Logger;
  readonly now: () => number;
  readonly shutdown: AbortSignal;
  readonly converter: DocumentConverter;
  /** Printers are reached through the https proxy unless noProxy exempts them; default direct. */
  readonly proxies?: Proxies | undefined;
  /** Called once every document of a job has an outcome (a reply to its sender tells it). */
  readonly onJobFinished?: ((jobId: string, record: DeliveryRecord) => void) | undefined;
}

export interface PrintService {
  readonly states: readonly PrinterState[];
  /** A source published a job: deliver soon. */
  nudge(): void;
  /**
   * One attempt at every printer, backoff or not (`mps run --once`); returns how many documents
   * it could not deliver (refused, or still waiting for a printer that did not take them).
   */
  deliverPending(): Promise<number>;
  /** Delivers until shutdown. */
  run(): Promise<void>;
}

interface SpoolJob {
  readonly dir: string;
  readonly job: Job;
  readonly publishedAt: number;
  readonly record: DeliveryRecord | undefined;
}

interface Lane {
  readonly channel: PrinterChannel;
  readonly state: PrinterState;
  readonly log: ComponentLogger;
  /** Kept job folders with documents the printer accepted and has not reported completed. */
  readonly watched: Set<string>;
  /** When to ask next: soon after a document was accepted, then every WATCH_EVERY_MS. */
  nextWatchAt: number;
}

const HEARTBEAT_MS = 30_000;
const BACKOFF_FIRST_MS = 5_000;
const BACKOFF_MAX_MS = 5 * 60_000;
/** How often the printer is asked which of the accepted jobs it has completed. */
const WATCH_EVERY_MS = 60_000;
/** The first time, a few seconds after a job was accepted: a printer that prints at once has done so by then. */
const WATCH_FIRST_MS = 5_000;

/**
 * Delivers the published jobs of every source that names a printer. The spool is the queue: each
 * pass reads the job folders, so jobs left by a crash are taken up again and nothing is held in
 * memory between passes. One pass at a time; printers are served side by side, each one's jobs
 * in the order they were published.
 */
export function createPrintService(options: PrintServiceOptions): PrintService {
  const { config, log, now, shutdown } = options;
  const sourcePrinter = new Map<string, string>();
  for (const source of [...config.folderSources, ...config.emailSources]) {
    if (source.printer !== undefined) sourcePrinter.set(source.name, source.printer.toLowerCase());
  }
  const lanes = new Map<string, Lane>();
  for (const printer of config.printers) {
    lanes.set(printer.name.toLowerCase(), {
      channel: new PrinterChannel(printer, now, options.proxies),
      state: createPrinterState(printer.name, printer.uri),
      log: log.child(`print/${printer.name}`),
      watched: new Set(),
      nextWatchAt: Number.POSITIVE_INFINITY,
    });
  }
  let wake: (() => void) | undefined;
  let nudged = false;
  let passing: Promise<number> = Promise.resolve(0);

  // Job folders that need no reading on the next pass: those of sources without a printer, and
  // delivered ones waiting for keepPrinted (with the time they go), so a pass reads only open jobs.
  const notMine = new Set<string>();
  const delivered = new Map<string, number>();

  const scan = async (): Promise<Map<string, SpoolJob[]>> => {
    const byPrinter = new Map<string, SpoolJob[]>();
    const entries = await readdir(config.spool.folder, { withFileTypes: true }).catch(() => []);
    const present = new Set(entries.map((entry) => entry.name));
    for (const name of notMine) if (!present.has(name)) notMine.delete(name);
    for (const name of delivered.keys()) if (!present.has(name)) delivered.delete(name);
    for (const entry of entries) {
      if (!entry.isDirectory() || entry.name.startsWith(".") || notMine.has(entry.name)) continue;
      const dir = path.join(config.spool.folder, entry.name);
      const due = delivered.get(entry.name);
      if (due !== undefined) {
        if (now() >= due) {
          await rm(dir, { recursive: true, force: true }).catch(() => undefined);
          delivered.delete(entry.name);
        }
        continue;
      }
      let job: Job;
      let publishedAt: number;
      try {
        const file = path.join(dir, "job.json");
        job = JSON.parse(await readFile(file, "utf8")) as Job;
        publishedAt = (await stat(file)).mtimeMs;
      } catch {
        continue; // not a job, or taken away meanwhile
      }
      const printer = sourcePrinter.get(job.source);
      if (printer === undefined || !Array.isArray(job.documents)) {
        notMine.add(entry.name);
        continue;
      }
      let record: DeliveryRecord | undefined;
      try {
        record = await readDeliveryRecord(dir);
      } catch (error) {
        log.error("print", `Cannot read the delivery record of job '${job.id}': ${(error as Error).message}`, {
          job: job.id,
        });
        continue;
      }
      const list = byPrinter.get(printer) ?? [];
      list.push({ dir, job, publishedAt, record });
      byPrinter.set(printer, list);
    }
    return byPrinter;
  };

  const finish = async (lane: Lane, spoolJob: SpoolJob, record: DeliveryRecord): Promise<number> => {
    options.onJobFinished?.(spoolJob.job.id, record);
    const failed = record.documents.filter((document) => document.state === "failed").length;
    if (failed > 0) {
      const stem = await moveToFailed(spoolJob.dir, spoolJob.job, record, config.failedFiles.folder, now);
      lane.log.warn("job moved to Failed: a document could not be printed", { job: spoolJob.job.id, file: stem });
      return failed;
    }
    await removeWhenKept(lane, spoolJob.dir, record);
    return 0;
  };

  const removeWhenKept = async (lane: Lane, dir: string, record: DeliveryRecord) => {
    const due = Date.parse(record.finishedAt ?? "") + lane.channel.printer.keepPrintedSeconds * 1000;
    if (now() >= due) {
      await rm(dir, { recursive: true, force: true });
      return;
    }
    delivered.set(path.basename(dir), due);
    if (record.documents.some((document) => document.state === "sent") && !lane.watched.has(dir)) {
      lane.watched.add(dir);
      lane.nextWatchAt = Math.min(lane.nextWatchAt, now() + WATCH_FIRST_MS);
    }
  };

  // Between deliveries, now and then: which accepted documents has the printer completed?
  const watch = async (lane: Lane) => {
    if (lane.watched.size === 0 || now() < lane.nextWatchAt) return;
    try {
      for (const dir of await markPrinted(lane.channel, [...lane.watched], now)) lane.watched.delete(dir);
    } catch (error) {
      lane.log.debug("cannot ask the printer which jobs it completed", { error: (error as Error).message });
    }
    lane.nextWatchAt = lane.watched.size === 0 ? Number.POSITIVE_INFINITY : now() + WATCH_EVERY_MS;
  };

  const passLane = async (lane: Lane, jobs: SpoolJob[], force: boolean): Promise<number> => {
    const { state } = lane;
    let undelivered = 0;
    const waiting: SpoolJob[] = [];
    // in the order the mail arrived: by receive time, then by id (a mailbox's UIDs, numerically)
    jobs.sort((a, b) =>
      String(a.job.receivedAt).localeCompare(String(b.job.receivedAt)) ||
      a.job.id.localeCompare(b.job.id, "en", { numeric: true })
    );
    let blocked = !force && state.retryAt !== undefined && now() < state.retryAt;
    for (const spoolJob of jobs) {
      const { record } = spoolJob;
      if (record?.finishedAt !== undefined) {
        await removeWhenKept(lane, spoolJob.dir, record).catch(() => undefined);
        continue;
      }
      if (blocked || shutdown.aborted) {
        waiting.push(spoolJob);
        continue;
      }
      state.lastAttemptAt = now();
      try {
        const done = await deliverJob(spoolJob.dir, spoolJob.job, {
          channel: lane.channel,
          state,
          converter: options.converter,
          log: lane.log,
          now,
          shutdown,
        });
        undelivered += await finish(lane, spoolJob, done);
        state.lastError = undefined;
        state.consecutiveFailures = 0;
        state.retryAt = undefined;
      } catch (error) {
        // A proxy that is down or refuses is fixed outside mps, as a printer that is off: the job waits.
        const temporary = error instanceof PrinterUnreachableError || error instanceof ProxyError ||
          (error instanceof PrinterRefusedError && error.temporary);
        state.lastError = problemOf(error);
        if (temporary) {
          state.consecutiveFailures += 1;
          const backoff = Math.min(BACKOFF_MAX_MS, BACKOFF_FIRST_MS * 2 ** Math.min(state.consecutiveFailures - 1, 10));
          state.retryAt = now() + backoff;
          state.documents.set("retry", (state.documents.get("retry") ?? 0) + 1);
          lane.log.warn(`printer cannot take jobs now; trying again in ${Math.round(backoff / 1000)} s`, {
            job: spoolJob.job.id,
            error: state.lastError.message,
            ...(state.lastError.fix ? { fix: state.lastError.fix } : {}),
          });
          blocked = true;
        } else {
          lane.log.error(`Cannot deliver job '${spoolJob.job.id}': ${state.lastError.message}`, {
            code: state.lastError.code,
          });
        }
        waiting.push(spoolJob);
      }
    }
    if (!force && !blocked) await watch(lane);
    state.pendingDocuments = 0;
    state.oldestPendingSince = undefined;
    for (const spoolJob of waiting) {
      const open = await readDeliveryRecord(spoolJob.dir).catch(() => spoolJob.record);
      const count = open === undefined
        ? spoolJob.job.documents.length
        : open.documents.filter((document) => !["sent", "printed", "failed"].includes(document.state)).length;
      state.pendingDocuments += count;
      state.oldestPendingSince = Math.min(state.oldestPendingSince ?? Infinity, spoolJob.publishedAt);
    }
    return undelivered + state.pendingDocuments;
  };

  const pass = async (force: boolean): Promise<number> => {
    const byPrinter = await scan();
    const counts = await Promise.all(
      [...lanes].map(([key, lane]) => passLane(lane, byPrinter.get(key) ?? [], force)),
    );
    await purgeFailedJobs(config.failedFiles.folder, config.failedFiles.maxAgeSeconds, now).catch(() => 0);
    return counts.reduce((sum, count) => sum + count, 0);
  };

  // Passes never overlap: each waits for the one before.
  const serial = (force: boolean): Promise<number> => {
    passing = passing.catch(() => 0).then(() => pass(force));
    return passing;
  };

  const nextWakeIn = (): number => {
    let wait = HEARTBEAT_MS;
    for (const lane of lanes.values()) {
      if (lane.state.retryAt !== undefined) wait = Math.min(wait, lane.state.retryAt - now());
      wait = Math.min(wait, lane.nextWatchAt - now());
    }
    return Math.max(100, wait);
  };

  return {
    states: [...lanes.values()].map((lane) => lane.state),
    nudge() {
      nudged = true;
      wake?.();
    },
    deliverPending: () => serial(true),
    async run() {
      while (!shutdown.aborted) {
        nudged = false;
        try {
          await serial(false);
        } catch (error) {
          log.error("print", `Delivery pass failed: ${(error as Error).message}`);
        }
        if (nudged || shutdown.aborted) continue;
        await new Promise<void>((resolve) => {
          const done = () => {
            clearTimeout(timer);
            shutdown.removeEventListener("abort", done);
            wake = undefined;
            resolve();
          };
          const timer = setTimeout(done, nextWakeIn());
          shutdown.addEventListener("abort", done, { once: true });
          wake = done;
        });
      }
    },
  };
}
