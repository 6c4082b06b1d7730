import { MimeNode } from "@zone-eu/mailsplit";
import type { SplitterChunk, SplitterOptions } from "@zone-eu/mailsplit";
import { BodyWriter } from "./body_writer.ts";
import { BOUNDARY_LINE_SUFFIX, BOUNDARY_MATCH, matchBoundary } from "./boundary_match.ts";
import { candidateVerdict, nextCandidate } from "./candidate_line.ts";
import { DELIMITER_KIND } from "./delimiter_kind.ts";
import type { Delimiter, DelimiterKind } from "./delimiter_kind.ts";
import { LineCarry } from "./line_carry.ts";
import { MimeLimitError } from "./mime_limit_error.ts";

const LF = 0x0a;
const CR = 0x0d;
const DASH = 0x2d;
const EMPTY = Buffer.alloc(0);

const MAX_HEAD_SIZE = 1024 * 1024;
const MAX_CHILD_NODES = 1000;
/** mailsplit's bound past which a pending header line is no delimiter and counts against maxHeadSize. */
const BOUNDARY_LINE_OVERHEAD = BOUNDARY_LINE_SUFFIX + 2;

export interface MimeSplitterOptions {
  /** Header bytes one part may have (every line counting at least 64), 1 MiB by default. */
  readonly maxHeadSize?: number;
  /** MIME parts a message may have, the top-level one included; 1000 by default. */
  readonly maxChildNodes?: number;
}

/**
 * Splits raw message bytes into the events mailsplit's `Splitter({ ignoreEmbedded: true })`
 * emits, synchronously and without walking the body a byte at a time: the same `MimeNode`s
 * (mailsplit's own class, so headers are parsed exactly as there) in the same order, and for
 * each leaf the same body bytes, given as slices of the input. Preamble, delimiter and epilogue
 * (`data`) events are left out. Lines end at LF, as in mailsplit; only a line that starts with
 * `--` or `\r--` can be a delimiter, so a body is crossed with `indexOf("--")`, and across
 * writes only a line that may still turn out to be a delimiter (or a header line) is kept.
 *
 * The reference is mailsplit fed the whole message in one write, and the result here does not
 * depend on where writes end. mailsplit's does, for two odd inputs: a line `\r--boundary` is no
 * delimiter there when a write ended inside or right after the body line before it (that line's
 * end, moved to the next line, makes it `\r\n\r--boundary`), and a part whose whole body is one
 * line end before the next part's delimiter has it as body only when the two lines came in one
 * write.
 */
export class MimeSplitter {
  /** Handed to every node, as mailsplit hands its options (only `Iconv` is read there). */
  readonly #config: SplitterOptions = { ignoreEmbedded: true };
  readonly #maxHeadSize: number;
  readonly #maxChildNodes: number;
  #node: MimeNode;
  #nodes = 0;
  #head = true;
  /** The current multipart's closing delimiter has been seen: its own boundary no longer counts. */
  #epilogue = false;
  /** The ancestor whose boundary the last delimiter line (`SIBLING` or `CLOSE_ANCESTOR`) matched. */
  #owner: MimeNode | false = false;
  /** The longest line that can still be a delimiter for the current node, 0 when none can. */
  #longest = 0;
  #longestBoundary = 0;
  /** Inside a line already known to be no delimiter (its start came in an earlier write). */
  #mid = false;
  /** The start of a line that is not complete yet: a header line, or a body line that may be a delimiter. */
  readonly #carry = new LineCarry();
  readonly #body = new BodyWriter();
  #out: SplitterChunk[] = [];
  #failure: Error | undefined;
  #ended = false;

  constructor(options: MimeSplitterOptions = {}) {
    this.#maxHeadSize = options.maxHeadSize || MAX_HEAD_SIZE;
    this.#maxChildNodes = options.maxChildNodes || MAX_CHILD_NODES;
    this.#node = this.#newNode(false);
    this.#nodeChanged();
  }

  /** Bytes kept back from earlier writes: the start of an incomplete line and a held line end. */
  get buffered(): number {
    return this.#carry.length + this.#body.held;
  }

  /**
   * Splits the next bytes, appending the events they complete to `events`. A message past the
   * limits throws a `MimeLimitError` after the events before the fault have been appended; the
   * splitter stays failed.
   */
  write(chunk: Buffer, events: SplitterChunk[]): void {
    this.#begin(events);
    try {
      const end = chunk.length;
      let pos = this.#carry.length > 0 ? this.#resume(chunk) : 0;
      while (pos < end) pos = this.#head ? this.#headLines(chunk, pos) : this.#bodyLines(chunk, pos);
    } catch (error) {
      throw this.#fail(error);
    }
  }

  /** The message ended: appends the events of its last line (mailsplit's final flush). */
  end(events: SplitterChunk[]): void {
    this.#begin(events);
    this.#ended = true;
    try {
      this.#flush();
    } catch (error) {
      throw this.#fail(error);
    }
  }

  #begin(events: SplitterChunk[]): void {
    if (this.#failure) throw this.#failure;
    if (this.#ended) throw new Error("MimeSplitter was written to after its end");
    this.#out = events;
    this.#body.out = events;
  }

  #fail(error: unknown): unknown {
    if (error instanceof Error) this.#failure = error;
    return error;
  }

  #headLines(chunk: Buffer, pos: number): number {
    const end = chunk.length;
    while (pos < end) {
      const lf = chunk.indexOf(LF, pos);
      if (lf < 0) {
        this.#keep(chunk, pos, end);
        return end;
      }
      this.#headLine(chunk.subarray(pos, lf + 1));
      pos = lf + 1;
      if (!this.#head) break;
    }
    return pos;
  }

  #headLine(line: Buffer): void {
    const kind = this.#kind(line, 0, line.length);
    if (kind !== DELIMITER_KIND.NONE) {
      this.#delimiter(kind, true);
      return;
    }
    const node = this.#node;
    const endsBlock = node.addHeaderChunk(line);
    this.#checkHeadSize(0);
    if (endsBlock) this.#endHead();
  }

  #endHead(): void {
    const node = this.#node;
    node.parseHeaders();
    // ignoreEmbedded: a message/rfc822 part is a leaf, as mailsplit marks it
    if (node.contentType === "message/rfc822") node.messageNode = false;
    this.#head = false;
    this.#nodeChanged();
    this.#out.push(node);
  }

  #checkHeadSize(extra: number): void {
    if (this.#node.headerCost(extra) > this.#maxHeadSize) {
      throw new MimeLimitError("Max header size for a MIME node exceeded");
    }
  }

  /**
   * Body or preamble/epilogue lines from `pos`, a line start unless `#mid`, up to the end of
   * the chunk or the first delimiter that leads into a header block.
   */
  #bodyLines(chunk: Buffer, pos: number): number {
    const end = chunk.length;
    let region = pos;
    if (this.#longest === 0) {
      // no boundary applies to this node (a root without one): nothing can end it
      this.#mid = chunk[end - 1] !== LF;
      this.#body.release(chunk, region, end, this.#mid);
      return end;
    }
    for (;;) {
      if (this.#mid) {
        const lf = chunk.indexOf(LF, pos);
        if (lf < 0) {
          this.#body.release(chunk, region, end, true);
          return end;
        }
        pos = lf + 1;
        this.#mid = false;
      }
      const start = nextCandidate(chunk, pos);
      if (start < 0) {
        this.#endAtTail(chunk, region, pos);
        return end;
      }
      const lf = chunk.indexOf(LF, start);
      if (lf < 0) {
        if (end - start > this.#longest) {
          this.#mid = true;
          pos = start;
          continue;
        }
        this.#body.release(chunk, region, start, false);
        this.#keep(chunk, start, end);
        return end;
      }
      pos = lf + 1;
      const kind = this.#kind(chunk, start, pos);
      if (kind === DELIMITER_KIND.NONE) continue;
      this.#body.beforeDelimiter(
        chunk,
        region,
        start,
        kind === DELIMITER_KIND.CHILD || kind === DELIMITER_KIND.SIBLING,
      );
      this.#delimiter(kind, true);
      if (this.#head) return pos;
      region = pos;
    }
  }

  /**
   * No candidate line from `pos` on: the rest is body, except a last line so short that it may
   * still become one (`-`, `\r`, `\r-`), which is kept.
   */
  #endAtTail(chunk: Buffer, region: number, pos: number): void {
    const end = chunk.length;
    const lineStart = (i: number): boolean => i >= pos && (i === pos || chunk[i - 1] === LF);
    const last = chunk[end - 1];
    let tail = -1;
    if ((last === DASH || last === CR) && lineStart(end - 1)) tail = end - 1;
    else if (last === DASH && chunk[end - 2] === CR && lineStart(end - 2)) tail = end - 2;
    if (tail >= 0) {
      this.#body.release(chunk, region, tail, false);
      this.#keep(chunk, tail, end);
      return;
    }
    this.#mid = last !== LF;
    this.#body.release(chunk, region, end, this.#mid);
  }

  /**
   * Continues the incomplete line kept from earlier writes with the start of `chunk`; returns
   * where the rest of the chunk begins (its length when all of it went into the line).
   */
  #resume(chunk: Buffer): number {
    const end = chunk.length;
    if (this.#head) {
      const lf = chunk.indexOf(LF);
      if (lf < 0) {
        this.#keep(chunk, 0, end);
        return end;
      }
      this.#headLine(this.#carry.take(chunk.subarray(0, lf + 1)));
      return lf + 1;
    }
    const verdict = this.#carry.length >= 3 ? 1 : candidateVerdict(this.#carry.joined(chunk.subarray(0, 3)));
    if (verdict === -1) {
      this.#keep(chunk, 0, end);
      return end;
    }
    if (verdict === 1) {
      const room = this.#longest - this.#carry.length;
      const lf = room > 0 ? chunk.subarray(0, Math.min(end, room)).indexOf(LF) : -1;
      if (lf >= 0) {
        const line = this.#carry.joined(chunk.subarray(0, lf + 1));
        const kind = this.#kind(line, 0, line.length);
        if (kind !== DELIMITER_KIND.NONE) {
          this.#carry.clear();
          this.#body.beforeDelimiter(EMPTY, 0, 0, kind === DELIMITER_KIND.CHILD || kind === DELIMITER_KIND.SIBLING);
          this.#delimiter(kind, true);
          return lf + 1;
        }
      } else if (end < room) {
        this.#keep(chunk, 0, end);
        return end;
      }
    }
    // no delimiter after all: the kept start of the line is body, and so is the rest of it
    const start = this.#carry.take();
    this.#body.release(start, 0, start.length, true);
    this.#mid = true;
    return 0;
  }

  /** mailsplit's final `processLine(false, true)`: the last line, without a line end. */
  #flush(): void {
    const line = this.#carry.take();
    if (this.#head) {
      const kind = this.#kind(line, 0, line.length);
      if (kind !== DELIMITER_KIND.NONE) {
        this.#delimiter(kind, false);
        return;
      }
      // a header block without its blank line still makes a node, as the empty line makes one of no headers
      this.#node.addHeaderChunk(line);
      this.#checkHeadSize(0);
      this.#endHead();
      return;
    }
    // mailsplit kept the line end of the last body line for this line, where it may start a delimiter
    const last = this.#body.takeHeld(line);
    const kind = this.#kind(last, 0, last.length);
    if (kind !== DELIMITER_KIND.NONE) {
      this.#delimiter(kind, false);
      return;
    }
    this.#body.emit(last);
  }

  /** mailsplit's `checkBoundary` on `line[start, end)`: what the line is to the tree. */
  #kind(line: Buffer, start: number, end: number): DelimiterKind {
    const length = end - start;
    if (this.#longest === 0 || length < 4) return DELIMITER_KIND.NONE;
    let startpos = 0;
    if (line[start] === CR || line[start] === LF) {
      startpos++;
      if (line[start] === CR && line[start + 1] === LF) startpos++;
    }
    if (line[start + startpos] !== DASH || line[start + startpos + 1] !== DASH) return DELIMITER_KIND.NONE;
    const node = this.#node;
    if (!this.#epilogue && node._boundary) {
      const own = matchBoundary(line, start, end, startpos, node._boundary);
      if (own !== BOUNDARY_MATCH.NONE) {
        return own === BOUNDARY_MATCH.DELIMITER ? DELIMITER_KIND.CHILD : DELIMITER_KIND.CLOSE_OWN;
      }
    }
    for (let owner = node._parentBoundaryOwner; owner; owner = owner._parentBoundaryOwner) {
      if (!owner._boundary) continue;
      const match = matchBoundary(line, start, end, startpos, owner._boundary);
      if (match !== BOUNDARY_MATCH.NONE) {
        this.#owner = owner;
        return match === BOUNDARY_MATCH.DELIMITER ? DELIMITER_KIND.SIBLING : DELIMITER_KIND.CLOSE_ANCESTOR;
      }
    }
    return DELIMITER_KIND.NONE;
  }

  /**
   * A delimiter line: `CHILD` starts a child of the current node, `CLOSE_OWN` (a closing delimiter
   * in the preamble) changes nothing, `SIBLING` starts a sibling under the matching ancestor,
   * `CLOSE_ANCESTOR` closes that ancestor (a part that had only headers so far is emitted first)
   * and reads its epilogue.
   * More parts than allowed fail at once when a line follows, as mailsplit fails on the next line.
   */
  #delimiter(kind: Delimiter, lineFollows: boolean): void {
    const owner = this.#owner;
    if (kind === DELIMITER_KIND.CHILD) this.#node = this.#newNode(this.#node);
    else if (kind === DELIMITER_KIND.SIBLING && owner) this.#node = this.#newNode(owner);
    else if (kind === DELIMITER_KIND.CLOSE_ANCESTOR && owner) {
      const node = this.#node;
      if (node._headerlen && !node.headers) {
        node.parseHeaders();
        this.#out.push(node);
      }
      this.#node = owner;
      this.#epilogue = true;
      this.#head = false;
    }
    this.#mid = false;
    this.#nodeChanged();
    if (lineFollows && this.#nodes > this.#maxChildNodes) throw new MimeLimitError("Max allowed child nodes exceeded");
  }

  #newNode(parent: MimeNode | false): MimeNode {
    const node = new MimeNode(parent, this.#config);
    this.#head = true;
    this.#epilogue = false;
    this.#nodes++;
    return node;
  }

  /** After the node or its headers changed: which boundaries apply, and what its lines are. */
  #nodeChanged(): void {
    const node = this.#node;
    let longest = node._boundary ? node._boundary.length : 0;
    for (let owner = node._parentBoundaryOwner; owner; owner = owner._parentBoundaryOwner) {
      if (owner._boundary && owner._boundary.length > longest) longest = owner._boundary.length;
    }
    this.#longestBoundary = longest;
    this.#longest = longest === 0 ? 0 : longest + BOUNDARY_LINE_SUFFIX + 1;
    this.#body.start(node, node.multipart ? "data" : node.parentNode ? "trim" : "keep");
  }

  /** Keeps `chunk[from, to)` as part of the incomplete line, within the limits. */
  #keep(chunk: Buffer, from: number, to: number): void {
    this.#carry.add(chunk, from, to);
    // past what a delimiter line can be, a header line counts against maxHeadSize before it is complete
    if (this.#head && this.#carry.length > this.#longestBoundary + BOUNDARY_LINE_OVERHEAD) {
      this.#checkHeadSize(this.#carry.length);
    }
  }
}
