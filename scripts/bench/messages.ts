import { randomBytes } from "node:crypto";

/** The mailbox every benchmark uses (the same user for mps and mbsync). */
export const BENCH_USER = "print@example.test";
export const BENCH_PASSWORD = "bench-password";

export interface BenchMessage {
  /** The whole message, CRLF line ends, as a server would store it. */
  readonly raw: Buffer;
  /** Decoded bytes of the attachment. */
  readonly attachmentBytes: number;
  readonly subject: string;
}

/** A PDF-looking document of `size` bytes: a PDF header, random bytes, an EOF marker. */
export function pdfBytes(size: number): Buffer {
  const head = Buffer.from("%PDF-1.4\n% mps benchmark\n");
  const tail = Buffer.from("\n%%EOF\n");
  return Buffer.concat([head, randomBytes(Math.max(0, size - head.length - tail.length)), tail]);
}

/** Base64 with 76-character lines joined by CRLF, as mail clients send it. */
export function base64Lines(content: Buffer): Buffer {
  const text = content.toString("base64");
  const lines: string[] = [];
  for (let at = 0; at < text.length; at += 76) lines.push(text.slice(at, at + 76));
  return Buffer.from(lines.join("\r\n"), "latin1");
}

/** The header and MIME lines around the attachment, with the attachment's base64 in the middle. */
export function messageParts(subject: string, fileName: string): { head: Buffer; tail: Buffer } {
  const id = `<${randomBytes(8).toString("hex")}@bench.example.test>`;
  const head = [
    "From: Alice Sender <Alice@Example.test>",
    `To: ${BENCH_USER}`,
    `Subject: ${subject}`,
    `Message-ID: ${id}`,
    `Date: ${new Date().toUTCString().replace("GMT", "+0000")}`,
    "MIME-Version: 1.0",
    'Content-Type: multipart/mixed; boundary="bench-boundary"',
    "",
    "--bench-boundary",
    "Content-Type: text/plain; charset=utf-8",
    "",
    "Please print the attached document.",
    "--bench-boundary",
    `Content-Type: application/pdf; name="${fileName}"`,
    `Content-Disposition: attachment; filename="${fileName}"`,
    "Content-Transfer-Encoding: base64",
    "",
    "",
  ].join("\r\n");
  const tail = "\r\n--bench-boundary--\r\n";
  return { head: Buffer.from(head, "latin1"), tail: Buffer.from(tail, "latin1") };
}

/** One message with one PDF attachment of `attachmentSize` random bytes. */
export function pdfMessage(subject: string, attachmentSize: number): BenchMessage {
  const { head, tail } = messageParts(subject, "document.pdf");
  const raw = Buffer.concat([head, base64Lines(pdfBytes(attachmentSize)), tail]);
  return { raw, attachmentBytes: attachmentSize, subject };
}
