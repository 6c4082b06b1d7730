import { MpsError } from "../shared/errors.ts";
import { ippStatusName, isTemporary } from "./ipp_status.ts";

/** The printer answered with an IPP error status. */
export class PrinterRefusedError extends MpsError {
  static readonly CODE = "ERR_PRINTER_REFUSED";
  readonly status: number;
  /** `status-message` as the printer wrote it (may be empty). */
  readonly printerMessage: string;
  /** Busy, stopped, not accepting jobs: sending again later may work. */
  readonly temporary: boolean;

  constructor(printer: string, operation: string, status: number, printerMessage: string) {
    const temporary = isTemporary(status);
    const said = printerMessage === "" ? "" : ` ("${printerMessage}")`;
    const fix = temporary
      ? "The printer says it cannot take jobs right now; mps sends again when it can. Check its queue and state if this lasts"
      : status === 0x0403 || status === 0x0401
      ? 'Allow the owner (requesting-user-name) to print on this queue, or set owner="localpart" if the server knows users by their short names'
      : undefined;
    super(
      PrinterRefusedError.CODE,
      `Printer '${printer}' refused ${operation}: ${ippStatusName(status)}${said}`,
      fix === undefined ? {} : { fix },
    );
    this.status = status;
    this.printerMessage = printerMessage;
    this.temporary = temporary;
  }
}
