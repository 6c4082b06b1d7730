/** Pending literal whitespace (from `&nbsp;`, table cells, `<pre>`) kept at most, so hostile input stays bounded. */
const MAX_PAD = 256;

/**
 * The plain text an HTML body becomes, built as it is read: runs of white space collapse to
 * one space, lines never start or end with spaces, at most one empty line in a row, a list
 * item's bullet appears only when the item has text. Finished text is gathered slice by slice
 * so no single join is large.
 */
export class HtmlTextOutput {
  readonly #max: number;
  readonly #slices: string[] = [];
  /** Characters written so far. */
  #length = 0;
  #parts: string[] = [];
  /** Something visible was written. */
  #any = false;
  /** The current line has visible text. */
  #line = false;
  /** Line breaks asked for since the last visible text (at most 2 are written). */
  #newlines = 0;
  /** A collapsible space is pending. */
  #space = false;
  /** Literal white space pending (`&nbsp;`, cell tabs, `<pre>` indentation). */
  #pad = "";
  /** A bullet or number waiting for the list item's first text. */
  #prefix = "";
  /** Inside `<pre>`: spaces at a line's start are kept. */
  preformatted = false;
  /** Visible text written since `startLabel()`, up to `#labelMax` characters; undefined when not collecting. */
  #label: string | undefined;
  #labelMax = 0;

  /** `max`: characters of text kept at most; what comes after is dropped and `full` turns true. */
  constructor(max: number) {
    this.#max = max;
  }

  /** The text reached its maximum length: the rest of the input can be passed over. */
  get full(): boolean {
    return this.#length >= this.#max;
  }

  /** Writes visible text (no white space handling: the caller passes runs without breaks). */
  text(value: string): void {
    if (value === "" || this.full) return;
    if (this.#newlines > 0) {
      if (this.#any) {
        this.#parts.push(this.#newlines > 1 ? "\n\n" : "\n");
        this.#length += this.#newlines > 1 ? 2 : 1;
      }
      this.#newlines = 0;
      this.#line = false;
    }
    let lead = "";
    if (!this.#line) {
      lead = this.preformatted ? this.#pad : this.#pad.replace(/^ +/, "");
      if (this.#prefix !== "") lead = this.#prefix + lead;
    } else {
      lead = this.#pad !== "" ? this.#pad : this.#space ? " " : "";
    }
    this.#pad = "";
    this.#space = false;
    this.#prefix = "";
    if (lead !== "") this.#parts.push(lead);
    this.#parts.push(value);
    this.#length += lead.length + value.length;
    this.#any = true;
    this.#line = true;
    if (this.#label !== undefined && this.#label.length <= this.#labelMax) {
      this.#label = (this.#label + lead + value).slice(0, this.#labelMax + 1);
    }
  }

  /** Collapsible white space in the source. */
  space(): void {
    this.#space = true;
  }

  /** White space that is kept as written (not collapsed), e.g. `&nbsp;` or a table cell's tab. */
  pad(value: string): void {
    if (this.#pad.length < MAX_PAD) this.#pad += value;
  }

  /** Asks for `count` line breaks before the next text; white space pending at the line's end is dropped. */
  newline(count = 1): void {
    this.#newlines += count;
    this.#space = false;
    this.#pad = "";
  }

  /** Ends the current line (one line break, however many are asked for in a row). */
  endLine(): void {
    this.newline(this.#newlines > 0 ? 0 : 1);
  }

  /** A list item: a new line whose first text is preceded by `prefix`. */
  item(prefix: string): void {
    this.newline();
    this.#prefix = prefix;
  }

  /** Starts collecting the visible text of a link, compared later with its target. */
  startLabel(max: number): void {
    this.#label = "";
    this.#labelMax = max;
  }

  /** The text collected since `startLabel()`, trimmed; collecting stops. */
  endLabel(): string {
    const label = (this.#label ?? "").trim();
    this.#label = undefined;
    return label;
  }

  /** Joins what was written so far into one string, so the final join stays small. */
  endSlice(): void {
    if (this.#parts.length === 0) return;
    this.#slices.push(this.#parts.join(""));
    this.#parts = [];
  }

  /** The whole text. */
  finish(): string {
    this.endSlice();
    return this.#slices.join("");
  }
}
