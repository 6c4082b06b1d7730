import { probeSpool, SpoolError } from "../spool/index.ts";
import { FailedFolderError } from "./failed/index.ts";
import { MessageRejectedError } from "./message_rejected_error.ts";

/**
 * System errors that are never one message's doing: the disk or the process has run out of
 * something, or the file system went read-only or bad. Every message after this one would fail
 * the same way, so the cycle fails and the message stays in the mailbox.
 */
const DISK_WIDE = new Set(["ENOSPC", "EDQUOT", "EROFS", "EIO", "EMFILE", "ENFILE", "ENOMEM"]);

/** Longest error text quoted in a Failed record's sentence. */
const MAX_QUOTED = 500;

/**
 * Tells what an error raised while one message was read, converted or stored means, and returns
 * the reason the message goes to `Failed` for:
 * - a rejection (no printable part, sender not allowed, ...) is returned as it is;
 * - an error of the file system while the message's documents were written: when its errno says
 *   the disk is full, read-only or broken, or a probe file cannot be written where jobs are
 *   built, the spool is at fault and the error is thrown (the cycle fails); when the probe
 *   works, only this message's file was refused (a name the file system will not take, ...):
 *   `cannot-store-document`;
 * - anything else (an error in the code that reads MIME, names or HTML): `cannot-process`.
 * A `Failed` folder that cannot be written is thrown as it is: the message must stay in the mailbox.
 */
export async function messageFault(error: unknown, spoolDir: string): Promise<MessageRejectedError> {
  if (error instanceof MessageRejectedError) return error;
  if (error instanceof FailedFolderError) throw error;
  const errno = systemErrorCode(error);
  if (errno === undefined && !(error instanceof SpoolError)) {
    return new MessageRejectedError("cannot-process", `The message cannot be processed: ${describe(error)}`, {
      cause: error,
    });
  }
  if (errno !== undefined && DISK_WIDE.has(errno)) throw error;
  await probeSpool(spoolDir);
  return new MessageRejectedError(
    "cannot-store-document",
    `A file of the message cannot be stored in the spool, though the spool takes other files: ${describe(error)}`,
    { cause: error },
  );
}

/** The errno code (`ENAMETOOLONG`) of a system error, looked for along the `cause` chain. */
export function systemErrorCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 8 && typeof current === "object" && current !== null; depth++) {
    const candidate = current as { code?: unknown; errno?: unknown; syscall?: unknown; cause?: unknown };
    const system = typeof candidate.syscall === "string" || typeof candidate.errno === "number";
    if (system && typeof candidate.code === "string") return candidate.code;
    current = candidate.cause;
  }
  return undefined;
}

function describe(error: unknown): string {
  let text: string;
  try {
    text = error instanceof SpoolError
      ? error.message
      : error instanceof Error
      ? `${error.name}: ${error.message}`
      : `thrown ${String(error)}`;
  } catch {
    text = "an error that cannot be described";
  }
  return text.length > MAX_QUOTED ? `${text.slice(0, MAX_QUOTED)}…` : text;
}
