export { FailedFolderError } from "./failed_folder_error.ts";
export { saveFailedMessage } from "./failed_message.ts";
export type { FailedRecord } from "./failed_message.ts";
export { purgeFailed } from "./purge_failed.ts";
export { RawTee } from "./raw_tee.ts";
