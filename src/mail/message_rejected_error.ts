import { MpsError } from "../shared/errors.ts";

/** Why a message went to the `Failed` folder instead of becoming a job. Stable: in `<stem>.json` and metrics. */
export const FAILED_REASONS = [
  "no-printable-part",
  "sender-not-allowed",
  "too-large",
  "too-many-attachments",
  "no-sender",
  "ambiguous-sender",
  "not-authenticated",
  "unreadable",
  "cannot-store-document",
  "cannot-process",
] as const;

export type FailedReason = typeof FAILED_REASONS[number];

/**
 * Raised while a message is read when it cannot become a job. It never leaves `messageToJob`:
 * there it becomes a `failed` outcome, with the raw message saved in the `Failed` folder.
 */
export class MessageRejectedError extends MpsError {
  static readonly CODE = "ERR_MESSAGE_REJECTED";
  readonly reason: FailedReason;
  constructor(reason: FailedReason, message: string, options: { cause?: unknown } = {}) {
    super(MessageRejectedError.CODE, message, options);
    this.reason = reason;
  }
}
