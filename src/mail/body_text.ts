import type { JobBuilder } from "../spool/index.ts";
import { htmlToText } from "./html_to_text.ts";
import type { MessageHeaders } from "./message_headers.ts";

/** How much body text is kept in memory for printing; the rest of a huge body is cut off. */
export const MAX_BODY_BYTES = 4 * 1024 * 1024;

const BOM = "\uFEFF";

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

  /** The body as plain text, or "" when the message has none worth printing. */
  text(): string {
    const plain = this.#plain.join("\n").trim();
    const text = plain !== "" ? plain : htmlToText(this.#html.join("\n"));
    return this.#truncated && text !== "" ? `${text}\n\n[... the rest of the message text was cut off]` : text;
  }

  /** Adds the body to the job as `<subject>.txt`; false (and nothing added) when there is no text. */
  async writeTo(builder: JobBuilder, headers: MessageHeaders | undefined): Promise<boolean> {
    if (this.#written) return false;
    this.#written = true;
    const text = this.text();
    if (text === "") return false;
    const lines: string[] = [];
    if (headers?.from) lines.push(`From: ${headers.from}`);
    if (headers?.to) lines.push(`To: ${headers.to}`);
    if (headers?.date) lines.push(`Date: ${headers.date}`);
    if (headers?.subject) lines.push(`Subject: ${headers.subject}`);
    const document = `${BOM}${lines.length > 0 ? `${lines.join("\n")}\n\n` : ""}${text}\n`.replace(/\r?\n/g, "\r\n");
    const name = `${(headers?.subject ?? "").replace(/[\\/]/g, "_").slice(0, 100).trim() || "message"}.txt`;
    await builder.addDocument(name, "text/plain", once(new TextEncoder().encode(document)));
    return true;
  }
}

async function* once(bytes: Uint8Array): AsyncIterable<Uint8Array> {
  yield bytes;
}
