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
