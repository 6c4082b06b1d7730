export { messageToJob } from "./message_to_job.ts";
export type { MessageOutcome, MessageToJobOptions } from "./message_to_job.ts";
export { FailedFolderError, purgeFailed } from "./failed/index.ts";
export type { FailedRecord } from "./failed/index.ts";
export { FAILED_REASONS, MessageRejectedError } from "./message_rejected_error.ts";
export type { FailedReason } from "./message_rejected_error.ts";
export { DEFAULT_PRINTABLE_TYPES, printablePart } from "./printable_part.ts";
export { isAllowedSender, senderAddress } from "./sender/index.ts";
