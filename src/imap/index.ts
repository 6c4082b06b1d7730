export {
  IMAP_AUTH,
  IMAP_CONNECT,
  IMAP_FOLDER,
  IMAP_NOT_CONNECTED,
  IMAP_OTHER,
  IMAP_RIGHTS,
  IMAP_SHARED_MAILBOX,
  IMAP_TLS,
  ImapError,
  ImapThrottledError,
  MailboxRightsError,
} from "./errors.ts";
export type { ImapTarget } from "./errors.ts";
export { imapTarget, imapUser, toImapError } from "./imap_error.ts";
export { DEFAULT_THROTTLE_WAIT_MS, IMAP_THROTTLED, MAX_THROTTLE_WAIT_MS, throttleAnswer } from "./imap_throttle.ts";
export type { ThrottleAnswer } from "./imap_throttle.ts";
export { createImapFlow, ImapSession } from "./imap_session.ts";
export type { ImapAuth, ImapClientFactory } from "./imap_session.ts";
export { uidSet } from "./uid_set.ts";
