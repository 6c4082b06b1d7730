import { htmlEntity } from "./html_entity.ts";
import { HtmlTagEffects } from "./html_tag_effects.ts";
import { HtmlTextOutput } from "./html_text_output.ts";

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

/**
 * The state machine behind `htmlToText`: reads HTML a slice at a time (`run`), resuming where
 * it stopped, and writes its text to an {@link HtmlTextOutput}. Every character is looked at a
 * bounded number of times and no search looks far past the slice, so a slice's work is bounded.
 */
export class HtmlConverter {
  readonly #html: string;
  readonly #out: HtmlTextOutput;
  #i = 0;
  #state: State = STATE.data;
  // The tag being read.
  #tag = "";
  #endTag = false;
  #attribute = "";
  #quote = 0;
  #valueStart = 0;
  #href: string | undefined;
  #hiddenUntil = "";
  readonly #tags: HtmlTagEffects;

  /** `maxText`: characters of text made at most; the conversion is done once they are reached. */
  constructor(html: string, maxText: number) {
    this.#html = html;
    this.#out = new HtmlTextOutput(maxText);
    this.#tags = new HtmlTagEffects(this.#out);
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
    else if (out.preformatted && c === 0x0a) out.newline();
    else if (out.preformatted && (c === 0x20 || c === 0x09)) out.pad(value);
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
            if (this.#tags.tag(this.#tag, this.#endTag, this.#href)) {
              this.#hiddenUntil = this.#tag;
              this.#state = STATE.hidden;
            }
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
}
