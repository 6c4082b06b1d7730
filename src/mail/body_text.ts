import { setImmediate } from "node:timers";
import type { JobBuilder } from "../spool/index.ts";
import { safeDocumentName } from "../spool/index.ts";
import { htmlToText, MAX_HTML_CHARS } from "./html/index.ts";
import type { MessageHeaders } from "./message_headers.ts";

/** How much body text is kept in memory for printing; the rest of a huge body is cut off. */
export const MAX_BODY_BYTES = 4 * 1024 * 1024;

const BOM = "\uFEFF";

/** Characters of the document encoded between two yields to the event loop. */
const ENCODE_SLICE_CHARS = 256 * 1024;

/** The subject is cut to this many characters before it is made a name (names keep at most 200 bytes anyway). */
const MAX_SUBJECT_CHARS = 1024;

/**
 * The text body of a message, collected while the message is read so `printBody` can be
 * decided at the end. Plain text parts win over HTML ones (multipart/alternative); HTML is
 * printed as crude plain text. The document is UTF-8 with a byte order mark and CRLF line
 * ends, so Windows print paths read umlauts right, and it starts with From/To/Date/Subject
 * lines the way a mail client prints a message.
 */
export class BodyText {
  readonly #plain: string[] = [];
  readonly #html: string[] = [];
  #bytes = 0;
  #truncated = false;
  #written = false;

  /** Bytes of body text that may still be kept. */
  get room(): number {
    return Math.max(0, MAX_BODY_BYTES - this.#bytes);
  }

  /** True once the body was written as a document (or decided against), so it is not added twice. */
  get written(): boolean {
    return this.#written;
  }

  add(kind: "plain" | "html", text: string, byteLength: number, truncated: boolean): void {
    if (this.#written) return;
    (kind === "plain" ? this.#plain : this.#html).push(text);
    this.#bytes += byteLength;
    this.#truncated ||= truncated;
  }

  /**
   * The body as plain text, or "" when the message has none worth printing. HTML is converted
   * in slices with yields to the event loop between them, so a huge or hostile body never
   * holds up the rest of the process.
   */
  async text(): Promise<string> {
    const plain = this.#plain.join("\n").trim();
    let text = plain;
    let truncated = this.#truncated;
    if (plain === "") {
      const html = this.#html.join("\n");
      text = await htmlToText(html);
      truncated ||= html.length > MAX_HTML_CHARS || text.length >= MAX_HTML_CHARS;
    }
    return truncated && text !== "" ? `${text}\n\n[... the rest of the message text was cut off]` : text;
  }

  /** Adds the body to the job as `<subject>.txt`; false (and nothing added) when there is no text. */
  async writeTo(builder: JobBuilder, headers: MessageHeaders | undefined): Promise<boolean> {
    if (this.#written) return false;
    this.#written = true;
    const text = await this.text();
    if (text === "") return false;
    const lines: string[] = [];
    if (headers?.from) lines.push(`From: ${headers.from}`);
    if (headers?.to) lines.push(`To: ${headers.to}`);
    if (headers?.date) lines.push(`Date: ${headers.date}`);
    if (headers?.subject) lines.push(`Subject: ${headers.subject}`);
    const document = `${BOM}${lines.length > 0 ? `${lines.join("\n")}\n\n` : ""}${text}\n`;
    await builder.addDocument(bodyDocumentName(headers?.subject ?? ""), "text/plain", encodeSliced(document));
    return true;
  }
}

/**
 * `<subject>.txt`, by the same rules as attachment names (at most 200 UTF-8 bytes, cut at a
 * character boundary, `.txt` kept); `message.txt` when the subject leaves nothing. A `/` or
 * `\\` in the subject is a character of the name, not a folder.
 */
function bodyDocumentName(subject: string): string {
  const cut = subject.length > MAX_SUBJECT_CHARS ? subject.slice(0, MAX_SUBJECT_CHARS) : subject;
  return safeDocumentName(`${cut.replace(/[\\/]/g, "_")}.txt`, new Set(), "message");
}

/**
 * The document as UTF-8 with CRLF line ends, a slice at a time with a yield between slices. A
 * slice never ends between a CR and its LF or between the halves of a surrogate pair.
 */
async function* encodeSliced(document: string): AsyncIterable<Uint8Array> {
  const encoder = new TextEncoder();
  for (let start = 0; start < document.length;) {
    let end = Math.min(document.length, start + ENCODE_SLICE_CHARS);
    const last = document.charCodeAt(end - 1);
    const pair = last === 0x0d ? document.charCodeAt(end) === 0x0a : last >= 0xd800 && last <= 0xdbff;
    if (end < document.length && pair) end++;
    yield encoder.encode(document.slice(start, end).replace(/\r?\n/g, "\r\n"));
    start = end;
    if (start < document.length) await new Promise<void>((resolve) => setImmediate(resolve));
  }
}
