import { MpsError } from "../shared/errors.ts";

/** A job cannot be built, published or remembered in the spool. */
export class SpoolError extends MpsError {
  static readonly CODE = "ERR_SPOOL";
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(SpoolError.CODE, message, {
      ...options,
      fix: "Check that the spool folder exists, is writable by the account mps runs as, and its disk is not full",
    });
  }
}
