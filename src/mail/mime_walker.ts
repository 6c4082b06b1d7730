import type { MessageChunk, SplitterChunk } from "@zone-eu/mailsplit";
import libmime from "libmime";
import { decode as decodeCharset } from "libmime/lib/charset.js";
import type { Readable, Transform } from "node:stream";
import type { EmailSource } from "../config/types.ts";
import type { JobBuilder } from "../spool/index.ts";
import type { BodyText } from "./body_text.ts";
import type { MessageHeaders } from "./message_headers.ts";
import { readMessageHeaders } from "./message_headers.ts";
import { MessageRejectedError } from "./message_rejected_error.ts";
import { Base64Decoder, DecodingSink, DISCARD, SplitterFeed } from "./mime/index.ts";
import type { PartSink } from "./mime/index.ts";
import { partFileName } from "./part_file_name.ts";
import { printablePart } from "./printable_part.ts";

type MimeNode = Exclude<SplitterChunk, MessageChunk>;

/** Forwarded messages inside forwarded messages are searched this deep. */
const MAX_DEPTH = 8;

/** What the walkers of one message (and of the messages forwarded in it) share. */
export interface WalkContext {
  readonly builder: JobBuilder;
  readonly source: EmailSource;
  readonly body: BodyText;
  /** Non-printable attachments, described for the Failed reason: `'a.zip' (application/zip)`. */
  readonly skipped: string[];
  /** The top-level message's headers, once read. */
  headers: MessageHeaders | undefined;
  /** Printable attachments seen so far. */
  attachments: number;
  /** Set from outside (the message is too large): the walk stops at the next event. */
  rejection: MessageRejectedError | undefined;
  /** Checks the top-level headers (sender); throws a rejection when they do not pass. */
  readonly checkHeaders: (headers: MessageHeaders) => void;
}

/**
 * Walks the MIME events of one message in order and sends each leaf part where it belongs:
 * printable attachments stream into the job, text bodies of the top-level message are kept for
 * `printBody`, forwarded messages are walked recursively, the rest is dropped undecoded.
 * Images an HTML body shows inline (a `Content-ID` inside multipart/related that the HTML
 * refers to as `cid:`, not marked `attachment`) are part of that body, not printed alone.
 */
export class MimeWalker {
  readonly #context: WalkContext;
  readonly #depth: number;
  /** `cid:` references of the HTML parts of this message seen so far, lower-cased. */
  readonly #cids = new Set<string>();
  #sink: PartSink = DISCARD;
  #sawRoot = false;

  constructor(context: WalkContext, depth: number) {
    this.#context = context;
    this.#depth = depth;
  }

  async walk(items: AsyncIterable<SplitterChunk>): Promise<void> {
    const iterator = items[Symbol.asyncIterator]();
    try {
      for (;;) {
        let step: IteratorResult<SplitterChunk>;
        try {
          step = await iterator.next();
        } catch (cause) {
          throw new MessageRejectedError(
            "unreadable",
            `The message cannot be read as MIME: ${(cause as Error).message}`,
            { cause },
          );
        }
        if (step.done) break;
        await this.#handle(step.value);
      }
      await this.#finishPart();
      if (!this.#sawRoot) throw new MessageRejectedError("unreadable", "The message is empty");
    } catch (error) {
      await this.#sink.abort();
      throw error;
    } finally {
      await iterator.return?.();
    }
  }

  async #handle(item: SplitterChunk): Promise<void> {
    const context = this.#context;
    if (item.type === "node") {
      await this.#finishPart();
      if (item.root) this.#readRoot(item);
      if (context.rejection) throw context.rejection;
      if (!item.multipart) this.#sink = await this.#sinkFor(item);
    } else if (item.type === "body") {
      if (context.rejection) throw context.rejection;
      await this.#sink.write(item.value);
    }
    // `data`: multipart preamble, boundaries and epilogue, no content
  }

  #readRoot(node: MimeNode): void {
    this.#sawRoot = true;
    if (this.#depth > 0) return;
    const headers = readMessageHeaders(node.headers);
    this.#context.headers = headers;
    if (headers.lineCount === 0) throw new MessageRejectedError("unreadable", "The message has no header lines");
    this.#context.checkHeaders(headers);
  }

  async #finishPart(): Promise<void> {
    const sink = this.#sink;
    this.#sink = DISCARD;
    await sink.end();
  }

  async #sinkFor(node: MimeNode): Promise<PartSink> {
    const context = this.#context;
    const type = node.contentType || "text/plain";
    if (type === "message/rfc822" || type === "message/global") {
      return this.#depth < MAX_DEPTH ? this.#forwarded(node) : DISCARD;
    }
    const rawName = node.filename || "";
    const attachment = node.disposition === "attachment" || rawName !== "";
    if (!attachment && (type === "text/plain" || type === "text/html")) return this.#bodyPart(node, type);
    if (this.#shownInHtml(node)) return DISCARD;
    const printType = printablePart(type, rawName, context.source.printableTypes);
    if (printType === undefined) {
      context.skipped.push(`'${rawName || "(unnamed)"}' (${type})`);
      return DISCARD;
    }
    context.attachments++;
    if (context.attachments > context.source.maxAttachments) {
      throw new MessageRejectedError(
        "too-many-attachments",
        `The message has more than ${context.source.maxAttachments} printable attachments, the maxAttachments of source '${context.source.name}'`,
      );
    }
    // printBody="always": the body prints first, as a mail client prints a message
    if (context.source.printBody === "always" && !context.body.written) {
      await context.body.writeTo(context.builder, context.headers);
    }
    const fileName = partFileName(rawName, printType);
    return new DecodingSink(decoderOf(node), (decoded) => context.builder.addDocument(fileName, printType, decoded));
  }

  /** A forwarded message: walked for attachments by a walker of its own, as it streams past. */
  #forwarded(node: MimeNode): PartSink {
    const walker = new MimeWalker(this.#context, this.#depth + 1);
    return new DecodingSink(decoderOf(node), async (decoded: Readable) => {
      const feed = new SplitterFeed((items) => walker.walk(items));
      try {
        for await (const chunk of decoded) await feed.write(chunk as Buffer);
      } catch (error) {
        await feed.close();
        throw error;
      }
      await feed.end();
    });
  }

  /** A text or HTML body part: kept (up to a limit) when it is the top-level message's body. */
  #bodyPart(node: MimeNode, type: string): PartSink {
    const html = type === "text/html";
    const keep = this.#depth === 0 && !this.#context.body.written;
    if (!html && !keep) return DISCARD;
    const body = this.#context.body;
    const cids = this.#cids;
    return new DecodingSink(decoderOf(node), async (decoded: Readable) => {
      const room = keep ? body.room : 0;
      const kept: Buffer[] = [];
      let size = 0;
      let tail = "";
      for await (const chunk of decoded as AsyncIterable<Buffer>) {
        if (size < room) kept.push(chunk.subarray(0, room - size));
        size += chunk.byteLength;
        if (html) tail = collectCids(tail + chunk.toString("latin1"), cids);
      }
      if (!keep) return;
      const bytes = Buffer.concat(kept);
      let text = decodeCharset(bytes, node.charset || "utf-8");
      if (node.flowed) text = libmime.decodeFlowed(text, node.delSp);
      body.add(html ? "html" : "plain", text, bytes.byteLength, size > room);
    });
  }

  #shownInHtml(node: MimeNode): boolean {
    if (node.disposition === "attachment" || !node.headers) return false;
    const contentId = node.headers.getFirst("content-id").trim().replace(/^<|>$/g, "").toLowerCase();
    if (contentId === "" || !this.#cids.has(contentId)) return false;
    for (let parent = node.parentNode; parent; parent = parent.parentNode) {
      if (parent.multipart === "related") return true;
    }
    return false;
  }
}

/** The transfer decoder of a part: base64 through the faster decoder, the rest as mailsplit has it. */
function decoderOf(node: MimeNode): Transform {
  return node.encoding === "base64" ? new Base64Decoder() : node.getDecoder();
}

/** Adds the `cid:` references in `text` to `cids`; returns the tail that may hold a reference cut in two. */
function collectCids(text: string, cids: Set<string>): string {
  const pattern = /cid:([^\s"'<>)]+)/gi;
  let end = 0;
  for (let match = pattern.exec(text); match; match = pattern.exec(text)) {
    if (match.index + match[0].length === text.length) break;
    cids.add(decodeCid(match[1] ?? ""));
    end = match.index + match[0].length;
  }
  return text.slice(Math.max(end, text.length - 512));
}

function decodeCid(reference: string): string {
  try {
    return decodeURIComponent(reference).toLowerCase();
  } catch {
    return reference.toLowerCase();
  }
}
