import { MpsError } from "../shared/errors.ts";

/** A log option (`maxBytes`, `maxFiles`) with a value that cannot work. */
export class LogOptionError extends MpsError {
  static readonly CODE = "ERR_LOG_OPTION";
  constructor(name: string, value: unknown, expected: string) {
    super(LogOptionError.CODE, `Log option '${name}' must be ${expected}: got '${String(value)}'`, {
      fix: `Set '${name}' to ${expected}.`,
    });
  }
}
