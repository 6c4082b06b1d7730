/**
 * The wording of the Windows-folder failure, kept here only while `service/folder_source.ts` still builds it
 * itself; `FolderSourceError.windowsPath` (config/errors.ts) is the error class. The other known failures are
 * error classes in their folders: `MailboxRightsError` (imap), `ClientSecretError`, `WrongStoredAccountError`,
 * `TokenNotFoundError`, `OAuthError` (oauth), `ImapError` (imap).
 */
export const KNOWN_FAILURES = {
  /** A legacy folder source on a Windows path or admin share, read by mps on another OS. */
  windowsFolder: {
    code: "ERR_FOLDER_SOURCE",
    finding: (name: string, location: string) =>
      `Folder source '${name}' reads the Windows path '${location}', which only mps on Windows can open`,
    fix: (line: number) =>
      `Mount the share on this machine and set path="…" of the folder source (config line ${line}) to the mount point.`,
  },
} as const;
