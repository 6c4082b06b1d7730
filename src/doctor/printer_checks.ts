import type { Config, Printer } from "../config/index.ts";
import type { Proxies } from "../shared/proxy.ts";
import { findSoffice, PrinterChannel } from "../print/index.ts";
import type { PrinterCapabilities } from "../print/index.ts";
import { blockedBy, failFrom, offline, pass, warn } from "./check_result.ts";
import type { CheckResult } from "./check_result.ts";

const PRINTER_STATES: Readonly<Record<number, string>> = { 3: "idle", 4: "processing", 5: "stopped" };
/** What mps renders to PDF itself. */
const RENDERED = ["text/plain", "image/jpeg", "image/png", "image/gif", "image/tiff", "image/bmp"];
const OFFICE_EXAMPLE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";

/**
 * Per printer: does it answer IPP (reachable, TLS, Get-Printer-Attributes), its state and state
 * reasons, which formats it takes and what mps must convert, and whether LibreOffice is there
 * for office documents. A printer no source names is a warning.
 */
export async function checkPrinters(
  config: Config,
  options: {
    readonly env: Readonly<Record<string, string | undefined>>;
    readonly now: () => number;
    readonly offline: boolean;
    /** Printers are reached through the https proxy unless noProxy exempts them. */
    readonly proxies?: Proxies | undefined;
  },
): Promise<CheckResult[]> {
  if (config.printers.length === 0) return [];
  const soffice = await findSoffice(config.convert.soffice, options.env);
  const perPrinter = await Promise.all(
    config.printers.map((printer) => checkPrinter(printer, config, soffice, options)),
  );
  return perPrinter.flat();
}

async function checkPrinter(
  printer: Printer,
  config: Config,
  soffice: string | undefined,
  options: { readonly now: () => number; readonly offline: boolean; readonly proxies?: Proxies | undefined },
): Promise<CheckResult[]> {
  const label = `Printer '${printer.name}'`;
  const details = { printer: printer.name, uri: printer.uri };
  const results: CheckResult[] = [];
  const users = [...config.emailSources, ...config.folderSources].filter((source) =>
    source.printer?.toLowerCase() === printer.name.toLowerCase()
  );
  results.push(
    users.length === 0
      ? warn(
        "printer.used",
        null,
        "WARN_PRINTER_UNUSED",
        `${label} is configured but no source sends its jobs there`,
        `Add printer="${printer.name}" to the email or folder sources whose jobs it should print, or remove it from <printers>.`,
        details,
      )
      : pass(
        "printer.used",
        null,
        `${label} prints the jobs of ${users.map((source) => `'${source.name}'`).join(", ")}`,
        details,
      ),
  );
  if (options.offline) {
    results.push(offline("printer.ipp", null), offline("printer.state", null), offline("printer.formats", null));
    return results;
  }
  let capabilities: PrinterCapabilities | undefined;
  let reach: CheckResult;
  try {
    capabilities = await new PrinterChannel(printer, options.now, options.proxies).capabilities(true);
    reach = pass(
      "printer.ipp",
      null,
      `${label} answers IPP at ${printer.uri}${
        capabilities.makeAndModel === "" ? "" : ` (${capabilities.makeAndModel})`
      }`,
      details,
    );
  } catch (error) {
    reach = failFrom("printer.ipp", null, error, details);
  }
  results.push(reach);
  if (capabilities === undefined) {
    const blocked = (id: string) => blockedBy(id, null, reach) ?? offline(id, null);
    results.push(blocked("printer.state"), blocked("printer.formats"));
    return results;
  }
  const state = PRINTER_STATES[capabilities.state] ?? String(capabilities.state);
  const reasons = capabilities.stateReasons.filter((reason) => reason !== "none" && !reason.endsWith("-report"));
  const stateDetails = { ...details, state, reasons: capabilities.stateReasons, message: capabilities.stateMessage };
  results.push(
    capabilities.state === 5 || reasons.some((reason) => reason.endsWith("-error") || reason === "paused")
      ? warn(
        "printer.state",
        null,
        "WARN_PRINTER_STOPPED",
        `${label} is ${state}${reasons.length > 0 ? ` (${reasons.join(", ")})` : ""}${
          capabilities.stateMessage === "" ? "" : `: ${capabilities.stateMessage}`
        }`,
        "Jobs wait in the spool until the printer takes them again: resume the queue or clear the printer's error.",
        stateDetails,
      )
      : pass(
        "printer.state",
        null,
        `${label} is ${state}${reasons.length > 0 ? ` (${reasons.join(", ")})` : ""}`,
        stateDetails,
      ),
  );
  const takes = capabilities.formats.filter((format) => format !== "application/octet-stream");
  const pdf = takes.includes("application/pdf");
  const converted = RENDERED.filter((type) => !takes.includes(type));
  const formatDetails = { ...details, formats: takes, paper: capabilities.paper };
  if (!pdf) {
    results.push(
      warn(
        "printer.formats",
        null,
        "WARN_PRINTER_NO_PDF",
        `${label} does not take PDF (it takes ${
          takes.join(", ") || "nothing mps can name"
        }): documents in other formats are refused as cannot-convert`,
        "Print through a queue that accepts PDF (a CUPS or print-server queue with a driver does), or send only the formats it lists.",
        formatDetails,
      ),
    );
  } else {
    const officeNeeded = !takes.includes(OFFICE_EXAMPLE);
    const office = !officeNeeded
      ? "office documents go as they are"
      : soffice === undefined
      ? "office documents cannot be converted (LibreOffice not found)"
      : `office documents are converted with ${soffice}`;
    const made = converted.length === 0 ? "" : `; mps renders ${converted.join(", ")} as PDF on ${capabilities.paper}`;
    const finding = `${label} takes ${takes.join(", ")}${made}; ${office}`;
    results.push(
      officeNeeded && soffice === undefined
        ? warn(
          "printer.formats",
          null,
          "WARN_LIBREOFFICE_MISSING",
          finding,
          config.convert.soffice === "auto"
            ? 'Install LibreOffice (Debian: apt-get install libreoffice-writer-nogui) or set <convert soffice="PATH"/> to print Office, OpenDocument and RTF files.'
            : `<convert soffice="${config.convert.soffice}"/> names no program that can be run: correct the path.`,
          formatDetails,
        )
        : pass("printer.formats", null, finding, formatDetails),
    );
  }
  return results;
}
