import { MpsError } from "../shared/errors.ts";

/** The printer could not be asked (network, TLS, HTTP, time limit): the job waits and is sent again. */
export class PrinterUnreachableError extends MpsError {
  static readonly CODE = "ERR_PRINTER_UNREACHABLE";
  constructor(message: string, options: { cause?: unknown; fix?: string } = {}) {
    super(PrinterUnreachableError.CODE, message, {
      ...options,
      fix: options.fix ??
        "Check that the printer is switched on and reachable from this machine at its uri, and for ipps:// that caFile holds the CA that signed its certificate",
    });
  }
}
