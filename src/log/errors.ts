import { dirname } from "node:path";
import { MpsError } from "../shared/errors.ts";

/** Plain words for the file-system error codes an admin meets on a log folder. */
const REASONS: Readonly<Record<string, string>> = {
  EACCES: "permission denied",
  EPERM: "operation not permitted",
  ENOENT: "the folder does not exist",
  ENOTDIR: "a part of the path is a file, not a folder",
  EEXIST: "a part of the path is a file, not a folder", // from mkdir: a file stands where a folder must go
  EISDIR: "the path is a folder, not a file",
  EROFS: "the file system is read-only",
  ENOSPC: "the disk is full",
  EDQUOT: "the disk quota is exhausted",
  EBUSY: "the file is in use by another program",
  EMFILE: "too many open files",
};

function describe(cause: unknown): string {
  const code = (cause as { code?: unknown } | null)?.code;
  if (typeof code === "string" && REASONS[code] !== undefined) return `${REASONS[code]} (${code})`;
  return cause instanceof Error ? cause.message : String(cause);
}

/** The log file (or its folder) cannot be created, written or rotated. */
export class LogFileError extends MpsError {
  static readonly CODE = "ERR_LOG_FILE";
  readonly path: string;
  constructor(path: string, cause: unknown, action = "write") {
    super(LogFileError.CODE, `Cannot ${action} log file '${path}': ${describe(cause)}`, {
      cause,
      fix: `Make sure the folder '${dirname(path)}' exists and the account mps runs as can write to it, ` +
        `or point <log file="..."/> in mps.config to a writable place.`,
    });
    this.path = path;
  }
}

/** A log option (`maxBytes`, `maxFiles`) with a value that cannot work. */
export class LogOptionError extends MpsError {
  static readonly CODE = "ERR_LOG_OPTION";
  constructor(name: string, value: unknown, expected: string) {
    super(LogOptionError.CODE, `Log option '${name}' must be ${expected}: got '${String(value)}'`, {
      fix: `Set '${name}' to ${expected}.`,
    });
  }
}
