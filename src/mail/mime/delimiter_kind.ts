/**
 * What a line is to the MIME tree: the results of mailsplit's `checkBoundary`, and `NONE` for a
 * line that is no delimiter. The values are mailsplit's own numbers.
 */
export const DELIMITER_KIND = {
  /** No delimiter line. */
  NONE: 0,
  /** The current node's boundary: starts a child of it. */
  CHILD: 1,
  /** The current node's closing delimiter, met in its preamble: changes nothing. */
  CLOSE_OWN: 2,
  /** An ancestor's boundary: starts a sibling under that ancestor. */
  SIBLING: 3,
  /** An ancestor's closing delimiter: closes that ancestor, whose epilogue follows. */
  CLOSE_ANCESTOR: 4,
} as const;

export type DelimiterKind = (typeof DELIMITER_KIND)[keyof typeof DELIMITER_KIND];

/** A line that is a delimiter. */
export type Delimiter = Exclude<DelimiterKind, typeof DELIMITER_KIND.NONE>;
