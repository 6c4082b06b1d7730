import { Readable } from "node:stream";
import type { ImapFlow } from "imapflow";
import type { EmailSource } from "../config/index.ts";
import { mailboxRightsError, toImapError } from "../imap/imap_error.ts";
import type { ImapTarget } from "../imap/imap_error.ts";
import type { ImapSession } from "../imap/imap_session.ts";
import type { ComponentLogger } from "../log/index.ts";
import { messageToJob, purgeFailed } from "../mail/index.ts";
import { DOCTOR_TEST_HEADER } from "../shared/doctor_test_header.ts";
import { MpsError } from "../shared/errors.ts";
import { jobIdPrefix, PublishQueue, syncSpool } from "../spool/index.ts";
import type { PublishTicket } from "../spool/index.ts";

export interface EmailCycleOptions {
  readonly session: ImapSession;
  readonly spoolDir: string;
  readonly failedDir: string;
  readonly failedMaxAgeSeconds: number;
  readonly now: () => number;
  readonly log: ComponentLogger;
  readonly shutdown: AbortSignal;
  readonly onJob?: () => void;
  readonly onFailed?: (reason: string) => void;
}

interface MessageMeta {
  readonly uid: number;
  readonly size: number;
  readonly receivedAt: Date;
}

// Messages up to this size come in batches through one FETCH (held in memory, one batch at a
// time); larger ones stream in chunks, so no attachment is ever held whole.
const BATCH_MESSAGE_LIMIT = 2 * 1024 * 1024;
const BATCH_BYTES = 8 * 1024 * 1024;
const BATCH_COUNT = 100;
// 512 KiB, not more: the base64 text of a larger chunk becomes an external string in Node (from
// ~1 MB on), which V8 frees late; with 1 MiB chunks the binary peaked at ~180 MiB RSS on a 200 MB
// attachment, with 512 KiB at ~134 MiB (scripts/bench-downloader.ts --only rss).
const STREAM_CHUNK = 512 * 1024;
// Messages of a batch converted side by side (see Conversions).
const CONVERSIONS = 16;
const DOCTOR_TEST_GRACE_MS = 10 * 60_000;

/**
 * One cycle of an email source: every message in the folder becomes a job (or goes to Failed),
 * and only once its job is durable is `afterDownload` applied. The job id is source +
 * UIDVALIDITY + UID, so after a crash the spool's ledger tells which messages are done.
 */
export function createEmailCycle(source: EmailSource, options: EmailCycleOptions): () => Promise<number> {
  return async () => {
    const { session } = options;
    try {
      const client = await session.open();
      const lock = await client.getMailboxLock(source.folder);
      try {
        await drain(client);
      } finally {
        lock.release();
      }
      const purged = await purgeFailed(options.failedDir, options.failedMaxAgeSeconds, options.now);
      if (purged > 0) options.log.info("purged old files from Failed", { count: purged });
      if (!source.idle) await session.close();
      return 0;
    } catch (error) {
      await session.close();
      // A bug is not an IMAP problem: let it show as what it is.
      if (error instanceof MpsError || error instanceof TypeError || error instanceof ReferenceError) throw error;
      throw toImapError(error, session.target);
    }
  };

  async function drain(client: ImapFlow): Promise<void> {
    const mailbox = client.mailbox;
    if (mailbox === false) throw new Error(`Folder '${source.folder}' is not selected`);
    const uidValidity = String(mailbox.uidValidity);
    const found = await client.search(source.afterDownload.action === "seen" ? { seen: false } : { all: true }, {
      uid: true,
    });
    if (found === undefined || found === false || found.length === 0) return;
    const metas: MessageMeta[] = [];
    const fields = { uid: true, size: true, internalDate: true, headers: [DOCTOR_TEST_HEADER] };
    for await (const message of client.fetch(found.join(","), fields, { uid: true })) {
      const date = message.internalDate;
      const received = date instanceof Date ? date.getTime() : Date.parse(String(date ?? ""));
      // mps doctor's test message exists for a few seconds and is not a print job. A marked
      // message that is still there minutes later is handled like any other, so a forged
      // header cannot park mail in the inbox.
      const marked = message.headers !== undefined && message.headers.toString("latin1").trim() !== "";
      if (marked && !(options.now() - received > DOCTOR_TEST_GRACE_MS)) continue;
      metas.push({
        uid: message.uid,
        size: message.size ?? 0,
        receivedAt: date instanceof Date ? date : new Date(date ?? options.now()),
      });
    }
    metas.sort((a, b) => a.uid - b.uid);
    options.log.debug("messages to download", { count: metas.length });

    const small = metas.filter((meta) => meta.size <= BATCH_MESSAGE_LIMIT);
    for (const batch of batches(small)) {
      if (options.shutdown.aborted) return;
      const byUid = new Map(batch.map((meta) => [meta.uid, meta]));
      const done = new Outcomes(source);
      const conversions = new Conversions();
      let failure: { error: unknown } | undefined;
      try {
        for await (
          const message of client.fetch(batch.map((meta) => meta.uid).join(","), { uid: true, source: true }, {
            uid: true,
          })
        ) {
          const meta = byUid.get(message.uid);
          if (meta === undefined || message.source === undefined) continue;
          const content = Readable.from([message.source]);
          await conversions.start((order) =>
            convert(meta, content, uidValidity, order).then((outcome) => done.add(meta.uid, outcome))
          );
          if (conversions.failed) break;
        }
      } catch (error) {
        // the connection failed
        failure = { error };
      }
      // no conversion may still be writing when the batch ends, however it ends
      await conversions.finish().catch((error: unknown) => {
        failure ??= { error };
      });
      try {
        // Jobs published before the batch failed get afterDownload all the same: left in the
        // mailbox, they would print again once the ledger forgets them. (On a dropped
        // connection this fails too; the ledger then keeps them from printing twice.)
        await done.apply(client, options.session.target, options.spoolDir);
      } catch (error) {
        if (failure === undefined) throw error;
        options.log.debug("afterDownload failed after the batch failed", { error: (error as Error).message });
      }
      if (failure !== undefined) throw failure.error;
    }
    for (const meta of metas.filter((candidate) => candidate.size > BATCH_MESSAGE_LIMIT)) {
      if (options.shutdown.aborted) return;
      const download = await client.download(String(meta.uid), undefined, { uid: true, chunkSize: STREAM_CHUNK });
      if (download.content === undefined) continue;
      const done = new Outcomes(source);
      done.add(meta.uid, await convert(meta, download.content, uidValidity));
      await done.apply(client, options.session.target, options.spoolDir);
    }
  }

  async function convert(
    meta: MessageMeta,
    message: Readable,
    uidValidity: string,
    order?: PublishTicket,
  ): Promise<"done" | "failed"> {
    const jobId = `${jobIdPrefix(source.name)}-${uidValidity}-${meta.uid}`;
    const result = await messageToJob({
      message,
      jobId,
      ...(order === undefined ? {} : { order }),
      syncSpool: false,
      source,
      spoolDir: options.spoolDir,
      failedDir: options.failedDir,
      receivedAt: meta.receivedAt,
      size: meta.size,
      now: options.now,
    });
    if (result.outcome === "job") {
      options.onJob?.();
      options.log.info("job created", { job: jobId, owner: result.job.owner, documents: result.job.documents.length });
      return "done";
    }
    if (result.outcome === "exists") {
      options.log.info("job was already made before a restart; finishing the message", { job: jobId });
      return "done";
    }
    message.destroy();
    options.onFailed?.(result.reason);
    options.log.warn("message moved to Failed", {
      job: jobId,
      reason: result.reason,
      file: result.failedStem,
      why: result.message,
    });
    return "failed";
  }
}

/** UIDs whose jobs are durable, and UIDs saved in Failed: what to do with them on the server. */
class Outcomes {
  readonly #source: EmailSource;
  constructor(source: EmailSource) {
    this.#source = source;
  }
  readonly done: number[] = [];
  readonly failed: number[] = [];
  add(uid: number, outcome: "done" | "failed") {
    (outcome === "done" ? this.done : this.failed).push(uid);
  }
  async apply(client: ImapFlow, target: ImapTarget, spoolDir: string): Promise<void> {
    // Jobs were published without syncing the spool folder one by one: one sync for the
    // batch makes them durable before any of their messages leaves the mailbox.
    if (this.done.length > 0) await syncSpool(spoolDir);
    const action = this.#source.afterDownload;
    const remove = action.action === "delete" ? [...this.done, ...this.failed] : this.failed;
    // imapflow answers both a refused STORE or EXPUNGE and a connection that dropped under it
    // with `false`. Refused on a live connection: a missing right, which must not go unseen.
    // Dropped: a connection problem, not the admin's permissions.
    const refused = (what: string) =>
      client.usable
        ? mailboxRightsError(target, what, "the server refused the command", new Error(`${what} refused`))
        : toImapError(
          Object.assign(new Error(`The connection closed while trying to ${what}`), { code: "EConnectionClosed" }),
          target,
        );
    if (this.done.length > 0 && action.action === "seen") {
      if (!(await client.messageFlagsAdd(this.done.join(","), ["\\Seen"], { uid: true }))) {
        throw refused("flag messages as seen");
      }
    }
    if (this.done.length > 0 && action.action === "move") {
      const moved = await client.messageMove(this.done.join(","), action.folder, { uid: true });
      if (moved === false && !client.usable) throw refused("move messages");
      if (moved === false) {
        throw new MpsError("ERR_IMAP_FOLDER", `Cannot move messages to folder '${action.folder}'`, {
          fix: `Create the folder '${action.folder}' in the mailbox or change afterDownload="move:…"`,
        });
      }
    }
    if (remove.length > 0 && !(await client.messageDelete(remove.join(","), { uid: true }))) {
      throw refused("delete messages");
    }
  }
}

/**
 * The messages of one batch converted side by side, at most {@link CONVERSIONS} at a time: while
 * one waits for the disk (open, write, fsync), the next is parsed and the server keeps sending.
 * Jobs are still published in mailbox order, by a {@link PublishQueue}. After a failure no more
 * are started; `finish` waits for those under way and rethrows the first failure.
 */
class Conversions {
  readonly #running = new Set<Promise<void>>();
  readonly #order = new PublishQueue();
  #failure: { error: unknown } | undefined;

  get failed(): boolean {
    return this.#failure !== undefined;
  }

  /** Starts one conversion; resolves once there is room for the next. */
  async start(convert: (order: PublishTicket) => Promise<void>): Promise<void> {
    const task = this.#order.run(convert).catch((error: unknown) => {
      this.#failure ??= { error };
    });
    this.#running.add(task);
    void task.finally(() => this.#running.delete(task));
    while (this.#running.size >= CONVERSIONS) await Promise.race(this.#running);
  }

  async finish(): Promise<void> {
    await Promise.all(this.#running);
    if (this.#failure !== undefined) throw this.#failure.error;
  }
}

function* batches(metas: readonly MessageMeta[]): Generator<MessageMeta[]> {
  let batch: MessageMeta[] = [];
  let bytes = 0;
  for (const meta of metas) {
    if (batch.length > 0 && (batch.length >= BATCH_COUNT || bytes + meta.size > BATCH_BYTES)) {
      yield batch;
      batch = [];
      bytes = 0;
    }
    batch.push(meta);
    bytes += meta.size;
  }
  if (batch.length > 0) yield batch;
}
