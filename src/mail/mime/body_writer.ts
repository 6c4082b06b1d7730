import type { MessageChunk, MimeNode, SplitterChunk } from "@zone-eu/mailsplit";

const LF = 0x0a;
const CR = 0x0d;
const EMPTY = Buffer.alloc(0);

/**
 * What the lines of a node that are no delimiter are: `data` (a multipart's preamble or
 * epilogue: nobody reads it, nothing is emitted), `keep` (the root's body: emitted whole), or
 * `trim` (a part's body, whose line end in front of a delimiter belongs to the delimiter).
 */
export type BodyMode = "data" | "keep" | "trim";

/**
 * Emits the body bytes of the current node as mailsplit's `body` events, slices of the input
 * where it can. Of a part's body it holds back the last 1-2 bytes (a line end, or a CR that may
 * begin one) until the next line shows whether a delimiter claims them.
 */
export class BodyWriter {
  /** Where the events go; set by the splitter for each write. */
  out: SplitterChunk[] = [];
  #node: MimeNode | undefined;
  #mode: BodyMode = "data";
  #held: Buffer = EMPTY;
  /** Body bytes emitted since the current run of body lines began. */
  #run = 0;

  /** How many bytes are held back. */
  get held(): number {
    return this.#held.length;
  }

  /** The body that follows is `node`'s; a new run of body lines begins. */
  start(node: MimeNode, mode: BodyMode): void {
    this.#node = node;
    this.#mode = mode;
    this.#held = EMPTY;
    this.#run = 0;
  }

  /**
   * The held bytes and `chunk[from, to)` are body, and more lines follow. `to` is a line start,
   * or inside a line when `midLine`.
   */
  release(chunk: Buffer, from: number, to: number, midLine: boolean): void {
    if (this.#mode === "keep") {
      if (to > from) this.emit(chunk.subarray(from, to));
      return;
    }
    if (this.#mode === "data") return;
    const held = this.#held;
    const total = held.length + to - from;
    if (total === 0) return;
    const at = (i: number): number | undefined => (i < held.length ? held[i] : chunk[from + i - held.length]);
    let keep = 0;
    if (!midLine) {
      keep = 1;
      if (total > 1 && at(total - 2) === CR) keep = 2;
    } else if (at(total - 1) === CR) {
      keep = 1;
    }
    const kept = keep === 0 ? EMPTY : Buffer.from(keep === 2 ? [CR, LF] : [at(total - 1) ?? CR]);
    this.#emitFrom(chunk, from, total - keep);
    this.#held = kept;
  }

  /**
   * The held bytes and `chunk[from, to)` end the run: a delimiter line follows. A part's body
   * loses the line end in front of it, except (as in mailsplit, for a delimiter that opens a new
   * part) when that line end is all of the run: then it is reported as the body.
   */
  beforeDelimiter(chunk: Buffer, from: number, to: number, opensPart: boolean): void {
    const held = this.#held;
    const total = held.length + to - from;
    if (this.#mode === "trim" && total > 0) {
      const at = (i: number): number | undefined => (i < held.length ? held[i] : chunk[from + i - held.length]);
      let trim = at(total - 1) === LF ? 1 : 0;
      if (trim === 1 && total > 1 && at(total - 2) === CR) trim = 2;
      this.#emitFrom(chunk, from, trim === total && this.#run === 0 && opensPart ? total : total - trim);
    } else if (this.#mode === "keep" && to > from) {
      this.emit(chunk.subarray(from, to));
    }
    this.#held = EMPTY;
    this.#run = 0;
  }

  /** The held bytes followed by `line`, which mailsplit checks as one line at the end; nothing is held after. */
  takeHeld(line: Buffer): Buffer {
    const held = this.#held;
    this.#held = EMPTY;
    if (held.length === 0) return line;
    return line.length === 0 ? held : Buffer.concat([held, line]);
  }

  /** Emits `value` as body of the current node, unless its lines are a multipart's own. */
  emit(value: Buffer): void {
    if (this.#mode === "data" || value.length === 0 || this.#node === undefined) return;
    this.#run += value.length;
    const item: MessageChunk = { node: this.#node, type: "body", value };
    this.out.push(item);
  }

  /** Emits the first `count` bytes of the held bytes followed by `chunk[from, ...)`. */
  #emitFrom(chunk: Buffer, from: number, count: number): void {
    const held = this.#held;
    this.#held = EMPTY;
    if (count <= 0) return;
    if (held.length > 0) {
      const part = Math.min(held.length, count);
      this.emit(part === held.length ? held : held.subarray(0, part));
      count -= part;
    }
    if (count > 0) this.emit(chunk.subarray(from, from + count));
  }
}
