export {
  IMAP_AUTH,
  IMAP_CONNECT,
  IMAP_FOLDER,
  IMAP_NOT_CONNECTED,
  IMAP_OTHER,
  IMAP_RIGHTS,
  IMAP_TLS,
  ImapError,
  MailboxRightsError,
  mailboxRightsError,
} from "./errors.ts";
export type { ImapTarget } from "./errors.ts";
export { imapTarget, toImapError } from "./imap_error.ts";
export { createImapFlow, ImapSession } from "./imap_session.ts";
export type { ImapAuth, ImapClientFactory, ImapSessionOptions } from "./imap_session.ts";
