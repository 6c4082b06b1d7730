// deno-lint-ignore-file no-control-regex -- matching control characters is the point of this file
// Text that came from outside (a browser request, a provider's error) is printed to the admin's terminal
// and logged: an escape sequence in it could retitle the window, rewrite lines already shown, or hide
// text, and a bidi control could make it read differently than it is.

/** ESC sequences: CSI (`ESC [ … final`), OSC/DCS/SOS/PM/APC strings up to BEL or ST, and two-character ones. */
const ESCAPE_SEQUENCE = /\x1b(?:\[[0-?]*[ -/]*[@-~]?|[\]PX^_][^\x07\x1b]*(?:\x07|\x1b\\)?|[ -/]*[0-~]?)/g;
/** The 8-bit forms of the same (CSI, and OSC/DCS/SOS/PM/APC up to BEL or ST). */
const C1_SEQUENCE = /\x9b[0-?]*[ -/]*[@-~]?|[\x90\x98\x9d\x9e\x9f][^\x07\x9c\x1b]*[\x07\x9c]?/g;
const LINE_BREAKS = /[\t\n\v\f\r\u0085\u2028\u2029]+/g;
const CONTROLS = /[\x00-\x1f\x7f-\x9f]/g;
const CONTROLS_BUT_LF = /[\x00-\x09\x0b-\x1f\x7f-\x9f]/g;
/** Bidi embedding, override and isolate controls, and the implicit marks. */
const BIDI = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/**
 * `text` without control characters (C0, DEL, C1, whole ESC sequences) and bidi controls, cut to
 * `maxLength` characters: safe to print to a terminal or a log line. Line breaks become spaces, or
 * with `keepLines` plain `\n` (a lone carriage return would let the text overwrite its own line).
 */
export function terminalSafe(text: string, options: { maxLength?: number; keepLines?: boolean } = {}): string {
  const maxLength = options.maxLength ?? 300;
  const bare = text.replace(ESCAPE_SEQUENCE, "").replace(C1_SEQUENCE, "");
  const flat = options.keepLines === true
    ? bare.replace(/\r\n?|[\v\f\u0085\u2028\u2029]/g, "\n").replace(/\t/g, " ").replace(CONTROLS_BUT_LF, "")
    : bare.replace(LINE_BREAKS, " ").replace(CONTROLS, "");
  const clean = flat.replace(BIDI, "");
  const points = Array.from(clean);
  return points.length <= maxLength ? clean : `${points.slice(0, maxLength).join("")}…`;
}
