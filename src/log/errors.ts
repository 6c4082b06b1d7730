import { dirname } from "node:path";
import { fsReason } from "../shared/errno.ts";
import { MpsError } from "../shared/errors.ts";

/** The log file (or its folder) cannot be created, written or rotated. */
export class LogFileError extends MpsError {
  static readonly CODE = "ERR_LOG_FILE";
  readonly path: string;
  constructor(path: string, cause: unknown, action = "write") {
    super(LogFileError.CODE, `Cannot ${action} log file '${path}': ${fsReason(cause)}`, {
      cause,
      fix: `Make sure the folder '${dirname(path)}' exists and the account mps runs as can write to it, ` +
        `or point <log file="..."/> in mps.config to a writable place.`,
    });
    this.path = path;
  }
}

/** A log option (`maxBytes`, `maxFiles`) with a value that cannot work. */
export class LogOptionError extends MpsError {
  static readonly CODE = "ERR_LOG_OPTION";
  constructor(name: string, value: unknown, expected: string) {
    super(LogOptionError.CODE, `Log option '${name}' must be ${expected}: got '${String(value)}'`, {
      fix: `Set '${name}' to ${expected}.`,
    });
  }
}
