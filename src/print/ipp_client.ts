import { createReadStream } from "node:fs";
import * as http from "node:http";
import * as https from "node:https";
import { isIP } from "node:net";
import type { Socket } from "node:net";
import { connect as tlsConnect } from "node:tls";
import { errnoCode } from "../shared/errno.ts";
import { NO_PROXIES, proxyFor } from "../shared/proxy.ts";
import type { Proxies } from "../shared/proxy.ts";
import { openTunnel } from "../shared/proxy_tunnel.ts";
import { decodeResponse, encodeRequest, TAG } from "./ipp_codec.ts";
import type { IppResponse, IppValue, OutAttribute } from "./ipp_codec.ts";
import { isSuccess, OPERATION } from "./ipp_status.ts";
import { PrinterRefusedError } from "./printer_refused_error.ts";
import { PrinterUnreachableError } from "./printer_unreachable_error.ts";

export interface IppClientOptions {
  /** The printer's name in the config, for messages. */
  readonly name: string;
  readonly uri: string;
  /** PEM text of the CA that signed an ipps:// printer's certificate. */
  readonly ca: string | undefined;
  readonly userName: string;
  readonly password: string;
  /** Longest wait for an answer, ms. */
  readonly timeoutMs?: number;
  /** The printer is reached through the https proxy (a CONNECT tunnel) unless noProxy exempts its host. */
  readonly proxies?: Proxies | undefined;
}

export interface PrintJobRequest {
  readonly userName: string;
  readonly jobName: string;
  readonly format: string;
  readonly file: string;
  readonly size: number;
}

export interface PrinterJob {
  readonly id: number;
  readonly name: string;
  readonly state: number;
  readonly user: string;
}

const MAX_ANSWER = 16 * 1024 * 1024;
let nextRequestId = 1;

/** A printer spoken to over IPP/1.1 (RFC 8011) on HTTP or HTTPS. */
export class IppClient {
  readonly #options: IppClientOptions;
  readonly #url: URL;
  /** `printer-uri` as IPP wants it: the ipp:// or ipps:// form. */
  readonly printerUri: string;

  constructor(options: IppClientOptions) {
    this.#options = options;
    const given = new URL(options.uri);
    const secure = given.protocol === "ipps:" || given.protocol === "https:";
    const port = given.port === "" ? (given.protocol.startsWith("ipp") ? "631" : secure ? "443" : "80") : given.port;
    this.#url = new URL(`${secure ? "https" : "http"}://${given.host}${given.pathname}${given.search}`);
    this.#url.port = port;
    const ipp = new URL(`${secure ? "ipps" : "ipp"}://${given.host}${given.pathname}`);
    ipp.port = port === "631" ? "" : port;
    this.printerUri = ipp.href;
  }

  async getPrinterAttributes(requested: readonly string[]): Promise<ReadonlyMap<string, IppValue[]>> {
    const response = await this.#call("Get-Printer-Attributes", OPERATION.getPrinterAttributes, [
      { tag: TAG.keyword, name: "requested-attributes", values: requested },
    ]);
    return response.groups.find((group) => group.tag === TAG.printerAttributes)?.attributes ?? new Map();
  }

  /** Sends one document as one job; returns the printer's job id. */
  async printJob(request: PrintJobRequest): Promise<{ readonly jobId: number; readonly message: string }> {
    const response = await this.#call(
      "Print-Job",
      OPERATION.printJob,
      [
        { tag: TAG.name, name: "requesting-user-name", values: [request.userName] },
        { tag: TAG.name, name: "job-name", values: [request.jobName] },
        { tag: TAG.mimeMediaType, name: "document-format", values: [request.format] },
      ],
      { file: request.file, size: request.size },
    );
    const job = response.groups.find((group) => group.tag === TAG.jobAttributes)?.attributes;
    const id = job?.get("job-id")?.[0];
    if (typeof id !== "number") {
      throw new PrinterUnreachableError(
        `Printer '${this.#options.name}' accepted Print-Job but gave no job-id`,
        { fix: "The printer's IPP answer is incomplete; check its firmware or print server" },
      );
    }
    return { jobId: id, message: statusMessage(response) };
  }

  /** The printer's jobs, finished ones included, as `userName` may see them. */
  async getJobs(userName: string): Promise<PrinterJob[]> {
    const response = await this.#call("Get-Jobs", OPERATION.getJobs, [
      { tag: TAG.name, name: "requesting-user-name", values: [userName] },
      { tag: TAG.keyword, name: "which-jobs", values: ["all"] },
      {
        tag: TAG.keyword,
        name: "requested-attributes",
        values: ["job-id", "job-name", "job-state", "job-originating-user-name"],
      },
    ]);
    return response.groups.filter((group) => group.tag === TAG.jobAttributes).map((group) => ({
      id: Number(group.attributes.get("job-id")?.[0] ?? 0),
      name: String(group.attributes.get("job-name")?.[0] ?? ""),
      state: Number(group.attributes.get("job-state")?.[0] ?? 0),
      user: String(group.attributes.get("job-originating-user-name")?.[0] ?? ""),
    }));
  }

  async #call(
    label: string,
    operation: number,
    attributes: readonly OutAttribute[],
    document?: { readonly file: string; readonly size: number },
  ): Promise<IppResponse> {
    const head = encodeRequest(operation, nextRequestId++ & 0x7fffffff || 1, [
      {
        tag: TAG.operationAttributes,
        attributes: [
          { tag: TAG.charset, name: "attributes-charset", values: ["utf-8"] },
          { tag: TAG.naturalLanguage, name: "attributes-natural-language", values: ["en"] },
          { tag: TAG.uri, name: "printer-uri", values: [this.printerUri] },
          ...attributes,
        ],
      },
    ]);
    const bytes = await this.#post(label, head, document);
    let response: IppResponse;
    try {
      response = decodeResponse(bytes);
    } catch (cause) {
      throw new PrinterUnreachableError(
        `Printer '${this.#options.name}' answered ${label} with something that is not IPP: ${(cause as Error).message}`,
        { cause, fix: "Check that the printer's uri names its IPP endpoint (often /ipp/print or /printers/QUEUE)" },
      );
    }
    if (!isSuccess(response.status)) {
      throw new PrinterRefusedError(this.#options.name, label, response.status, statusMessage(response));
    }
    return response;
  }

  async #post(
    label: string,
    head: Uint8Array,
    document: { readonly file: string; readonly size: number } | undefined,
  ): Promise<Uint8Array> {
    const { name, userName, password, ca } = this.#options;
    const secure = this.#url.protocol === "https:";
    const where = `${label} to printer '${name}' (${this.#url.origin}${this.#url.pathname})`;
    const timeoutMs = this.#options.timeoutMs ?? 60_000;
    const tunnel = await this.#tunnel(where, timeoutMs);
    const headers: Record<string, string> = {
      "content-type": "application/ipp",
      "content-length": String(head.byteLength + (document?.size ?? 0)),
    };
    if (userName !== "" && password !== "") {
      headers["authorization"] = `Basic ${Buffer.from(`${userName}:${password}`).toString("base64")}`;
    }
    return new Promise((resolve, reject) => {
      const fail = (error: Error) => reject(error);
      const options: https.RequestOptions = {
        method: "POST",
        headers,
        timeout: timeoutMs,
        // Through a proxy the connection (TLS included) is already made: HTTP only speaks on it.
        ...(tunnel === undefined
          ? secure && ca !== undefined ? { ca } : {}
          : { protocol: "http:", createConnection: () => tunnel }),
      };
      const request = (secure && tunnel === undefined ? https : http).request(this.#url, options, (answer) => {
        const chunks: Buffer[] = [];
        let size = 0;
        answer.on("data", (chunk: Buffer) => {
          size += chunk.byteLength;
          if (size > MAX_ANSWER) {
            answer.destroy();
            fail(new PrinterUnreachableError(`${where}: the answer is larger than ${MAX_ANSWER} bytes`));
            return;
          }
          chunks.push(chunk);
        });
        answer.on("error", (cause) => fail(unreachable(where, cause)));
        answer.on("end", () => {
          const status = answer.statusCode ?? 0;
          if (status === 401 || status === 403) {
            fail(
              new PrinterUnreachableError(`${where}: HTTP ${status} ${answer.statusMessage ?? ""}`.trimEnd(), {
                fix: userName === ""
                  ? "The printer asks for a sign-in: set userName and password on the printer in mps.config"
                  : "The printer refused the userName and password in mps.config: correct them",
              }),
            );
          } else if (status !== 200) {
            fail(new PrinterUnreachableError(`${where}: HTTP ${status} ${answer.statusMessage ?? ""}`.trimEnd()));
          } else {
            resolve(new Uint8Array(Buffer.concat(chunks)));
          }
        });
      });
      request.on("timeout", () => request.destroy(new Error(`no answer within ${options.timeout} ms`)));
      request.on("error", (cause) => fail(unreachable(where, cause)));
      request.write(head);
      if (document === undefined) {
        request.end();
        return;
      }
      const stream = createReadStream(document.file);
      stream.on("error", (cause) => {
        request.destroy();
        fail(unreachable(where, cause));
      });
      stream.pipe(request);
    });
  }

  /**
   * The connection through the proxy, for ipps:// with TLS to the printer inside the tunnel; undefined
   * when the printer is reached directly. A proxy that is down or refuses throws its own `ProxyError`.
   */
  async #tunnel(where: string, timeoutMs: number): Promise<Socket | undefined> {
    const host = this.#url.hostname.replace(/^\[|\]$/g, "");
    const proxy = proxyFor(this.#options.proxies ?? NO_PROXIES, "https", host);
    if (proxy === undefined) return undefined;
    const socket = await openTunnel(proxy, host, Number(this.#url.port), timeoutMs);
    if (this.#url.protocol !== "https:") return socket;
    const { ca } = this.#options;
    return await new Promise<Socket>((resolve, reject) => {
      const secured = tlsConnect({
        socket,
        ...(isIP(host) === 0 ? { servername: host } : {}),
        ...(ca === undefined ? {} : { ca }),
      });
      secured.setTimeout(timeoutMs, () => secured.destroy(new Error(`no answer within ${timeoutMs} ms`)));
      secured.once("secureConnect", () => {
        secured.setTimeout(0);
        secured.removeAllListeners("error");
        // The request listens from here on; an error before it does must not end the process.
        secured.on("error", () => undefined);
        resolve(secured);
      });
      secured.once("error", (cause) => {
        socket.destroy();
        reject(unreachable(where, cause));
      });
    });
  }
}

function unreachable(where: string, cause: Error): PrinterUnreachableError {
  const code = errnoCode(cause);
  return new PrinterUnreachableError(`Cannot send ${where}: ${cause.message}${code ? ` (${code})` : ""}`, { cause });
}

function statusMessage(response: IppResponse): string {
  const value = response.groups.find((group) => group.tag === TAG.operationAttributes)?.attributes.get(
    "status-message",
  )?.[0];
  return typeof value === "string" ? value : "";
}
