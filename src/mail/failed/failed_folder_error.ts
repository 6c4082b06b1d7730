import { MpsError } from "../../shared/errors.ts";

/** The `Failed` folder could not be written or read: the message stays in the mailbox for the next cycle. */
export class FailedFolderError extends MpsError {
  static readonly CODE = "ERR_FAILED_FOLDER";
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(FailedFolderError.CODE, message, {
      ...options,
      fix:
        "Check that the Failed folder (<failedFiles folder=...>) is writable by the account mps runs as and its disk is not full",
    });
  }
}
