/** The system error code of a file-system or network error (`ENOENT`), or undefined when it has none. */
export function errnoCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null | undefined)?.code;
  return typeof code === "string" ? code : undefined;
}

/** Plain words for the file-system error codes an admin meets on a folder or file mps uses. */
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

/** "a part of the path is a file, not a folder (ENOTDIR)", or the error's own message. */
export function fsReason(cause: unknown): string {
  const code = errnoCode(cause);
  if (code !== undefined && REASONS[code] !== undefined) return `${REASONS[code]} (${code})`;
  return cause instanceof Error ? cause.message : String(cause);
}
