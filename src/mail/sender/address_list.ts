import libmime from "libmime";
import { FieldSyntaxError } from "./field_syntax_error.ts";
import { clip, isWhiteSpace, MAX_FIELD_LENGTH, printable, readComment, readQuoted } from "./structured_field.ts";

/** One mailbox of an address list. */
export interface Mailbox {
  /** `local-part@domain` with comments and white space removed, in the case it was written. */
  readonly address: string;
  /** The display name, RFC 2047 words decoded after the structure was read; empty when there is none. */
  readonly displayName: string;
  /** Comments around the mailbox, decoded the same way (`jdoe@example.org (John Doe)`). */
  readonly comments: readonly string[];
}

export type AddressEntry =
  | { readonly kind: "mailbox"; readonly mailbox: Mailbox }
  | { readonly kind: "group"; readonly name: string; readonly mailboxes: readonly Mailbox[] };

export type AddressListResult =
  | { readonly ok: true; readonly entries: readonly AddressEntry[] }
  | { readonly ok: false; readonly problem: string };

type Token =
  | { readonly kind: "atom"; readonly text: string; readonly space: boolean }
  | { readonly kind: "quoted"; readonly text: string; readonly space: boolean }
  | { readonly kind: "literal"; readonly text: string; readonly space: boolean }
  | { readonly kind: "special"; readonly text: string; readonly space: boolean }
  | { readonly kind: "comment"; readonly text: string; readonly space: boolean };

const SPECIALS = "<>@,;:.";
// atext of RFC 5322 plus everything beyond ASCII (RFC 6532)
const ATEXT_SYMBOLS = "!#$%&'*+-/=?^_`{|}~";
const ENCODED_WORD = /^=\?[^?\s]+\?[bBqQ]\?[^?\s]*\?=$/;

/**
 * Reads an address list (`From`, `Sender`, `To`) by RFC 5322's grammar, obsolete forms
 * included: display names, quoted strings, nested comments, angle addresses with source
 * routes, groups and empty list elements. The address always comes from the structure; RFC
 * 2047 words are decoded only in display names and comments, after the structure was read,
 * so an address written inside an encoded display name stays a display name. One pass over
 * the value, which may be at most 16 KiB. Display names may hold `@` and `.` unquoted (as
 * some mail clients write them) when an angle address follows.
 */
export function parseAddressList(value: string): AddressListResult {
  if (value.length > MAX_FIELD_LENGTH) {
    return { ok: false, problem: `it is ${value.length} characters long, more than the ${MAX_FIELD_LENGTH} mps reads` };
  }
  try {
    return { ok: true, entries: new AddressParser(tokenize(value)).list() };
  } catch (error) {
    if (error instanceof FieldSyntaxError) return { ok: false, problem: error.message };
    throw error;
  }
}

function isSpecial(token: Token | undefined, text: string): boolean {
  return token?.kind === "special" && token.text === text;
}

function isAtext(char: string): boolean {
  const code = char.charCodeAt(0);
  return (code >= 0x30 && code <= 0x39) || (code >= 0x41 && code <= 0x5a) || (code >= 0x61 && code <= 0x7a) ||
    code >= 0x80 || ATEXT_SYMBOLS.includes(char);
}

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let space = false;
  let i = 0;
  while (i < text.length) {
    const char = text[i] ?? "";
    if (isWhiteSpace(char) || char === "\r" || char === "\n") {
      space = true;
      i++;
    } else if (char === "(") {
      const comment = readComment(text, i);
      tokens.push({ kind: "comment", text: comment.content, space });
      space = true;
      i = comment.end;
    } else if (char === '"') {
      const quoted = readQuoted(text, i);
      tokens.push({ kind: "quoted", text: quoted.content, space });
      space = false;
      i = quoted.end;
    } else if (char === "[") {
      const end = text.indexOf("]", i);
      const inner = end < 0 ? "" : text.slice(i + 1, end);
      if (end < 0 || /[[\\]/.test(inner)) {
        throw new FieldSyntaxError(`the domain literal at character ${i + 1} is not closed`);
      }
      tokens.push({ kind: "literal", text: `[${inner.replace(/[ \t]+/g, "")}]`, space });
      space = false;
      i = end + 1;
    } else if (SPECIALS.includes(char)) {
      tokens.push({ kind: "special", text: char, space });
      space = false;
      i++;
    } else if (isAtext(char)) {
      let end = i + 1;
      while (end < text.length && isAtext(text[end] ?? "")) end++;
      tokens.push({ kind: "atom", text: text.slice(i, end), space });
      space = false;
      i = end;
    } else {
      throw new FieldSyntaxError(`character ${i + 1} ('${describeChar(char)}') may not appear there`);
    }
  }
  return tokens;
}

function describeChar(char: string): string {
  const code = char.charCodeAt(0);
  return code < 0x20 || code === 0x7f ? `\\x${code.toString(16).padStart(2, "0")}` : char;
}

class AddressParser {
  readonly #tokens: readonly Token[];
  #at = 0;
  #comments: string[] = [];

  constructor(tokens: readonly Token[]) {
    // Comments are collected apart, so the grammar below sees only the structure.
    this.#tokens = tokens;
  }

  list(): AddressEntry[] {
    const entries: AddressEntry[] = [];
    for (;;) {
      while (this.#isSpecial(",")) this.#next();
      if (this.#peek() === undefined) break;
      entries.push(this.#address(true));
      if (this.#peek() === undefined) break;
      this.#expect(",", "a ',' between addresses");
    }
    return entries;
  }

  #address(groupAllowed: boolean): AddressEntry {
    this.#comments = [];
    const start = this.#at;
    // Scan to what decides the form: '<' (name-addr), ':' (group), or the end of an addr-spec.
    let stop = this.#at;
    while (stop < this.#tokens.length) {
      const token = this.#tokens[stop];
      if (token?.kind === "special" && "<:,;>".includes(token.text)) break;
      stop++;
    }
    const decider = this.#tokens[stop];
    const words = this.#slice(start, stop);
    if (decider?.kind === "special" && decider.text === "<") {
      const displayName = phraseText(words, true);
      this.#at = stop + 1;
      const address = this.#angleAddress();
      return { kind: "mailbox", mailbox: this.#mailbox(address, displayName) };
    }
    if (decider?.kind === "special" && decider.text === ":") {
      if (!groupAllowed) throw new FieldSyntaxError("a group may not be inside a group");
      const name = phraseText(words, false);
      if (name === undefined) throw new FieldSyntaxError("a group has no name");
      this.#at = stop + 1;
      const mailboxes: Mailbox[] = [];
      for (;;) {
        while (this.#isSpecial(",")) this.#next();
        if (this.#isSpecial(";")) break;
        if (this.#peek() === undefined) throw new FieldSyntaxError(`group '${name}' does not end with ';'`);
        const entry = this.#address(false);
        if (entry.kind === "mailbox") mailboxes.push(entry.mailbox);
        if (this.#peek() === undefined) throw new FieldSyntaxError(`group '${name}' does not end with ';'`);
        if (!this.#isSpecial(";")) this.#expect(",", "a ',' or ';' after an address in a group");
      }
      this.#next();
      this.#comments = [];
      return { kind: "group", name, mailboxes };
    }
    const address = addrSpec(words);
    this.#at = stop;
    return { kind: "mailbox", mailbox: this.#mailbox(address, "") };
  }

  #angleAddress(): string {
    let stop = this.#at;
    while (stop < this.#tokens.length && !isSpecial(this.#tokens[stop], ">")) stop++;
    let words = this.#slice(this.#at, stop);
    this.#at = stop;
    this.#expect(">", "a '>' closing the angle address");
    // obs-route: `<@relay1,@relay2:user@host>`; the route is dropped.
    if (isSpecial(words[0], "@")) {
      const colon = words.findIndex((token) => isSpecial(token, ":"));
      if (colon < 0) throw new FieldSyntaxError("expected a ':' after the source route");
      words = words.slice(colon + 1);
    }
    return addrSpec(words);
  }

  #mailbox(address: string, displayName: string | undefined): Mailbox {
    // Comments right after the mailbox belong to it (`jdoe@example.org (John Doe)`).
    this.#peek();
    return { address, displayName: displayName ?? "", comments: this.#comments.map(decodeText) };
  }

  /** The tokens from `start` to `end` that are not comments; the comments are kept for the mailbox. */
  #slice(start: number, end: number): Token[] {
    const words: Token[] = [];
    for (let i = start; i < end; i++) {
      const token = this.#tokens[i];
      if (token === undefined) continue;
      if (token.kind === "comment") this.#comments.push(token.text);
      else words.push(token);
    }
    return words;
  }

  #peek(): Token | undefined {
    while (this.#tokens[this.#at]?.kind === "comment") this.#comments.push(this.#tokens[this.#at++]?.text ?? "");
    return this.#tokens[this.#at];
  }

  #next(): Token | undefined {
    const token = this.#peek();
    this.#at++;
    return token;
  }

  #isSpecial(text: string): boolean {
    const token = this.#peek();
    return token?.kind === "special" && token.text === text;
  }

  #expect(text: string, what: string): void {
    const token = this.#peek();
    if (token?.kind === "special" && token.text === text) {
      this.#at++;
      return;
    }
    throw new FieldSyntaxError(`expected ${what}, found ${token === undefined ? "the end" : `'${clip(token.text)}'`}`);
  }
}

/**
 * `local-part@domain` from its words (comments already removed, so `john . doe @ example . org`
 * of the obsolete syntax reads as `john.doe@example.org`).
 */
function addrSpec(words: readonly Token[]): string {
  const at = words.findIndex((token) => token.kind === "special" && token.text === "@");
  if (words.length === 0) throw new FieldSyntaxError("an address is empty");
  if (at < 0) throw new FieldSyntaxError(`'${shorten(words)}' is not an address (no '@')`);
  const local = dotted(words.slice(0, at), "local part", true);
  const domainWords = words.slice(at + 1);
  const only = domainWords[0];
  const domain = domainWords.length === 1 && only?.kind === "literal"
    ? only.text
    : dotted(domainWords, "domain", false);
  return `${local}@${domain}`;
}

/** `word *("." word)`: atoms, or quoted strings too in a local part. */
function dotted(words: readonly Token[], what: string, quotedAllowed: boolean): string {
  const parts: string[] = [];
  let quoted = false;
  for (let i = 0; i < words.length; i++) {
    const token = words[i];
    if (token === undefined) continue;
    const wantWord = i % 2 === 0;
    if (wantWord && (token.kind === "atom" || (quotedAllowed && token.kind === "quoted"))) {
      if (token.kind === "quoted") {
        if (hasControl(token.text)) {
          throw new FieldSyntaxError(`the ${what} holds a control character`);
        }
        quoted = true;
      }
      parts.push(token.text);
    } else if (!wantWord && token.kind === "special" && token.text === ".") {
      continue;
    } else {
      throw new FieldSyntaxError(`the ${what} '${shorten(words)}' is not valid`);
    }
  }
  if (parts.length === 0 || words.length % 2 === 0) {
    throw new FieldSyntaxError(`the ${what} of an address is ${parts.length === 0 ? "empty" : "not valid"}`);
  }
  const joined = parts.join(".");
  if (!quoted || (/^[^\s"\\()<>@,;:[\]]+$/.test(joined) && !joined.split(".").includes(""))) return joined;
  return `"${joined.replace(/[\\"]/g, "\\$&")}"`;
}

/**
 * A display name from its words, encoded words decoded: undefined when there are none. With
 * `lenient`, `@`, `.` and domain literals may appear unquoted.
 */
function phraseText(words: readonly Token[], lenient: boolean): string | undefined {
  if (words.length === 0) return undefined;
  const pieces: Array<{ text: string; space: boolean; encoded: boolean }> = [];
  for (const token of words) {
    const allowed = token.kind === "atom" || token.kind === "quoted" ||
      (token.kind === "special" && token.text === ".") ||
      (lenient && (token.kind === "literal" || (token.kind === "special" && token.text === "@")));
    if (!allowed) throw new FieldSyntaxError(`'${clip(token.text)}' may not appear in a display name`);
    const encoded = token.kind === "atom" && ENCODED_WORD.test(token.text);
    // Encoded words inside quotes break RFC 2047, yet mail clients write them: decoded for display only.
    const text = token.kind === "quoted" ? decodeWords(token.text) : token.text;
    pieces.push({ text, space: token.space, encoded });
  }
  let out = "";
  for (let i = 0; i < pieces.length; i++) {
    const piece = pieces[i];
    if (piece === undefined) continue;
    if (!piece.encoded) {
      out += (i > 0 && piece.space ? " " : "") + piece.text;
      continue;
    }
    // Adjacent encoded words are one run: the white space between them is not text.
    let run = piece.text;
    while (pieces[i + 1]?.encoded === true) run += ` ${pieces[++i]?.text ?? ""}`;
    out += (i > 0 && piece.space ? " " : "") + decodeWords(run);
  }
  return printable(out);
}

/** Control characters other than tab, which RFC 5322 allows in quoted strings only as obsolete syntax. */
function hasControl(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if ((code < 0x20 && code !== 0x09) || code === 0x7f) return true;
  }
  return false;
}

function shorten(words: readonly Token[]): string {
  return clip(words.map((token, i) => (i > 0 && token.space ? " " : "") + token.text).join(""));
}

function decodeText(text: string): string {
  return printable(decodeWords(text));
}

function decodeWords(text: string): string {
  try {
    return libmime.decodeWords(text);
  } catch {
    return text;
  }
}
