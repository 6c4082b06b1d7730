import { MpsError } from "../shared/errors.ts";

/** A `templates` file that cannot be used; the built-in texts are used instead. */
export class TemplateError extends MpsError {
  static readonly CODE = "ERR_NOTIFY_TEMPLATE";
  constructor(message: string, options: { cause?: unknown; fix?: string } = {}) {
    super(TemplateError.CODE, message, options);
  }
}

/** A reply could not be handed to the SMTP server; it stays in the outbox and is tried again. */
export class SmtpSendError extends MpsError {
  static readonly CODE = "ERR_SMTP_SEND";
  /** True when the server refused the reply itself (a 5xx to MAIL, RCPT or DATA): trying again will not help. */
  readonly permanent: boolean;
  constructor(message: string, permanent: boolean, options: { cause?: unknown; fix?: string } = {}) {
    super(SmtpSendError.CODE, message, options);
    this.permanent = permanent;
  }
}
