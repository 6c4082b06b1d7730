import { MpsError } from "../../shared/errors.ts";

/**
 * A message past the splitter's limits: a header block over `maxHeadSize` or more than
 * `maxChildNodes` MIME parts. Message and code are mailsplit's (`EMAXLEN`), so a message
 * refused for it reads the same as before the splitter was replaced.
 */
export class MimeLimitError extends MpsError {
  static readonly CODE = "EMAXLEN";
  constructor(message: string) {
    super(MimeLimitError.CODE, message);
  }
}
