import { MpsError } from "../../shared/errors.ts";

/**
 * A header field value that does not follow its grammar. It never leaves the mail module: the
 * field's reader turns it into a sentence for the `Failed` record.
 */
export class FieldSyntaxError extends MpsError {
  static readonly CODE = "ERR_FIELD_SYNTAX";
  constructor(message: string) {
    super(FieldSyntaxError.CODE, message);
  }
}
