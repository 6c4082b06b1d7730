const LF = 0x0a;
const CR = 0x0d;
const SP = 0x20;
const HTAB = 0x09;
const DASH = 0x2d;

/**
 * What a delimiter line may carry besides its boundary value: the `--` prefix, the closing `--`,
 * up to 998 SP/HTAB and the line end. The same bound as mailsplit's `BOUNDARY_LINE_SUFFIX`, so
 * that a line counts as a delimiter exactly when mailsplit counts it as one.
 */
export const BOUNDARY_LINE_SUFFIX = 2 + 2 + 998 + 2;

/**
 * mailsplit's `compareBoundary`, on `line[start, end)` instead of a sliced line: 1 when the
 * bytes from `start + startpos` are a delimiter line of `boundary` (`--boundary`, then SP/HTAB,
 * then a run of CR, an optional LF and nothing after), 2 when they are its closing delimiter
 * (`--boundary--`, which alone may also end without a line end), 0 otherwise.
 */
export function matchBoundary(
  line: Uint8Array,
  start: number,
  end: number,
  startpos: number,
  boundary: Buffer,
): 0 | 1 | 2 {
  const length = end - start;
  if (length < boundary.length + 3 + startpos || length > boundary.length + BOUNDARY_LINE_SUFFIX + startpos) return 0;
  let i = start + startpos + 2;
  if (boundary.compare(line, i, i + boundary.length) !== 0) return 0;
  i += boundary.length;
  let result: 1 | 2 = 1;
  if (line[i] === DASH) {
    // mailsplit reads past the end of its sliced line as undefined: here `end` stands for that
    if (i + 1 >= end || line[i + 1] !== DASH) return 0;
    result = 2;
    i += 2;
  }
  while (i < end && (line[i] === SP || line[i] === HTAB)) i++;
  if (i === end) return result === 2 ? 2 : 0;
  while (i < end && line[i] === CR) i++;
  if (i < end && line[i] === LF) i++;
  return i === end ? result : 0;
}
