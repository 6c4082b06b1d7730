/**
 * `redact()`: the one function every log line passes through, so that no
 * secret reaches mps.log, the console or a test's captured output.
 *
 * Two layers:
 *  1. a registry of exact secrets the program knows (config passwords, client
 *     secrets, the storage key, tokens it handles), found as written, URL-,
 *     form-, JSON- or XML-encoded, and inside base64 (at any byte alignment,
 *     so a password inside an `AUTHENTICATE PLAIN` blob is found too);
 *  2. pattern rules (`redaction_rules.ts`) for secrets by shape or by key name.
 */
import { Buffer } from "node:buffer";
import { createLiteralMatcher } from "./literal_matcher.ts";
import type { LiteralMatcher } from "./literal_matcher.ts";
import { REDACTED, REDACTION_RULES } from "./redaction_rules.ts";

export { REDACTED } from "./redaction_rules.ts";

/** Shorter values are ignored by `registerSecret`: they would mangle ordinary text. */
export const MIN_SECRET_LENGTH = 6;

/**
 * The registry forgets its oldest secrets beyond this many (rotated tokens pile
 * up in a service). Tokens (values of at least `TOKEN_LENGTH` characters) go
 * first, so config passwords, client secrets and the storage key registered at
 * start stay.
 */
export const MAX_SECRETS = 1000;
const TOKEN_LENGTH = 100;

export type Redactor = {
  /** The text with every secret replaced by `[redacted]`. */
  redact(text: string): string;
  /** Remembers an exact secret; empty, missing or too short values are ignored. */
  registerSecret(value: string | null | undefined): void;
  /** Drops a secret from the registry (e.g. a token that was deleted). */
  forgetSecret(value: string): void;
  /** Forgets every registered secret. */
  clear(): void;
  /** How many secrets are registered. */
  readonly secretCount: number;
};

function xmlEscape(value: string): string {
  return value
    .replace(/&/g, "&amp;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&apos;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;");
}

/** The ways a secret can be spelled in a line of text. */
function literalForms(value: string): string[] {
  const uri = encodeURIComponent(value);
  const json = JSON.stringify(value).slice(1, -1);
  const jsonInJson = JSON.stringify(json).slice(1, -1); // an object field logged as a quoted JSON string
  return [value, uri, uri.replace(/%20/g, "+"), json, jsonInJson, xmlEscape(value)];
}

/**
 * Pieces of base64 that appear whenever `value` is base64-encoded as part of a
 * longer byte string: for each of the three byte alignments, the characters
 * that depend on the value's bits only. Standard and URL-safe alphabets.
 */
function base64Fragments(value: string): string[] {
  const bytes = Buffer.from(value, "utf8");
  const fragments: string[] = [];
  for (let shift = 0; shift < 3; shift++) {
    const encoded = Buffer.concat([Buffer.alloc(shift), bytes]).toString("base64");
    const fragment = encoded.slice(Math.ceil((8 * shift) / 6), Math.floor((8 * (shift + bytes.length)) / 6));
    if (fragment.length < MIN_SECRET_LENGTH) continue;
    fragments.push(fragment, fragment.replace(/\+/g, "-").replace(/\//g, "_"));
  }
  return fragments;
}

const BASE64_CHAR = /[A-Za-z0-9+/=_-]/;

/** Replaces every occurrence of the matcher's strings; with `wholeBase64Run`, the whole base64 run around it. */
function replaceAll(text: string, matcher: LiteralMatcher, wholeBase64Run: boolean): string {
  let out = text;
  for (
    let found = matcher.find(out, 0);
    found !== undefined;
    found = matcher.find(out, found.start + REDACTED.length)
  ) {
    let { start, end } = found;
    if (wholeBase64Run) {
      while (start > 0 && BASE64_CHAR.test(out.charAt(start - 1))) start--;
      while (end < out.length && BASE64_CHAR.test(out.charAt(end))) end++;
      found = { start, end };
    }
    out = out.slice(0, start) + REDACTED + out.slice(end);
  }
  return out;
}

/** A redactor with its own secret registry; tests create their own, the program shares `defaultRedactor`. */
export function createRedactor(): Redactor {
  const secrets = new Map<string, { literals: string[]; fragments: string[] }>();
  let literals: LiteralMatcher | undefined;
  let fragments: LiteralMatcher | undefined;
  let stale = false;

  function oldestToEvict(): string {
    let oldest: string | undefined;
    for (const value of secrets.keys()) {
      if (value.length >= TOKEN_LENGTH) return value;
      oldest ??= value;
    }
    return oldest ?? "";
  }

  function rebuild(): void {
    const forms = [...secrets.values()];
    literals = createLiteralMatcher(forms.flatMap((form) => form.literals), MIN_SECRET_LENGTH);
    fragments = createLiteralMatcher(forms.flatMap((form) => form.fragments), MIN_SECRET_LENGTH);
    stale = false;
  }

  function register(value: string | null | undefined): void {
    if (typeof value !== "string" || value.length < MIN_SECRET_LENGTH || value.includes(REDACTED)) return;
    secrets.delete(value); // re-registering refreshes its place in the queue
    secrets.set(value, {
      literals: literalForms(value).filter((form) => form.length >= MIN_SECRET_LENGTH),
      fragments: base64Fragments(value),
    });
    if (value.trim() !== value) register(value.trim());
    while (secrets.size > MAX_SECRETS) secrets.delete(oldestToEvict());
    stale = true;
  }

  return {
    redact(text: string): string {
      if (stale) rebuild();
      let out = literals === undefined ? text : replaceAll(text, literals, false);
      if (fragments !== undefined) out = replaceAll(out, fragments, true);
      for (const rule of REDACTION_RULES) out = rule.apply(out);
      return out;
    },

    registerSecret: register,

    forgetSecret(value: string): void {
      if (secrets.delete(value)) stale = true;
    },

    clear(): void {
      secrets.clear();
      stale = true;
    },

    get secretCount(): number {
      return secrets.size;
    },
  };
}

/** The redactor the program shares: loggers use it unless given another. */
export const defaultRedactor: Redactor = createRedactor();

/** Redacts `text` with the shared registry and every pattern rule. */
export function redact(text: string): string {
  return defaultRedactor.redact(text);
}

/** Registers an exact secret with the shared redactor (config passwords, client secrets, storage key, tokens). */
export function registerSecret(value: string | null | undefined): void {
  defaultRedactor.registerSecret(value);
}
