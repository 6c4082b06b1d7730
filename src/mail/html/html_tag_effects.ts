import type { HtmlTextOutput } from "./html_text_output.ts";

// Elements that end a line before and after them.
const BLOCK = new Set([
  "address",
  "article",
  "aside",
  "blockquote",
  "caption",
  "center",
  "details",
  "dd",
  "div",
  "dl",
  "dt",
  "fieldset",
  "figcaption",
  "figure",
  "footer",
  "form",
  "h1",
  "h2",
  "h3",
  "h4",
  "h5",
  "h6",
  "header",
  "hr",
  "legend",
  "main",
  "nav",
  "p",
  "pre",
  "section",
  "summary",
  "table",
]);
// Elements whose content is never shown: skipped up to their end tag, or to the end when it is missing.
const HIDDEN = new Set(["script", "style", "title", "template", "iframe", "noembed", "noframes"]);
/** Nested lists are indented this deep at most; deeper ones print at the deepest indentation. */
const MAX_LIST_DEPTH = 16;
/**
 * What tags mean for the text of an HTML body: block elements and `<br>` end lines, list items
 * get a bullet or number (nested lists indented), table cells are separated by tabs and rows
 * by line breaks, `<pre>` keeps white space, a link's `http(s)` target follows its text.
 * Nesting is tracked by counters and a list stack of bounded depth, never by a tree.
 */
export class HtmlTagEffects {
  readonly #out: HtmlTextOutput;
  #pre = 0;
  #link: string | undefined;
  readonly #lists: number[] = [];
  #listDepth = 0;
  #cellInRow = false;

  constructor(out: HtmlTextOutput) {
    this.#out = out;
  }

  /**
   * A whole tag was read (`name` lower-cased, `href` the target of a link): writes what it
   * means for the text. True when the element's content is not shown and is to be skipped up
   * to its end tag.
   */
  tag(name: string, end: boolean, href: string | undefined): boolean {
    const out = this.#out;
    if (!end && HIDDEN.has(name)) return true;
    if (name === "br") out.newline();
    else if (name === "li") {
      if (!end) out.item(this.#bullet());
    } else if (name === "ul" || name === "ol") this.#list(name, end);
    else if (name === "td" || name === "th") {
      if (!end && this.#cellInRow) out.pad("\t");
      if (!end) this.#cellInRow = true;
    } else if (name === "a") this.#anchor(end, href);
    else if (name === "tr") {
      // rows follow each other line by line, without an empty line between them
      out.endLine();
      this.#cellInRow = false;
    } else if (BLOCK.has(name)) {
      out.newline();
      if (name === "pre") {
        this.#pre = Math.max(0, this.#pre + (end ? -1 : 1));
        out.preformatted = this.#pre > 0;
      }
    }
    return false;
  }

  #list(name: string, end: boolean): void {
    if (end) {
      if (this.#listDepth === 0) return;
      this.#listDepth--;
      if (this.#lists.length > this.#listDepth) this.#lists.pop();
      if (this.#listDepth === 0) this.#out.newline();
      return;
    }
    if (this.#listDepth === 0) this.#out.newline();
    this.#listDepth++;
    // a number counts the items of an <ol>; -1 marks a <ul>
    if (this.#lists.length < MAX_LIST_DEPTH) this.#lists.push(name === "ol" ? 0 : -1);
  }

  #bullet(): string {
    const depth = this.#lists.length;
    const indent = "  ".repeat(Math.max(0, depth - 1));
    const count = this.#lists[depth - 1];
    if (count === undefined || count < 0) return `${indent}• `;
    this.#lists[depth - 1] = count + 1;
    return `${indent}${count + 1}. `;
  }

  #anchor(end: boolean, href: string | undefined): void {
    const out = this.#out;
    const open = this.#link;
    if (open !== undefined) {
      // a link ends at </a> or where the next one starts
      this.#link = undefined;
      const label = out.endLabel();
      if (label === "") out.text(open);
      else if (label !== open) {
        out.space();
        out.text(`(${open})`);
      }
    }
    if (!end && href !== undefined) {
      this.#link = href;
      out.startLabel(href.length);
    }
  }
}
