/**
 * Finds any of many long literal strings (registered secrets in their
 * encodings) in a line, quickly and with a cheap rebuild. The strings are
 * indexed by their first few characters (the key); candidates are found by one
 * regular expression over the keys (few keys) or by a rolling hash of each
 * window looked up in a map (many keys); then the full strings starting there
 * are compared, longest first. (One big alternation of whole tokens takes
 * seconds to compile for a thousand 1,500-character tokens; this takes
 * milliseconds.)
 */

export type LiteralMatcher = {
  /** The first occurrence at or after `from` of any of the strings, longest first at a position. */
  find(text: string, from: number): { start: number; end: number } | undefined;
};

/** Above this many distinct keys, a lookup per position beats one regular expression. */
const REGEX_KEY_LIMIT = 100;

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/-]/g, "\\$&");
}

const BASE = 257;

function hashOf(text: string, start: number, length: number): number {
  let hash = 0;
  for (let index = start; index < start + length; index++) hash = (Math.imul(hash, BASE) + text.charCodeAt(index)) | 0;
  return hash;
}

type MatchAt = (text: string, start: number, key: string) => { start: number; end: number } | undefined;

/** Many keys: a rolling hash of each window of `keyLength` characters, looked up in a map (no strings made). */
function rollingHashMatcher(byKey: Map<string, string[]>, keyLength: number, matchAt: MatchAt): LiteralMatcher {
  const keysByHash = new Map<number, string[]>();
  for (const key of byKey.keys()) {
    const hash = hashOf(key, 0, keyLength);
    const keys = keysByHash.get(hash);
    if (keys === undefined) keysByHash.set(hash, [key]);
    else keys.push(key);
  }
  let outgoingFactor = 1; // BASE^(keyLength-1), modulo 2^32
  for (let index = 1; index < keyLength; index++) outgoingFactor = Math.imul(outgoingFactor, BASE);
  return {
    find(text: string, from: number): { start: number; end: number } | undefined {
      if (text.length - from < keyLength) return undefined;
      let hash = hashOf(text, from, keyLength);
      for (let start = from;; start++) {
        const keys = keysByHash.get(hash);
        if (keys !== undefined) {
          for (const key of keys) {
            const found = text.startsWith(key, start) ? matchAt(text, start, key) : undefined;
            if (found !== undefined) return found;
          }
        }
        if (start + keyLength >= text.length) return undefined;
        const outgoing = Math.imul(text.charCodeAt(start), outgoingFactor);
        hash = (Math.imul(hash - outgoing, BASE) + text.charCodeAt(start + keyLength)) | 0;
      }
    },
  };
}

/** `undefined` when `texts` is empty. Every text must be at least `keyLength` long. */
export function createLiteralMatcher(texts: Iterable<string>, keyLength: number): LiteralMatcher | undefined {
  const byKey = new Map<string, string[]>();
  for (const text of new Set(texts)) {
    const key = text.slice(0, keyLength);
    const list = byKey.get(key);
    if (list === undefined) byKey.set(key, [text]);
    else list.push(text);
  }
  if (byKey.size === 0) return undefined;
  for (const list of byKey.values()) list.sort((a, b) => b.length - a.length);

  function matchAt(text: string, start: number, key: string): { start: number; end: number } | undefined {
    for (const literal of byKey.get(key) ?? []) {
      if (text.startsWith(literal, start)) return { start, end: start + literal.length };
    }
    return undefined;
  }

  if (byKey.size > REGEX_KEY_LIMIT) return rollingHashMatcher(byKey, keyLength, matchAt);

  const candidates = new RegExp([...byKey.keys()].map(escapeRegExp).join("|"), "g");
  return {
    find(text: string, from: number): { start: number; end: number } | undefined {
      candidates.lastIndex = from;
      for (let found = candidates.exec(text); found !== null; found = candidates.exec(text)) {
        const match = matchAt(text, found.index, found[0]);
        if (match !== undefined) return match;
        candidates.lastIndex = found.index + 1;
      }
      return undefined;
    },
  };
}
