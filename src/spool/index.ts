export { cleanPartialJobs, isPublished, JobBuilder, probeSpool, SpoolError, syncSpool } from "./job_builder.ts";
export type { CommitOptions, PublishOrder } from "./job_builder.ts";
export type { Job, JobDocument, JobInfo } from "./job_builder.ts";
export { reservedJobNames, safeDocumentName } from "./safe_document_name.ts";
export { jobIdPrefix } from "./job_id_prefix.ts";
