import { readFile } from "node:fs/promises";
import type { Printer } from "../config/index.ts";
import type { Proxies } from "../shared/proxy.ts";
import { IppClient } from "./ipp_client.ts";
import type { IppValue } from "./ipp_codec.ts";
import { PrinterUnreachableError } from "./printer_unreachable_error.ts";

/** What mps needs to know about a printer before sending it a document. */
export interface PrinterCapabilities {
  /** `document-format-supported`, lower-cased. */
  readonly formats: readonly string[];
  /** Page size for documents mps renders: from `media-default`. */
  readonly paper: "a4" | "letter";
  /** `printer-state`: 3 idle, 4 processing, 5 stopped. */
  readonly state: number;
  readonly stateReasons: readonly string[];
  readonly stateMessage: string;
  readonly makeAndModel: string;
}

export const REQUESTED_ATTRIBUTES = [
  "document-format-supported",
  "media-default",
  "printer-state",
  "printer-state-reasons",
  "printer-state-message",
  "printer-make-and-model",
  "printer-is-accepting-jobs",
] as const;

/** How long printer attributes are trusted: long enough for a batch, short enough to see a change. */
const ATTRIBUTES_TTL_MS = 60_000;

/** One configured printer: its IPP client and its attributes, cached briefly. */
export class PrinterChannel {
  readonly printer: Printer;
  readonly #now: () => number;
  readonly #proxies: Proxies | undefined;
  #client: IppClient | undefined;
  #cached: { at: number; capabilities: PrinterCapabilities } | undefined;

  constructor(printer: Printer, now: () => number, proxies?: Proxies) {
    this.printer = printer;
    this.#now = now;
    this.#proxies = proxies;
  }

  async client(): Promise<IppClient> {
    if (this.#client !== undefined) return this.#client;
    const { printer } = this;
    let ca: string | undefined;
    if (printer.caFile !== undefined && /^(ipps|https):/i.test(printer.uri)) {
      try {
        ca = await readFile(printer.caFile, "utf8");
      } catch (cause) {
        throw new PrinterUnreachableError(
          `Cannot read caFile '${printer.caFile}' of printer '${printer.name}': ${(cause as Error).message}`,
          { cause, fix: "Point caFile at the PEM file of the CA that signed the printer's certificate" },
        );
      }
    }
    this.#client = new IppClient({
      name: printer.name,
      uri: printer.uri,
      ca,
      userName: printer.userName,
      password: printer.password,
      proxies: this.#proxies,
    });
    return this.#client;
  }

  async capabilities(fresh = false): Promise<PrinterCapabilities> {
    const cached = this.#cached;
    if (!fresh && cached !== undefined && this.#now() - cached.at < ATTRIBUTES_TTL_MS) return cached.capabilities;
    const attributes = await (await this.client()).getPrinterAttributes(REQUESTED_ATTRIBUTES);
    const capabilities = readCapabilities(attributes);
    this.#cached = { at: this.#now(), capabilities };
    return capabilities;
  }

  /** Forgets the attributes, so the next document asks again (after a refusal or an error). */
  forget(): void {
    this.#cached = undefined;
  }
}

function readCapabilities(attributes: ReadonlyMap<string, IppValue[]>): PrinterCapabilities {
  const strings = (name: string) =>
    (attributes.get(name) ?? []).filter((value): value is string => typeof value === "string");
  const media = strings("media-default")[0] ?? "";
  return {
    formats: strings("document-format-supported").map((format) => format.toLowerCase()),
    paper: /letter|legal|^na_|_8\.5x/i.test(media) ? "letter" : "a4",
    state: Number(attributes.get("printer-state")?.[0] ?? 3),
    stateReasons: strings("printer-state-reasons"),
    stateMessage: strings("printer-state-message")[0] ?? "",
    makeAndModel: strings("printer-make-and-model")[0] ?? "",
  };
}
