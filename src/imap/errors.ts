import type { SignInKind } from "../config/index.ts";
import { MpsError } from "../shared/errors.ts";
import type { Proxy } from "../shared/proxy.ts";
import { IMAP_THROTTLED } from "./imap_throttle.ts";

export const IMAP_CONNECT = "ERR_IMAP_CONNECT";
export const IMAP_TLS = "ERR_IMAP_TLS";
export const IMAP_AUTH = "ERR_IMAP_AUTH";
export const IMAP_NOT_CONNECTED = "ERR_IMAP_NOT_CONNECTED";
export const IMAP_FOLDER = "ERR_IMAP_FOLDER";
export const IMAP_OTHER = "ERR_IMAP";
/** A delegate's sign-in may not open the shared mailbox: Full Access is missing. */
export const IMAP_SHARED_MAILBOX = "ERR_IMAP_SHARED_MAILBOX";
/** The account cannot read, flag or delete in the folder, so the connection test fails. */
export const IMAP_RIGHTS = "ERR_MAILBOX_RIGHTS";

/** An IMAP failure with a stable code and the fix an admin can act on. */
export class ImapError extends MpsError {
  constructor(code: string, message: string, options: { cause: unknown; fix: string }) {
    super(code, message, options);
  }
}

export interface ImapTarget {
  readonly host: string;
  readonly port: number;
  readonly userName: string;
  readonly folder: string;
  readonly caFile: string | undefined;
  readonly oauth: boolean;
  /** App-only sign-in (ImapOAuthMicrosoftApp): the rights fix differs. */
  readonly app?: boolean | undefined;
  /** The `<oauth>` provider, named in the `mps login` command of a fix. */
  readonly provider?: string | undefined;
  /** A shared mailbox `userName` opens as a delegate. */
  readonly mailbox?: string | undefined;
  /** The proxy the connection goes through (HTTP CONNECT); undefined when direct. */
  readonly proxy?: Proxy | undefined;
}

/** The server said it throttles this mailbox: no attempt before `retryAfterMs` from when it said so. */
export class ImapThrottledError extends ImapError {
  static readonly CODE = IMAP_THROTTLED;
  /** How long to wait from the moment the error was raised, already capped. */
  readonly retryAfterMs: number;
  constructor(message: string, retryAfterMs: number, options: { cause: unknown; fix: string }) {
    super(IMAP_THROTTLED, message, options);
    this.retryAfterMs = retryAfterMs;
  }
}

/**
 * "Test connection was not successful": the account cannot read, flag or delete in the folder. `mps run` and
 * `mps doctor` both raise this one, so both tell the admin the same thing.
 */
export class MailboxRightsError extends ImapError {
  static readonly CODE = IMAP_RIGHTS;
  static readonly FINDING = "Test connection was not successful";
  /** `what` the server refused (e.g. "delete messages"), `detail` its answer. */
  constructor(target: ImapTarget, what: string, detail: string, cause: unknown) {
    const signIn: SignInKind = !target.oauth ? "password" : target.app === true ? "app" : "delegated";
    super(
      IMAP_RIGHTS,
      `${MailboxRightsError.FINDING}: '${target.userName}' may not ${what} in folder '${target.folder}' on ${target.host}:${target.port}` +
        (detail === "" ? "" : `: ${detail}`),
      { cause, fix: rightsFix(signIn, target.provider, target.userName, target.folder) },
    );
  }
}

/** The same as `new MailboxRightsError(...)`, for callers written before the class. */
export function mailboxRightsError(target: ImapTarget, what: string, detail: string, cause: unknown): ImapError {
  return new MailboxRightsError(target, what, detail, cause);
}

function rightsFix(signIn: SignInKind, provider: string | undefined, user: string, folder: string): string {
  if (signIn === "password") {
    return `Give the account '${user}' the right to read, flag and delete messages in folder '${folder}' on the IMAP server, then run \`mps doctor\` again.`;
  }
  if (signIn === "app") {
    return `Re-grant the app access to the mailbox '${user}': the app registration needs the application permission IMAP.AccessAsApp ` +
      `with admin consent, and in Exchange Online PowerShell the app's service principal needs ` +
      `\`Add-MailboxPermission -Identity ${user} -User <service principal id> -AccessRights FullAccess\`; then run \`mps doctor\` again.`;
  }
  return `Re-grant the permission: the app registration needs the delegated permission IMAP.AccessAsUser.All (with admin consent where the ` +
    `tenant requires it) and '${user}' needs full access to its mailbox and folder '${folder}'; then log in again with ` +
    `\`mps login ${provider ?? "<provider>"} ${user}\`.`;
}
