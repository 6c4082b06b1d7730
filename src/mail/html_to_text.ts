import { setImmediate } from "node:timers";
import { htmlEntity } from "./html_entity.ts";
import { HtmlTextOutput } from "./html_text_output.ts";

/**
 * The most HTML converted per message, and the longest text made of it (UTF-16 code units, so
 * no more than the 4 MiB of body bytes kept): what follows is left out, and the document says
 * the text was cut off. The text has its own limit because markup can grow (a nested list item
 * of 8 characters becomes an indented bullet line of up to 40).
 */
export const MAX_HTML_CHARS = 4 * 1024 * 1024;

/** Characters converted between two yields to the event loop (well under a millisecond of work). */
export const HTML_SLICE_CHARS = 32 * 1024;

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
/** What `#find` returns when the text looked for starts nowhere before the limit, or nowhere at all. */
const LATER = -1;
const NOWHERE = -2;
/** Tag and attribute names longer than this are none mps acts on, so only this much is kept. */
const MAX_NAME = 12;
/** A link target longer than this is not printed after its text. */
const MAX_HREF = 2048;

const STATE = {
  data: 0,
  tagName: 1,
  beforeAttribute: 2,
  attributeName: 3,
  afterAttributeName: 4,
  beforeValue: 5,
  quotedValue: 6,
  unquotedValue: 7,
  comment: 8,
  bogusComment: 9,
  hidden: 10,
} as const;
type State = typeof STATE[keyof typeof STATE];

/**
 * Plain text of an HTML body, good enough to print what the sender wrote: `<script>`, `<style>`,
 * `<title>` and comments dropped, block elements and `<br>` become line breaks, list items get
 * a bullet (`1.` in `<ol>`), table cells a tab, links keep an `http(s)` target after their
 * text, character references are decoded.
 *
 * One pass of a small state machine over the input, each character looked at a bounded number
 * of times, so the time is linear in the size whatever the markup (unclosed tags, comments,
 * quotes, deep nesting). Work is split into slices of {@link HTML_SLICE_CHARS} with a yield to
 * the event loop between them; input past {@link MAX_HTML_CHARS} is not converted.
 */
export async function htmlToText(html: string): Promise<string> {
  const converter = new HtmlConverter(cutAt(html, MAX_HTML_CHARS));
  for (;;) {
    converter.run(HTML_SLICE_CHARS);
    if (converter.done) return converter.finish();
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}

/** `text` cut to at most `max` code units, never between the halves of a surrogate pair. */
function cutAt(text: string, max: number): string {
  if (text.length <= max) return text;
  const high = text.charCodeAt(max - 1);
  return text.slice(0, high >= 0xd800 && high <= 0xdbff ? max - 1 : max);
}

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x09 || c === 0x0d || c === 0x0c;
}

function isLetter(c: number): boolean {
  const lower = c | 0x20;
  return lower >= 0x61 && lower <= 0x7a;
}

/** Ends an unquoted attribute value, tag name or attribute name. */
function endsName(c: number): boolean {
  return isSpace(c) || c === 0x3e /* > */ || c === 0x2f; /* / */
}

class HtmlConverter {
  readonly #html: string;
  readonly #out = new HtmlTextOutput(MAX_HTML_CHARS);
  #i = 0;
  #state: State = STATE.data;
  // The tag being read.
  #tag = "";
  #endTag = false;
  #attribute = "";
  #quote = 0;
  #valueStart = 0;
  #href: string | undefined;
  // What the document is in.
  #hiddenUntil = "";
  #pre = 0;
  #link: string | undefined;
  readonly #lists: number[] = [];
  #listDepth = 0;
  #cellInRow = false;

  constructor(html: string) {
    this.#html = html;
  }

  get done(): boolean {
    return this.#i >= this.#html.length || this.#out.full;
  }

  /** Converts about `budget` more characters (a little more to finish a token). */
  run(budget: number): void {
    const limit = Math.min(this.#html.length, this.#i + budget);
    while (this.#i < limit && !this.#out.full) {
      switch (this.#state) {
        case STATE.data:
          this.#data(limit);
          break;
        case STATE.comment:
        case STATE.bogusComment:
          this.#skipComment(limit);
          break;
        case STATE.hidden:
          this.#skipHidden(limit);
          break;
        default:
          this.#inTag(limit);
      }
    }
    this.#out.endSlice();
  }

  finish(): string {
    return this.#out.finish();
  }

  /** Text up to the next tag; `<` that starts no tag, comment or declaration is text. */
  #data(limit: number): void {
    const html = this.#html;
    const out = this.#out;
    let i = this.#i;
    let run = i;
    while (i < limit) {
      const c = html.charCodeAt(i);
      if (c === 0x3c /* < */) {
        const next = html.charCodeAt(i + 1);
        const tagStart = isLetter(next) ||
          next === 0x21 /* ! */ || next === 0x3f /* ? */ || next === 0x2f; /* / */
        if (!tagStart) {
          i++;
          continue;
        }
        out.text(html.slice(run, i));
        this.#openTag(i);
        return;
      }
      if (c === 0x26 /* & */) {
        const entity = htmlEntity(html, i);
        if (entity === undefined) {
          i++;
          continue;
        }
        out.text(html.slice(run, i));
        this.#characters(entity.value);
        i = run = entity.end;
        continue;
      }
      if (c <= 0x20 || (c >= 0x7f && c <= 0xa0)) {
        out.text(html.slice(run, i));
        this.#characters(html[i] ?? "");
        i = run = i + 1;
        continue;
      }
      i++;
    }
    out.text(html.slice(run, i));
    this.#i = i;
  }

  /** White space, no-break spaces and control characters in text; anything else is written. */
  #characters(value: string): void {
    const out = this.#out;
    if (value.length !== 1) {
      out.text(value);
      return;
    }
    const c = value.charCodeAt(0);
    if (c === 0xa0) out.pad(" ");
    else if (this.#pre > 0 && c === 0x0a) out.newline();
    else if (this.#pre > 0 && (c === 0x20 || c === 0x09)) out.pad(value);
    else if (isSpace(c)) out.space();
    else if (c >= 0x20 && c !== 0x7f && (c < 0x80 || c > 0x9f)) out.text(value);
  }

  /** At `<` that starts markup: decides what kind. */
  #openTag(at: number): void {
    const html = this.#html;
    const next = html.charCodeAt(at + 1);
    if (next === 0x21 /* ! */) {
      if (html.startsWith("--", at + 2)) {
        // `<!-->` and `<!--->` are complete (empty) comments
        const after = at + 4;
        if (html.charCodeAt(after) === 0x3e) this.#i = after + 1;
        else if (html.startsWith("->", after)) this.#i = after + 2;
        else {
          this.#i = after;
          this.#state = STATE.comment;
        }
        return;
      }
      this.#i = at + 2;
      this.#state = STATE.bogusComment;
      return;
    }
    if (next === 0x3f /* ? */) {
      this.#i = at + 2;
      this.#state = STATE.bogusComment;
      return;
    }
    if (next === 0x2f /* / */) {
      const third = html.charCodeAt(at + 2);
      if (third === 0x3e) {
        this.#i = at + 3;
        return;
      }
      if (!isLetter(third)) {
        this.#i = at + 2;
        this.#state = STATE.bogusComment;
        return;
      }
      this.#beginTag(at + 2, true);
      return;
    }
    this.#beginTag(at + 1, false);
  }

  #beginTag(nameAt: number, end: boolean): void {
    this.#i = nameAt;
    this.#tag = "";
    this.#endTag = end;
    this.#href = undefined;
    this.#state = STATE.tagName;
  }

  /** A comment to `-->`, or a declaration or processing instruction to `>`; to the end when unclosed. */
  #skipComment(limit: number): void {
    const comment = this.#state === STATE.comment;
    const end = this.#find(comment ? "-->" : ">", this.#i, limit);
    if (end === NOWHERE) this.#i = this.#html.length;
    else if (end === LATER) this.#i = Math.max(limit, this.#i + 1);
    else {
      this.#i = end + (comment ? 3 : 1);
      this.#state = STATE.data;
    }
  }

  /**
   * Where `needle` starts, at `from` or after but before `limit`: one step never scans far
   * past its slice. {@link LATER} when it starts nowhere before `limit`, {@link NOWHERE} when
   * the rest of the input does not hold it.
   */
  #find(needle: string, from: number, limit: number): number {
    const html = this.#html;
    const window = Math.max(limit, from + 1) + needle.length - 1;
    if (window >= html.length) {
      const found = html.indexOf(needle, from);
      return found < 0 ? NOWHERE : found;
    }
    const found = html.slice(0, window).indexOf(needle, from);
    return found < 0 ? LATER : found;
  }

  /** The content of a hidden element, to its end tag (`</script` + white space, `/` or `>`). */
  #skipHidden(limit: number): void {
    const html = this.#html;
    const name = this.#hiddenUntil;
    let i = this.#i;
    while (i < limit) {
      const close = this.#find("</", i, limit);
      if (close === NOWHERE) {
        this.#i = html.length;
        return;
      }
      if (close === LATER) {
        this.#i = Math.max(limit, i + 1);
        return;
      }
      const after = close + 2 + name.length;
      const matches = html.slice(close + 2, after).toLowerCase() === name &&
        (after >= html.length || endsName(html.charCodeAt(after)));
      if (matches) {
        this.#state = STATE.data;
        this.#i = close;
        return;
      }
      i = close + 2;
    }
    this.#i = i;
  }

  /** Inside `<name attributes>`: reads the name and the `href` of links; the rest is passed over. */
  #inTag(limit: number): void {
    const html = this.#html;
    let i = this.#i;
    while (i < limit) {
      const c = html.charCodeAt(i);
      switch (this.#state) {
        case STATE.tagName:
          if (endsName(c)) {
            this.#state = STATE.beforeAttribute;
            continue;
          }
          if (this.#tag.length <= MAX_NAME) this.#tag += String.fromCharCode(c | (isLetter(c) ? 0x20 : 0));
          i++;
          break;
        case STATE.beforeAttribute:
        case STATE.afterAttributeName:
          if (c === 0x3e /* > */) {
            this.#i = i + 1;
            this.#state = STATE.data;
            this.#closeTag();
            return;
          }
          if (c === 0x3d /* = */ && this.#state === STATE.afterAttributeName) {
            this.#state = STATE.beforeValue;
          } else if (!isSpace(c) && c !== 0x2f) {
            this.#attribute = "";
            this.#state = STATE.attributeName;
            continue;
          }
          i++;
          break;
        case STATE.attributeName:
          if (endsName(c) || c === 0x3d) {
            this.#state = STATE.afterAttributeName;
            continue;
          }
          if (this.#attribute.length <= MAX_NAME) this.#attribute += String.fromCharCode(c | (isLetter(c) ? 0x20 : 0));
          i++;
          break;
        case STATE.beforeValue:
          if (isSpace(c)) {
            i++;
          } else if (c === 0x22 || c === 0x27) {
            this.#quote = c;
            this.#valueStart = i + 1;
            this.#state = STATE.quotedValue;
            i++;
          } else if (c === 0x3e) {
            this.#state = STATE.beforeAttribute;
          } else {
            this.#valueStart = i;
            this.#state = STATE.unquotedValue;
          }
          break;
        case STATE.quotedValue: {
          const end = this.#find(this.#quote === 0x22 ? '"' : "'", i, limit);
          if (end < 0) {
            this.#i = end === NOWHERE ? html.length : Math.max(limit, i + 1);
            return;
          }
          this.#value(end);
          this.#state = STATE.beforeAttribute;
          i = end + 1;
          break;
        }
        default:
          if (isSpace(c) || c === 0x3e) {
            this.#value(i);
            this.#state = STATE.beforeAttribute;
            continue;
          }
          i++;
      }
    }
    this.#i = i;
  }

  /** The attribute value ending at `end` is read: kept when it is a link's target. */
  #value(end: number): void {
    if (this.#attribute !== "href" || this.#tag !== "a" || end - this.#valueStart > MAX_HREF) return;
    const raw = this.#html.slice(this.#valueStart, end);
    let href = "";
    for (let i = 0; i < raw.length;) {
      const entity = raw.charCodeAt(i) === 0x26 ? htmlEntity(raw, i) : undefined;
      if (entity === undefined) href += raw[i++];
      else {
        href += entity.value;
        i = entity.end;
      }
    }
    href = href.trim();
    this.#href = /^https?:\/\/[^\s]+$/i.test(href) ? href : undefined;
  }

  /** A whole tag was read: what it means for the text. */
  #closeTag(): void {
    const name = this.#tag;
    const out = this.#out;
    const end = this.#endTag;
    if (!end && HIDDEN.has(name)) {
      this.#hiddenUntil = name;
      this.#state = STATE.hidden;
      return;
    }
    if (name === "br") out.newline();
    else if (name === "li") {
      if (!end) out.item(this.#bullet());
    } else if (name === "ul" || name === "ol") this.#list(name, end);
    else if (name === "td" || name === "th") {
      if (!end && this.#cellInRow) out.pad("\t");
      if (!end) this.#cellInRow = true;
    } else if (name === "a") this.#anchor(end);
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

  #anchor(end: boolean): void {
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
    if (!end && this.#href !== undefined) {
      this.#link = this.#href;
      out.startLabel(this.#href.length);
    }
  }
}
