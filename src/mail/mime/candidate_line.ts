const LF = 0x0a;
const CR = 0x0d;
const DASH = 0x2d;
const DASHES = Buffer.from("--", "latin1");

/**
 * The next line start at or after `pos` (a line start) whose line begins with `--` or
 * `\r--`: the only lines mailsplit's `checkBoundary` can match. -1 when there is none.
 */
export function nextCandidate(chunk: Buffer, pos: number): number {
  let from = pos;
  for (;;) {
    const dashes = chunk.indexOf(DASHES, from);
    if (dashes < 0) return -1;
    if (dashes === from || chunk[dashes - 1] === LF) return dashes;
    if (chunk[dashes - 1] === CR && (dashes - 1 === from || chunk[dashes - 2] === LF)) return dashes - 1;
    const lf = chunk.indexOf(LF, dashes + 2);
    if (lf < 0) return -1;
    from = lf + 1;
  }
}

/** Whether a line beginning with `start` can be a delimiter line: 1 yes, 0 no, -1 not known yet. */
export function candidateVerdict(start: Buffer): -1 | 0 | 1 {
  const first = start[0];
  if (first === DASH) return start.length < 2 ? -1 : start[1] === DASH ? 1 : 0;
  if (first !== CR) return 0;
  if (start.length < 2) return -1;
  if (start[1] !== DASH) return 0;
  if (start.length < 3) return -1;
  return start[2] === DASH ? 1 : 0;
}
