export { SpoolError } from "./errors.ts";
export { cleanPartialJobs, JobBuilder, probeSpool, syncSpool } from "./job_builder.ts";
export type { PublishOrder } from "./job_builder.ts";
export type { Job } from "./job_builder.ts";
export { reservedJobNames, safeDocumentName } from "./safe_document_name.ts";
export { jobIdPrefix } from "./job_id_prefix.ts";
