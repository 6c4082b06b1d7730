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

/** What a line is to one boundary: mailsplit's `compareBoundary` results. */
export const BOUNDARY_MATCH = {
  NONE: 0,
  /** `--boundary`: a delimiter line. */
  DELIMITER: 1,
  /** `--boundary--`: the closing delimiter. */
  CLOSING: 2,
} as const;

export type BoundaryMatch = (typeof BOUNDARY_MATCH)[keyof typeof BOUNDARY_MATCH];

/**
 * mailsplit's `compareBoundary`, on `line[start, end)` instead of a sliced line: `DELIMITER` when
 * the bytes from `start + startpos` are a delimiter line of `boundary` (`--boundary`, then SP/HTAB,
 * then a run of CR, an optional LF and nothing after), `CLOSING` when they are its closing
 * delimiter (`--boundary--`, which alone may also end without a line end), `NONE` otherwise.
 */
export function matchBoundary(
  line: Uint8Array,
  start: number,
  end: number,
  startpos: number,
  boundary: Buffer,
): BoundaryMatch {
  const length = end - start;
  if (length < boundary.length + 3 + startpos || length > boundary.length + BOUNDARY_LINE_SUFFIX + startpos) {
    return BOUNDARY_MATCH.NONE;
  }
  let i = start + startpos + 2;
  if (boundary.compare(line, i, i + boundary.length) !== 0) return BOUNDARY_MATCH.NONE;
  i += boundary.length;
  let result: BoundaryMatch = BOUNDARY_MATCH.DELIMITER;
  if (line[i] === DASH) {
    // mailsplit reads past the end of its sliced line as undefined: here `end` stands for that
    if (i + 1 >= end || line[i + 1] !== DASH) return BOUNDARY_MATCH.NONE;
    result = BOUNDARY_MATCH.CLOSING;
    i += 2;
  }
  while (i < end && (line[i] === SP || line[i] === HTAB)) i++;
  if (i === end) return result === BOUNDARY_MATCH.CLOSING ? result : BOUNDARY_MATCH.NONE;
  while (i < end && line[i] === CR) i++;
  if (i < end && line[i] === LF) i++;
  return i === end ? result : BOUNDARY_MATCH.NONE;
}
