export { messageToJob } from "./message_to_job.ts";
export type { MessageOutcome, MessageToJobOptions } from "./message_to_job.ts";
export { FailedFolderError, purgeFailed } from "./failed/index.ts";
export type { FailedRecord } from "./failed/index.ts";
export { FAILED_REASONS } from "./message_rejected_error.ts";
export { printablePart } from "./printable_part.ts";
export { isAllowedSender, senderAddress } from "./sender/index.ts";
export type { MessageHeaders, ReplyFields } from "./message_headers.ts";
