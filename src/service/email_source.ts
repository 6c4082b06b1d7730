import { Readable } from "node:stream";
import type { ImapFlow } from "imapflow";
import type { EmailSource } from "../config/index.ts";
import { mailboxRightsError, toImapError } from "../imap/imap_error.ts";
import type { ImapTarget } from "../imap/imap_error.ts";
import type { ImapSession } from "../imap/imap_session.ts";
import { IMAP_FOLDER, uidSet } from "../imap/index.ts";
import type { ComponentLogger } from "../log/index.ts";
import { messageToJob, purgeFailed } from "../mail/index.ts";
import type { MessageHeaders } from "../mail/index.ts";
import { DOCTOR_TEST_HEADER } from "../shared/doctor_test_header.ts";
import { MpsError } from "../shared/errors.ts";
import { jobIdPrefix } from "../shared/job_id_prefix.ts";
import { syncSpool } from "../spool/index.ts";
import type { Job, PublishTicket } from "../spool/index.ts";
import { Conversions } from "./conversions.ts";

export interface EmailCycleOptions {
  readonly session: ImapSession;
  readonly spoolDir: string;
  readonly failedDir: string;
  readonly failedMaxAgeSeconds: number;
  readonly now: () => number;
  readonly log: ComponentLogger;
  readonly shutdown: AbortSignal;
  readonly onJob?: (outcome: JobMade) => void;
  readonly onFailed?: (reason: string, outcome: MessageFailed) => void;
}

/** A message that became a job, with what a reply to its sender needs. */
export interface JobMade {
  readonly jobId: string;
  readonly job: Job;
  readonly headers: MessageHeaders | undefined;
  /** Attachments left out as not printable, as `'name' (type)`. */
  readonly skipped: readonly string[];
  readonly receivedAt: Date;
}

/** A message that went to Failed. */
export interface MessageFailed {
  readonly jobId: string;
  readonly headers: MessageHeaders | undefined;
  readonly receivedAt: Date;
}

interface MessageMeta {
  readonly uid: number;
  readonly size: number;
  readonly receivedAt: Date;
}

// Messages up to this size come whole, in windows through one FETCH each (read one message at a
// time as the conversions take them); larger ones stream in chunks, so no attachment is ever
// held whole.
const BATCH_MESSAGE_LIMIT = 2 * 1024 * 1024;
// A window is what one FETCH asks for and what one afterDownload (STORE, EXPUNGE) covers: each
// costs round trips during which no message arrives (the connection runs one command at a
// time), so a window is large: at 50 ms, windows of 64 MiB cost 1,000 mails of 280 KB 0.7 s of
// waiting. It does not set the memory used; it bounds how much is downloaded again after a
// crash (the ledger keeps that from printing twice).
const WINDOW_BYTES = 256 * 1024 * 1024;
const WINDOW_COUNT = 4000;
// Each partial FETCH of a large message is a round trip: at 50 ms, 512 KiB chunks spent 27 s
// waiting on a 270 MB message. 1 MiB halves that and, with the base64 decoder reading 64 KiB
// at a time (see base64_decoder.ts), peaks at ~122 MiB
// RSS on a 200 MB attachment; 2 MiB peaked at ~157 MiB, 4 MiB at ~190 MiB (imapflow holds each
// literal whole, and copies it once).
const STREAM_CHUNK = 1024 * 1024;
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
    if (mailbox.exists === 0) return;
    // Every message is wanted unless seen ones stay in the folder: then only the unseen, found
    // by a SEARCH; otherwise the FETCH of sizes covers them all, a round trip fewer.
    let range = "1:*";
    if (source.afterDownload.action === "seen") {
      const found = await client.search({ seen: false }, { uid: true });
      if (found === undefined || found === false || found.length === 0) return;
      range = uidSet(found);
    }
    const metas: MessageMeta[] = [];
    const fields = { uid: true, size: true, internalDate: true, headers: [DOCTOR_TEST_HEADER] };
    for await (const message of client.fetch(range, fields, { uid: true })) {
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

    await drainSmall(client, metas.filter((meta) => meta.size <= BATCH_MESSAGE_LIMIT), uidValidity);
    for (const meta of metas.filter((candidate) => candidate.size > BATCH_MESSAGE_LIMIT)) {
      if (options.shutdown.aborted) return;
      const download = await client.download(String(meta.uid), undefined, { uid: true, chunkSize: STREAM_CHUNK });
      if (download.content === undefined) continue;
      const done = new Outcomes(source);
      done.add(meta.uid, await convert(meta, download.content, uidValidity));
      await done.apply(client, options.session.target, options.spoolDir);
    }
  }

  /**
   * The small messages, window after window, with the pipe kept full: as soon as the server
   * has sent the last message of a window, the next window's FETCH goes out, while the
   * messages already here are still being converted. Each window's afterDownload (one spool
   * sync, then STORE and EXPUNGE) follows once all its conversions are done, queued on the
   * connection behind the FETCH then running; windows are applied in mailbox order, one after
   * the other. Memory is bounded by the conversions in flight, not by the window: the client
   * reads the next message only when the loop asks for it.
   */
  async function drainSmall(client: ImapFlow, metas: readonly MessageMeta[], uidValidity: string): Promise<void> {
    const conversions = new Conversions();
    let failure: { error: unknown } | undefined;
    let applyFailure: { error: unknown } | undefined;
    let applied: Promise<void> = Promise.resolve();
    // What the windows fetched since the last apply made of their messages.
    let pending = new Outcomes(source);
    // Applies the pending windows as one (one spool sync, one STORE, one EXPUNGE) once every
    // conversion started so far is done; applies run one after another, in mailbox order.
    const applyPending = (): void => {
      const done = pending;
      pending = new Outcomes(source);
      const converted = conversions.settled();
      applied = applied.then(async () => {
        await converted;
        if (applyFailure !== undefined) return;
        await done.apply(client, options.session.target, options.spoolDir).catch((error: unknown) => {
          applyFailure = { error };
        });
      });
    };
    const all = [...windows(metas)];
    for (const [index, window] of all.entries()) {
      if (options.shutdown.aborted || failure !== undefined || applyFailure !== undefined) break;
      const byUid = new Map(window.map((meta) => [meta.uid, meta]));
      const done = pending;
      try {
        for await (
          const message of client.fetch(uidSet(window.map((meta) => meta.uid)), { uid: true, source: true }, {
            uid: true,
          })
        ) {
          const meta = byUid.get(message.uid);
          if (meta === undefined || message.source === undefined) continue;
          const content = Readable.from([message.source]);
          await conversions.start((order) =>
            convert(meta, content, uidValidity, order).then((outcome) => done.add(meta.uid, outcome))
          );
          // A window can take a while on a slow link: stopping does not wait for all of it.
          if (conversions.failed || options.shutdown.aborted) break;
        }
      } catch (error) {
        // the connection failed
        failure = { error };
      }
      if (conversions.failed) break;
      // The connection runs one command at a time, so each afterDownload stops the FETCHes for
      // two round trips. It is queued behind the next window's FETCH, except before the last
      // window: that one is applied together with it, once, at the end.
      if (index + 2 < all.length) applyPending();
    }
    // Jobs published before a failure get afterDownload all the same: left in the mailbox,
    // they would print again once the ledger forgets them. (On a dropped connection this
    // fails too; the ledger then keeps them from printing twice.)
    applyPending();
    // no conversion may still be writing when the cycle ends, however it ends
    await conversions.finish().catch((error: unknown) => {
      failure ??= { error };
    });
    await applied;
    if (failure !== undefined) {
      if (applyFailure !== undefined) {
        options.log.debug("afterDownload failed after the batch failed", {
          error: (applyFailure.error as Error).message,
        });
      }
      throw failure.error;
    }
    if (applyFailure !== undefined) throw applyFailure.error;
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
      options.onJob?.({
        jobId,
        job: result.job,
        headers: result.headers,
        skipped: result.skipped,
        receivedAt: meta.receivedAt,
      });
      options.log.info("job created", { job: jobId, owner: result.job.owner, documents: result.job.documents.length });
      return "done";
    }
    if (result.outcome === "exists") {
      options.log.info("job was already made before a restart; finishing the message", { job: jobId });
      return "done";
    }
    message.destroy();
    options.onFailed?.(result.reason, { jobId, headers: result.headers, receivedAt: meta.receivedAt });
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
      if (!(await client.messageFlagsAdd(uidSet(this.done), ["\\Seen"], { uid: true }))) {
        throw refused("flag messages as seen");
      }
    }
    if (this.done.length > 0 && action.action === "move") {
      const moved = await client.messageMove(uidSet(this.done), action.folder, { uid: true });
      if (moved === false && !client.usable) throw refused("move messages");
      if (moved === false) {
        throw new MpsError(IMAP_FOLDER, `Cannot move messages to folder '${action.folder}'`, {
          fix: `Create the folder '${action.folder}' in the mailbox or change afterDownload="move:…"`,
        });
      }
    }
    if (remove.length > 0 && !(await client.messageDelete(uidSet(remove), { uid: true }))) {
      throw refused("delete messages");
    }
  }
}

/**
 * Windows of small messages in mailbox order, each up to {@link WINDOW_BYTES} (at least one
 * message) and {@link WINDOW_COUNT} messages.
 */
function* windows(metas: readonly MessageMeta[]): Generator<MessageMeta[]> {
  let window: MessageMeta[] = [];
  let bytes = 0;
  for (const meta of metas) {
    if (window.length > 0 && (window.length >= WINDOW_COUNT || bytes + meta.size > WINDOW_BYTES)) {
      yield window;
      window = [];
      bytes = 0;
    }
    window.push(meta);
    bytes += meta.size;
  }
  if (window.length > 0) yield window;
}
