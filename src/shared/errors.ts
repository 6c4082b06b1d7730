/**
 * Base of every error mps raises on purpose. `code` is stable and exported so
 * callers, doctor and /health can switch on it; `fix` is the plain sentence an
 * admin is shown.
 */
export class MpsError extends Error {
  readonly code: string;
  readonly fix: string | undefined;
  constructor(code: string, message: string, options: { cause?: unknown; fix?: string } = {}) {
    super(message, { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.fix = options.fix;
  }
}

/** Wrong command line: exit code 2. */
export class UsageError extends MpsError {
  static readonly CODE = "ERR_USAGE";
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(UsageError.CODE, message, options);
  }
}

/** The code of a failure that is not an `MpsError`: a bug or an unusual system state. */
export const ERR_UNEXPECTED = "ERR_UNEXPECTED";

/** A failure as the log, `/health`, `mps doctor` and the token status show it: stable code, sentence, fix. */
export interface Problem {
  readonly code: string;
  readonly message: string;
  readonly fix: string | undefined;
}

/** The problem an error stands for: an `MpsError`'s own code and fix, else `ERR_UNEXPECTED` with no fix. */
export function problemOf(error: unknown): Problem {
  if (error instanceof MpsError) return { code: error.code, message: error.message, fix: error.fix };
  return { code: ERR_UNEXPECTED, message: error instanceof Error ? error.message : String(error), fix: undefined };
}
