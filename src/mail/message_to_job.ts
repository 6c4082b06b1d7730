import type { Readable } from "node:stream";
import type { EmailSource } from "../config/types.ts";
import { JobBuilder } from "../spool/index.ts";
import type { Job, PublishTicket } from "../spool/index.ts";
import { BodyText } from "./body_text.ts";
import { checkSender } from "./check_sender.ts";
import { RawTee, saveFailedMessage } from "./failed/index.ts";
import { messageFault } from "./message_fault.ts";
import { MessageRejectedError } from "./message_rejected_error.ts";
import type { FailedReason } from "./message_rejected_error.ts";
import { MimeWalker } from "./mime_walker.ts";
import type { WalkContext } from "./mime_walker.ts";
import { SplitterFeed } from "./mime/index.ts";

export interface MessageToJobOptions {
  /** The raw RFC 5322 message, e.g. imapflow's `download()` / fetch `source` stream. */
  readonly message: AsyncIterable<Uint8Array | string> | Readable;
  /** Source + UIDVALIDITY + UID, made folder-safe by the caller: the exactly-once identity. */
  readonly jobId: string;
  readonly source: EmailSource;
  readonly spoolDir: string;
  readonly failedDir: string;
  /** The IMAP INTERNALDATE. */
  readonly receivedAt: Date;
  /** The IMAP RFC822.SIZE, when known: a message over `maxMessageSize` is refused before it is parsed. */
  readonly size?: number;
  /**
   * Publishing order when messages are converted side by side: this job is renamed into the
   * spool only after the one before, so jobs appear in mailbox order. The ticket's queue lets
   * the next job go on every outcome.
   */
  readonly order?: PublishTicket;
  /**
   * False: the job's rename into the spool is made durable later, by the caller's
   * `syncSpool()` for the whole batch, before any message of it leaves the mailbox.
   */
  readonly syncSpool?: boolean;
  readonly now: () => number;
}

export type MessageOutcome =
  | { readonly outcome: "job"; readonly job: Job }
  | { readonly outcome: "exists" }
  | {
    readonly outcome: "failed";
    readonly reason: FailedReason;
    readonly message: string;
    readonly failedStem: string;
  };

/**
 * Turns one raw message into a print job in one streaming pass, or saves it in the `Failed`
 * folder when it cannot become one. Attachments stream to disk as they arrive; the raw bytes
 * are copied aside (in memory while small, else in a temp file) so a refused message is saved
 * exactly as received.
 *
 * One message, one outcome: whatever the message holds, and whatever goes wrong while it is
 * parsed, converted, named or written, it ends as a job or in `Failed` with a reason
 * (`cannot-process` and `cannot-store-document` for errors nobody foresaw). Returns `exists`
 * without reading the message when the job was published before (the input stream is
 * destroyed). Throws (leaving nothing behind) only for what is not the message's fault: the
 * input stream fails, the spool takes no file at all (disk full, read-only, not writable; see
 * `messageFault`), or the `Failed` folder cannot be written. The message then stays in the mailbox.
 */
export async function messageToJob(options: MessageToJobOptions): Promise<MessageOutcome> {
  const { source, message } = options;
  const builder = await JobBuilder.begin(options.spoolDir, options.jobId, { now: options.now });
  if (builder === undefined) {
    if ("destroy" in message && typeof message.destroy === "function") message.destroy();
    return { outcome: "exists" };
  }
  const tee = new RawTee(options.failedDir, options.jobId);
  const body = new BodyText();
  const context: WalkContext = {
    builder,
    source,
    body,
    skipped: [],
    headers: undefined,
    attachments: 0,
    rejection: undefined,
    checkHeaders: (headers) => checkSender(headers, source),
  };
  if (options.size !== undefined && options.size > source.maxMessageSize) {
    context.rejection = tooLarge(options.size, true, source);
  }
  const feed = new SplitterFeed((items) => new MimeWalker(context, 0).walk(items));
  let parsing = true;
  // Whatever goes wrong with this message's own content ends parsing and sends it to Failed;
  // only a spool that takes no file at all throws from here (see messageFault).
  const fault = async (error: unknown): Promise<void> => {
    context.rejection ??= await messageFault(error, options.spoolDir);
    parsing = false;
  };
  try {
    try {
      for await (const chunk of message) {
        const buffer = toBuffer(chunk);
        await tee.write(buffer);
        if (!parsing) continue;
        if (tee.size > source.maxMessageSize && context.rejection === undefined) {
          context.rejection = tooLarge(tee.size, false, source);
        }
        await feed.write(buffer).catch(fault);
      }
    } catch (error) {
      // the input failed (the connection), or the spool or Failed folder did
      await feed.close();
      throw error;
    }
    if (parsing) await feed.end().catch(fault);
    if (context.rejection === undefined) {
      const job = await finishJob(context, options).catch(async (error: unknown) => {
        // a job in the spool is the print system's: only its ledger line failed, which is the spool's fault
        if (context.builder.published) throw error;
        await fault(error);
        return undefined;
      });
      if (job !== undefined) {
        await tee.discard();
        return { outcome: "job", job };
      }
    }
  } catch (error) {
    await builder.abort();
    await tee.discard();
    throw error;
  }
  await builder.abort();
  const rejection = context.rejection ?? noPrintablePart(context);
  const failedStem = await saveFailedMessage(options.failedDir, tee, {
    reason: rejection.reason,
    message: rejection.message,
    source: source.name,
    sender: context.headers?.sender ?? null,
    subject: context.headers?.subject || null,
    messageId: context.headers?.messageId || null,
    date: context.headers?.date || null,
    receivedAt: options.receivedAt.toISOString(),
    failedAt: new Date(options.now()).toISOString(),
    jobId: options.jobId,
    size: tee.size,
  });
  return { outcome: "failed", reason: rejection.reason, message: rejection.message, failedStem };
}

/** Adds the body as `printBody` says and publishes the job; undefined when nothing is printable. */
async function finishJob(context: WalkContext, options: MessageToJobOptions): Promise<Job | undefined> {
  const { builder, body, source } = context;
  const mode = source.printBody;
  if (mode === "always" || (mode === "auto" && builder.documents.length === 0)) {
    await body.writeTo(builder, context.headers);
  }
  if (builder.documents.length === 0) return undefined;
  const headers = context.headers;
  return await builder.commit({
    source: source.name,
    owner: headers?.sender ?? "",
    subject: headers?.subject ?? "",
    receivedAt: options.receivedAt.toISOString(),
    messageId: headers?.messageId ?? "",
  }, { syncSpool: options.syncSpool !== false, ...(options.order === undefined ? {} : { order: options.order }) });
}

function tooLarge(size: number, exact: boolean, source: EmailSource): MessageRejectedError {
  return new MessageRejectedError(
    "too-large",
    `The message is ${
      exact ? "" : "at least "
    }${size} bytes, more than maxMessageSize ${source.maxMessageSize} of source '${source.name}'`,
  );
}

function noPrintablePart(context: WalkContext): MessageRejectedError {
  const skipped = context.skipped;
  const parts = skipped.length === 0
    ? "it has no attachment"
    : `${skipped.length === 1 ? "its attachment" : "its attachments"} ${skipped.join(", ")} ${
      skipped.length === 1 ? "is not a printable type" : "are not printable types"
    }`;
  const bodyNote = context.source.printBody === "never"
    ? 'the body is not printed (printBody="never")'
    : "its text body is empty";
  return new MessageRejectedError("no-printable-part", `The message has no printable part: ${parts}, and ${bodyNote}`);
}

function toBuffer(chunk: Uint8Array | string): Buffer {
  if (typeof chunk === "string") return Buffer.from(chunk, "binary");
  return Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
}
