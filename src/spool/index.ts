export { SpoolError } from "./errors.ts";
export { cleanPartialJobs, JobBuilder, probeSpool, syncSpool } from "./job_builder.ts";
export type { Job } from "./job_builder.ts";
export { PublishQueue } from "./publish_queue.ts";
export type { PublishTicket } from "./publish_queue.ts";
export { reservedJobNames, safeDocumentName } from "./safe_document_name.ts";
