export { SpoolError } from "./errors.ts";
export { cleanPartialJobs, isPublished, JobBuilder, syncSpool } from "./job_builder.ts";
export type { CommitOptions, PublishOrder } from "./job_builder.ts";
export type { Job, JobDocument, JobInfo } from "./job_builder.ts";
export { reservedJobNames, safeDocumentName } from "./safe_document_name.ts";
