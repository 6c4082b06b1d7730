/** The longest document name in UTF-8 bytes, extension and duplicate number included: fits every file system's 255. */
export const MAX_NAME_BYTES = 200;

// Windows device names, also with an extension ("con.txt", "NUL.tar.gz") and trailing spaces ("CON .pdf").
const RESERVED = /^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³]|conin\$|conout\$|clock\$)$/i;
// Not allowed on Windows (the path separators are taken care of before).
const FORBIDDEN = /[<>:"/\\|?*]/g;
// Control characters (C0, DEL, C1), turned into spaces when they are white space, else removed.
const CONTROL_SPACE = /[\t\n\v\f\r\u0085\u2028\u2029]/g;
// deno-lint-ignore no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/g;
// Invisible characters that can hide or reorder what a name shows: bidi embeddings, overrides,
// isolates and marks, zero-width spaces and joiners, word joiner, invisible operators, byte
// order mark, soft hyphen, Mongolian vowel separator.
const INVISIBLE =
  /[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c\u200b\u200c\u2060-\u2064\u206a-\u206f\ufeff\u00ad\u180e]/g;
// A zero-width joiner is kept only inside an emoji sequence (👩‍💻), where it is part of the picture.
const ZWJ = /(?<!\p{Extended_Pictographic}[\u{fe0f}\u{1f3fb}-\u{1f3ff}]?)\u200d|\u200d(?!\p{Extended_Pictographic})/gu;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
/** An extension is a last dot and up to this many characters without spaces or dots. */
const MAX_EXTENSION_CHARS = 16;
/** Raw names longer than this (UTF-16 units) are cut first: a name keeps at most 200 bytes anyway. */
const MAX_RAW_CHARS = 2048;

const segmenter = new Intl.Segmenter(undefined, { granularity: "grapheme" });

/**
 * Turns a decoded attachment name into one that is safe on Windows, macOS and Linux and
 * distinct (case-insensitively) from every name in `taken`, which it then joins:
 *
 * - only the last path part; lone surrogates become U+FFFD; NFC (after the removals below);
 * - bidi controls, zero-width and other invisible characters removed (a zero-width joiner
 *   inside an emoji sequence stays); control characters removed (line breaks and tabs become
 *   spaces); `<>:"/\|?*` become `_`;
 * - no leading or trailing dots or spaces; an empty name becomes `fallback` (extension kept);
 * - a Windows device name (`CON`, `nul.txt`, `COM¹.pdf`, `CONIN$`, `CON .pdf`) gets a `_` in front;
 * - at most {@link MAX_NAME_BYTES} UTF-8 bytes with the extension and any ` (2)`: the part
 *   before the extension is cut at a character boundary (a whole grapheme: a letter with its
 *   combining marks, an emoji sequence) and the extension kept;
 * - `job.json` and names given before get a number: `scan (2).pdf`.
 *
 * The result passed in again gives the same name, so callers may make a name safe early.
 */
export function safeDocumentName(raw: string, taken: Set<string>, fallback = "document"): string {
  const { stem: rawStem, extension } = splitExtension(cleanName(lastPathPart(raw)));
  let stem = rawStem.replace(/^[. ]+/, "").replace(/[. ]+$/, "");
  if (stem === "" || /^[._ ]*$/.test(stem)) stem = fallback;
  const device = stem.split(".")[0]?.replace(/ +$/, "") ?? "";
  if (RESERVED.test(device)) stem = `_${stem}`;
  let candidate = fit(stem, extension, "");
  for (let n = 2; taken.has(candidate.toLowerCase()); n++) candidate = fit(stem, extension, ` (${n})`);
  taken.add(candidate.toLowerCase());
  return candidate;
}

/** Names a job folder already holds, so documents never overwrite them. */
export function reservedJobNames(): Set<string> {
  return new Set(["job.json"]);
}

/** The last part of a path in either style; a giant name keeps its start and its end (where the extension is). */
function lastPathPart(raw: string): string {
  const part = raw.slice(Math.max(raw.lastIndexOf("/"), raw.lastIndexOf("\\")) + 1);
  if (part.length <= MAX_RAW_CHARS) return part;
  return part.slice(0, MAX_RAW_CHARS / 2) + part.slice(-MAX_EXTENSION_CHARS - 1);
}

function cleanName(name: string): string {
  return name.replace(LONE_SURROGATE, "\ufffd")
    .replace(CONTROL_SPACE, " ")
    .replace(CONTROL, "")
    .replace(INVISIBLE, "")
    .replace(ZWJ, "")
    .replace(FORBIDDEN, "_")
    .normalize("NFC");
}

function splitExtension(name: string): { stem: string; extension: string } {
  const trimmed = name.replace(/[. ]+$/, "");
  const dot = trimmed.lastIndexOf(".");
  const extension = dot < 0 ? "" : trimmed.slice(dot);
  if (extension.length < 2 || extension.length > MAX_EXTENSION_CHARS + 1 || /\s/.test(extension)) {
    return { stem: trimmed, extension: "" };
  }
  return { stem: trimmed.slice(0, dot), extension };
}

/** `stem + suffix + extension`, the stem cut so the whole keeps {@link MAX_NAME_BYTES}. */
function fit(stem: string, extension: string, suffix: string): string {
  const room = MAX_NAME_BYTES - utf8Length(extension) - utf8Length(suffix);
  let cut = cutToBytes(stem, room);
  // a cut can leave a trailing space or dot, which Windows drops (and so would change the name)
  if (cut.length < stem.length || extension === "") cut = cut.replace(/[. ]+$/, "");
  return `${cut || "_"}${suffix}${extension}`;
}

/**
 * The longest start of `text` that has at most `max` UTF-8 bytes, ending at a grapheme
 * boundary; within one giant grapheme (a letter with hundreds of combining marks), at a code
 * point boundary.
 */
function cutToBytes(text: string, max: number): string {
  if (utf8Length(text) <= max) return text;
  let out = "";
  let bytes = 0;
  for (const { segment } of segmenter.segment(text)) {
    const size = utf8Length(segment);
    if (bytes + size <= max) {
      out += segment;
      bytes += size;
      continue;
    }
    if (bytes < max / 2) {
      for (const point of segment) {
        const pointSize = utf8Length(point);
        if (bytes + pointSize > max) break;
        out += point;
        bytes += pointSize;
      }
    }
    break;
  }
  return out;
}

/** UTF-8 length of a well-formed string. */
function utf8Length(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      bytes += 4;
      i++;
    } else bytes += 3;
  }
  return bytes;
}
