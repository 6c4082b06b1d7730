const EMPTY = Buffer.alloc(0);

/** A line fed a byte at a time is compacted now and then, not kept as a Buffer per byte. */
const MAX_PARTS = 1024;

/**
 * The start of a line that is not complete at the end of a write, kept as copies so that the
 * written chunks it came from can be freed.
 */
export class LineCarry {
  #parts: Buffer[] = [];
  #length = 0;

  get length(): number {
    return this.#length;
  }

  /** Appends a copy of `chunk[from, to)`. */
  add(chunk: Buffer, from: number, to: number): void {
    if (to <= from) return;
    this.#parts.push(Buffer.from(chunk.subarray(from, to)));
    this.#length += to - from;
    if (this.#parts.length >= MAX_PARTS) this.#parts = [Buffer.concat(this.#parts, this.#length)];
  }

  /** The kept bytes followed by `rest`, in one buffer; the carry stays as it is. */
  joined(rest: Buffer = EMPTY): Buffer {
    if (this.#parts.length === 1 && rest.length === 0) return this.#parts[0] ?? EMPTY;
    return Buffer.concat([...this.#parts, rest], this.#length + rest.length);
  }

  /** The kept bytes followed by `rest`; the carry is empty after. */
  take(rest: Buffer = EMPTY): Buffer {
    const line = this.joined(rest);
    this.clear();
    return line;
  }

  clear(): void {
    this.#parts = [];
    this.#length = 0;
  }
}
