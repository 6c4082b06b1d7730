import { FieldSyntaxError } from "./field_syntax_error.ts";

// Pieces shared by the readers of structured header fields (address lists, Authentication-Results):
// unfolding, comments and quoted strings in one pass each, and text safe to show.

/** The longest header field value read as a structure; a longer one is refused, so work per message stays bounded. */
export const MAX_FIELD_LENGTH = 16 * 1024;

/** The value of a raw header line (`Key: value`, maybe folded), unfolded: line breaks before white space removed. */
export function fieldValue(line: string): string {
  const colon = line.indexOf(":");
  const raw = colon < 0 ? "" : line.slice(colon + 1);
  let out = "";
  for (let i = 0; i < raw.length; i++) {
    const char = raw[i];
    if (char === "\r" || char === "\n") continue;
    out += char;
  }
  return out.trim();
}

export function isWhiteSpace(char: string | undefined): boolean {
  return char === " " || char === "\t";
}

/**
 * A comment starting at `start` (an opening parenthesis): nested comments and quoted pairs are
 * part of it. Returns the index after its closing parenthesis and its text with quoted pairs
 * resolved, nested parentheses kept.
 */
export function readComment(text: string, start: number): { readonly end: number; readonly content: string } {
  let depth = 0;
  let content = "";
  for (let i = start; i < text.length; i++) {
    const char = text[i];
    if (char === "\\") {
      i++;
      if (i >= text.length) break;
      content += text[i];
    } else if (char === "(") {
      if (depth > 0) content += char;
      depth++;
    } else if (char === ")") {
      depth--;
      if (depth === 0) return { end: i + 1, content };
      content += char;
    } else {
      content += char;
    }
  }
  throw new FieldSyntaxError(`the comment at character ${start + 1} is not closed`);
}

/** A quoted string starting at `start` (a double quote). Returns the index after it and its content unescaped. */
export function readQuoted(text: string, start: number): { readonly end: number; readonly content: string } {
  let content = "";
  for (let i = start + 1; i < text.length; i++) {
    const char = text[i];
    if (char === "\\") {
      i++;
      if (i >= text.length) break;
      content += text[i];
    } else if (char === '"') {
      return { end: i + 1, content };
    } else {
      content += char;
    }
  }
  throw new FieldSyntaxError(`the quoted string at character ${start + 1} is not closed`);
}

/** Text for display: control characters (which could move a terminal's cursor or hide text) become spaces. */
export function printable(text: string): string {
  let out = "";
  for (const char of text) {
    const code = char.codePointAt(0) ?? 0;
    out += code < 0x20 || (code >= 0x7f && code < 0xa0) ? " " : char;
  }
  return out.replace(/ {2,}/g, " ").trim();
}

/** `text` for a message: printable, and cut after 60 characters. */
export function clip(text: string): string {
  const shown = printable(text);
  return shown.length > 60 ? `${shown.slice(0, 60)}…` : shown;
}
