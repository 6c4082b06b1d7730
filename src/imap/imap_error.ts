import type { EmailSource } from "../config/index.ts";
import {
  IMAP_AUTH,
  IMAP_CONNECT,
  IMAP_FOLDER,
  IMAP_NOT_CONNECTED,
  IMAP_OTHER,
  IMAP_SHARED_MAILBOX,
  IMAP_TLS,
  ImapError,
  ImapThrottledError,
  mailboxRightsError,
} from "./errors.ts";
import type { ImapTarget } from "./errors.ts";
import { proxyRefused, proxyUnreachable } from "../shared/proxy.ts";
import { throttleAnswer } from "./imap_throttle.ts";

// `service/email_source.ts` imports these from here.
export { mailboxRightsError };
export type { ImapTarget };

/**
 * The IMAP login name: a shared mailbox's address (its token is the delegate's, as Microsoft
 * documents for shared mailboxes), else userName.
 */
export function imapUser(source: EmailSource): string {
  return source.signIn !== "password" && source.mailbox !== undefined ? source.mailbox : source.userName;
}

/** What `toImapError` needs to know about a source. */
export function imapTarget(source: EmailSource): ImapTarget {
  return {
    host: source.host,
    port: source.port,
    userName: source.userName,
    folder: source.folder,
    caFile: source.caFile,
    oauth: source.signIn !== "password",
    app: source.signIn === "app",
    provider: source.provider,
    ...(source.signIn !== "password" && source.mailbox !== undefined ? { mailbox: source.mailbox } : {}),
  };
}

const CERT_CODES = new Set([
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "SELF_SIGNED_CERT_IN_CHAIN",
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "CERT_HAS_EXPIRED",
  "ERR_TLS_CERT_ALTNAME_INVALID",
  "CERT_NOT_YET_VALID",
]);

/** Maps what imapflow and the socket throw to one of the codes above. */
export function toImapError(error: unknown, target: ImapTarget): ImapError {
  if (error instanceof ImapError) return error;
  const where = `${target.host}:${target.port}`;
  const code = stringField(error, "code");
  const text = error instanceof Error ? error.message : String(error);
  if (target.proxy !== undefined && /proxy/i.test(`${text} ${code ?? ""}`)) {
    const inner: unknown = Reflect.get(Object(error), "_err") ?? Reflect.get(Object(error), "cause");
    const said = inner instanceof Error ? inner.message : text;
    const status = /response from proxy: (\d{3})/i.exec(said)?.[1];
    const innerCode = stringField(inner, "code");
    const problem = status !== undefined
      ? proxyRefused(target.proxy, where, Number(status), error)
      : proxyUnreachable(target.proxy, where, innerCode ?? said, error);
    return new ImapError(problem.code, problem.message, { cause: error, fix: problem.fix ?? "" });
  }
  const throttled = throttleAnswer(error);
  if (throttled !== undefined) {
    const seconds = Math.ceil(throttled.waitMs / 1000);
    return new ImapThrottledError(
      `The IMAP server ${where} throttles the mailbox of '${target.userName}' ('${throttled.said}'): ` +
        `the next attempt waits ${seconds} s${throttled.suggested ? " as the server suggested" : ""}`,
      throttled.waitMs,
      {
        cause: error,
        fix: "Nothing to do if it is rare: mps waits and tries again. If it keeps happening, fewer clients " +
          "(or mps sources) should open this mailbox at the same time, or the poll interval should be longer",
      },
    );
  }
  const response = stringField(error, "response") ?? stringField(error, "responseText") ?? "";
  const refusedLogin = booleanField(error, "authenticationFailed") ||
    /AUTHENTICATIONFAILED|Authentication failed|User is authenticated but not connected/i.test(`${response} ${text}`);
  if (refusedLogin && target.mailbox !== undefined && target.app !== true) {
    return new ImapError(
      IMAP_SHARED_MAILBOX,
      `The IMAP server ${where} refused '${target.userName}' access to the shared mailbox '${target.mailbox}': ${
        response || text
      }`,
      { cause: error, fix: sharedMailboxFix(target.userName, target.mailbox) },
    );
  }
  if (/User is authenticated but not connected/i.test(`${response} ${text}`)) {
    return new ImapError(
      IMAP_NOT_CONNECTED,
      `User is authenticated but not connected: '${target.userName}' signed in to ${where}, but the server refused the next command (IMAP is disabled for this mailbox)`,
      {
        cause: error,
        fix:
          `Enable IMAP for the mailbox in the Exchange admin center (Recipients > Mailboxes > ${target.userName} > ` +
          "Email apps > IMAP on, or Set-CASMailbox -ImapEnabled $true); the change can take hours to reach every server",
      },
    );
  }
  if (code !== undefined && CERT_CODES.has(code)) {
    const names = stringField(error, "reason");
    const reason = code === "ERR_TLS_CERT_ALTNAME_INVALID"
      ? `its certificate is for another host name${names === undefined ? "" : ` (${names})`}`
      : code === "CERT_HAS_EXPIRED"
      ? "its certificate has expired"
      : "its certificate is not signed by a trusted authority (self-signed or a private CA)";
    return new ImapError(IMAP_TLS, `Cannot trust the IMAP server ${where}: ${reason} (${code})`, {
      cause: error,
      fix: code === "ERR_TLS_CERT_ALTNAME_INVALID"
        ? `Use the host name the certificate was issued for in host="…" (the message above names it)`
        : code === "CERT_HAS_EXPIRED"
        ? "Renew the server's certificate"
        : `Give the source caFile="…" with the PEM of the CA that signed the server's certificate${
          target.caFile ? ` (now '${target.caFile}')` : ""
        }`,
    });
  }
  if (
    code === "ECONNREFUSED" || code === "ENOTFOUND" || code === "EAI_AGAIN" || code === "ETIMEDOUT" ||
    code === "EHOSTUNREACH" || code === "ENETUNREACH" || code === "CONNECT_TIMEOUT" || code === "ECONNRESET" ||
    code === "NoConnection" || code === "EConnectionClosed" || code === "ETIMEOUT" || code === "GREETING_TIMEOUT"
  ) {
    return new ImapError(
      IMAP_CONNECT,
      `Cannot connect to IMAP server ${where}: ${text}${code && !text.includes(code) ? ` (${code})` : ""}`,
      {
        cause: error,
        fix:
          `Check host="${target.host}" and port="${target.port}", that the server is up, and that no firewall or proxy blocks the connection`,
      },
    );
  }
  if (
    booleanField(error, "authenticationFailed") ||
    /AUTHENTICATIONFAILED|Authentication failed/i.test(`${response} ${text}`)
  ) {
    return new ImapError(
      IMAP_AUTH,
      `The IMAP server ${where} refused the login of '${target.userName}': ${response || text}`,
      {
        cause: error,
        fix: target.app === true
          ? appOnlyLogonFix(target.userName)
          : target.oauth
          ? `Check that the token belongs to '${target.userName}' and still grants IMAP access: run 'mps doctor', then 'mps login' for this user if needed`
          : `Check userName and password of the source`,
      },
    );
  }
  if (
    stringField(error, "serverResponseCode") === "NOPERM" ||
    /\bNOPERM\b|permission denied|access denied/i.test(`${response} ${text}`)
  ) {
    return mailboxRightsError(target, "read, flag or delete messages", response || text, error);
  }
  if (/Mailbox doesn't exist|NONEXISTENT|not exist|Unknown Mailbox/i.test(`${response} ${text}`)) {
    return new ImapError(
      IMAP_FOLDER,
      `The folder '${target.folder}' does not exist in the mailbox of '${target.userName}'`,
      {
        cause: error,
        fix: `Create the folder or correct folder="…" of the source`,
      },
    );
  }
  return new ImapError(IMAP_OTHER, `IMAP error on ${where}: ${response || text}`, {
    cause: error,
    fix: "Run 'mps doctor' to check the connection and the mailbox rights",
  });
}

/**
 * Exchange answers an app token it cannot map to a mailbox permission with `NO AUTHENTICATE
 * failed` (LogonDenied in its logs): no user logs in for app-only access, so the fix is in
 * Exchange, not `mps login`.
 */
function appOnlyLogonFix(mailbox: string): string {
  return "Exchange Online refuses the app: register its service principal there and give it the mailbox. " +
    "In Exchange Online PowerShell: `New-ServicePrincipal -AppId <Application (client) ID> -ObjectId <Object ID of the " +
    "Enterprise application (Entra admin center > Enterprise applications), not of the app registration>`, then " +
    `\`Add-MailboxPermission -Identity ${mailbox || "<mailbox>"} -User <that Object ID> -AccessRights FullAccess\`; ` +
    "the app registration needs the application permission IMAP.AccessAsApp (Office 365 Exchange Online) with admin " +
    "consent. Changes can take up to an hour to apply";
}

function sharedMailboxFix(delegate: string, mailbox: string): string {
  return `Give '${delegate}' Full Access to '${mailbox}': Exchange admin center > Recipients > Mailboxes > ${mailbox} > ` +
    `Delegation > Read and manage (Full Access), or in Exchange Online PowerShell \`Add-MailboxPermission -Identity ` +
    `${mailbox} -User ${delegate} -AccessRights FullAccess -InheritanceType All\`; the permission can take up to an hour ` +
    `to apply. Also check that IMAP is on for '${mailbox}' (Email apps) and that mailbox="…" is spelled as its primary address`;
}

function stringField(value: unknown, key: string): string | undefined {
  if (typeof value !== "object" || value === null) return undefined;
  const field: unknown = Reflect.get(value, key);
  return typeof field === "string" ? field : undefined;
}

function booleanField(value: unknown, key: string): boolean {
  if (typeof value !== "object" || value === null) return false;
  return Reflect.get(value, key) === true;
}
