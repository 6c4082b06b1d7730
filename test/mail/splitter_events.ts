import { Splitter } from "@zone-eu/mailsplit";
import type { Transform } from "node:stream";
import type { MimeNode, SplitterChunk } from "@zone-eu/mailsplit";
import { MimeSplitter } from "../../src/mail/mime/mime_splitter.ts";
import type { MimeSplitterOptions } from "../../src/mail/mime/mime_splitter.ts";

/** What mps reads of a node, with its place in the tree as indices into the node list. */
export interface NodeSummary {
  readonly root: boolean;
  readonly parent: number;
  readonly depth: number;
  readonly contentType: string | false;
  readonly multipart: string | false;
  readonly filename: string | false;
  readonly disposition: string | false;
  readonly encoding: string | false;
  readonly charset: string | false;
  readonly flowed: boolean;
  readonly delSp: boolean;
  readonly partNr: string;
  readonly headers: string[] | false;
}

/** Body bytes in a row that went to the same node, after the same node event. */
export interface BodySegment {
  /** Index of the last node event before the bytes (where MimeWalker sends them). */
  readonly after: number;
  /** Index of the node the body events name. */
  readonly node: number;
  readonly bytes: string;
}

export interface SplitSummary {
  readonly nodes: NodeSummary[];
  readonly bodies: BodySegment[];
  readonly error: { readonly message: string; readonly code: unknown } | undefined;
}

/** Collects events into a summary; `error` ends it. */
export class SummaryBuilder {
  readonly #nodes: MimeNode[] = [];
  readonly #summaries: NodeSummary[] = [];
  readonly #bodies: Array<{ after: number; node: number; parts: Buffer[] }> = [];

  add(item: SplitterChunk): void {
    if (item.type === "node") {
      this.#nodes.push(item);
      this.#summaries.push(this.#summarize(item));
      return;
    }
    if (item.type !== "body" || item.value.length === 0) return;
    const after = this.#nodes.length - 1;
    const node = this.#nodes.indexOf(item.node);
    const last = this.#bodies.at(-1);
    if (last && last.after === after && last.node === node) last.parts.push(item.value);
    else this.#bodies.push({ after, node, parts: [item.value] });
  }

  finish(error?: unknown): SplitSummary {
    return {
      nodes: this.#summaries,
      bodies: this.#bodies.map(({ after, node, parts }) => ({
        after,
        node,
        bytes: Buffer.concat(parts).toString("latin1"),
      })),
      error: error === undefined
        ? undefined
        : { message: (error as Error).message, code: (error as { code?: unknown }).code },
    };
  }

  #summarize(node: MimeNode): NodeSummary {
    let depth = 0;
    for (let parent = node.parentNode; parent; parent = parent.parentNode) depth++;
    return {
      root: node.root,
      parent: node.parentNode ? this.#nodes.indexOf(node.parentNode) : -1,
      depth,
      contentType: node.contentType,
      multipart: node.multipart,
      filename: node.filename,
      disposition: node.disposition,
      encoding: node.encoding,
      charset: node.charset,
      flowed: node.flowed,
      delSp: node.delSp,
      partNr: JSON.stringify(node.partNr),
      headers: node.headers ? node.headers.getList().map((line) => line.line) : false,
    };
  }
}

/** mailsplit's `Splitter({ ignoreEmbedded: true })` fed `input` in one write: the reference. */
export async function mailsplitSummary(input: Buffer, options: MimeSplitterOptions = {}): Promise<SplitSummary> {
  const builder = new SummaryBuilder();
  const splitter = new Splitter({ ignoreEmbedded: true, ...options });
  // the typings declare only `data` events; the rest is the Transform stream it is
  const stream = splitter as unknown as Transform;
  const error = await new Promise<unknown>((resolve) => {
    splitter.on("data", (item) => builder.add(item));
    stream.once("end", () => resolve(undefined));
    stream.once("error", resolve);
    stream.end(input);
  });
  return builder.finish(error);
}

/** `MimeSplitter` fed `input` in writes of the given sizes (cycled; the whole input when none). */
export function mimeSplitterSummary(
  input: Buffer,
  sizes: readonly number[] = [],
  options: MimeSplitterOptions = {},
): SplitSummary {
  const builder = new SummaryBuilder();
  const splitter = new MimeSplitter(options);
  const events: SplitterChunk[] = [];
  let error: unknown;
  try {
    let at = 0;
    for (let n = 0; at < input.length; n++) {
      const size = sizes.length === 0 ? input.length : Math.max(1, sizes[n % sizes.length] ?? 1);
      splitter.write(input.subarray(at, at + size), events);
      at += size;
      for (const item of events) builder.add(item);
      events.length = 0;
    }
    splitter.end(events);
  } catch (caught) {
    error = caught;
  }
  for (const item of events) builder.add(item);
  return builder.finish(error);
}
