/**
 * Findings and fixes of the known failures that have no error class of their own, shared by
 * `mps doctor` and the run-time log so both tell the admin the same thing. (The others live with
 * their errors: `TokenNotFoundError`, `OAuthError` for refresh, secret and consent, `ImapError`
 * for "User is authenticated but not connected".)
 */

/** Who signs in to the mailbox: a user token (`mps login`), the app itself, or a password. */
export type MailboxAccess = "delegated" | "app" | "password";

export interface MailboxRightsContext {
  readonly access: MailboxAccess;
  /** The `<oauth>` provider name, for the `mps login` command; undefined for password sources. */
  readonly provider: string | undefined;
  readonly user: string;
  readonly folder: string;
}

export const KNOWN_FAILURES = {
  /** A legacy folder source on a Windows path or admin share, read by mps on another OS. */
  windowsFolder: {
    code: "ERR_FOLDER_SOURCE",
    finding: (name: string, location: string) =>
      `Folder source '${name}' reads the Windows path '${location}', which only mps on Windows can open`,
    fix: (line: number) =>
      `Mount the share on this machine and set path="…" of the folder source (config line ${line}) to the mount point.`,
  },
  /** The account cannot read, flag or delete in the folder (the old product's "test connection"). */
  mailboxRights: {
    code: "ERR_MAILBOX_RIGHTS",
    finding: "Test connection was not successful",
    fix(ctx: MailboxRightsContext): string {
      if (ctx.access === "password") {
        return `Give the account '${ctx.user}' the right to read, flag and delete messages in folder '${ctx.folder}' on the IMAP server, then run \`mps doctor\` again.`;
      }
      if (ctx.access === "app") {
        return `Re-grant the app access to the mailbox '${ctx.user}': the app registration needs the application permission IMAP.AccessAsApp ` +
          `with admin consent, and in Exchange Online PowerShell the app's service principal needs ` +
          `\`Add-MailboxPermission -Identity ${ctx.user} -User <service principal id> -AccessRights FullAccess\`; then run \`mps doctor\` again.`;
      }
      return `Re-grant the permission: the app registration needs the delegated permission IMAP.AccessAsUser.All (with admin consent where the ` +
        `tenant requires it) and '${ctx.user}' needs full access to its mailbox and folder '${ctx.folder}'; then log in again with ` +
        `\`mps login ${ctx.provider ?? "<provider>"} ${ctx.user}\`.`;
    },
  },
  /** A stored sign-in whose ID token names another account than the source's userName. */
  wrongAccount: {
    code: "ERR_OAUTH_WRONG_ACCOUNT",
    finding: "Signed in as a different account",
    fix(ctx: { provider: string; user: string; signedIn: string }): string {
      return `Run \`mps reset-storage --provider ${ctx.provider} --user ${ctx.user}\`, then \`mps login ${ctx.provider} ${ctx.user}\` and sign in as ` +
        `'${ctx.user}', not '${ctx.signedIn}' (mps asks the browser to let you pick the account; a private window avoids the one already signed in).`;
    },
  },
  /** The client secret is wrong, expired, or about to expire. */
  clientSecret: {
    code: "ERR_OAUTH_CLIENT_SECRET",
    finding: "Client secret could not be retrieved",
    fix(ctx: { provider: string }): string {
      return `The client secret of provider '${ctx.provider}' is wrong or expired: create a new secret in the app registration ` +
        `(Certificates & secrets), copy its Value (not the Secret ID) into clientSecret and its expiry date into clientSecretExpires ` +
        `of <provider name="${ctx.provider}"> in mps.config.`;
    },
  },
} as const;
