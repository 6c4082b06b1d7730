/** Plain words for the file-system error codes an admin meets on a folder mps writes to. */
const REASONS: Readonly<Record<string, string>> = {
  EACCES: "permission denied",
  EPERM: "operation not permitted",
  ENOENT: "the folder does not exist",
  ENOTDIR: "a part of the path is a file, not a folder",
  EEXIST: "a file stands where the folder must be",
  EROFS: "the file system is read-only",
  ENOSPC: "the disk is full",
  EDQUOT: "the disk quota is exhausted",
};

/** "a part of the path is a file, not a folder (ENOTDIR)", or the error's own message. */
export function fsReason(cause: unknown): string {
  const code = (cause as { code?: unknown } | null)?.code;
  if (typeof code === "string" && REASONS[code] !== undefined) return `${REASONS[code]} (${code})`;
  return cause instanceof Error ? cause.message : String(cause);
}
