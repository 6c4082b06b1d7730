export { IMAP_FOLDER, IMAP_TLS, ImapError, MailboxRightsError } from "./errors.ts";
export type { ImapTarget } from "./errors.ts";
export { imapTarget, toImapError } from "./imap_error.ts";
export { createImapFlow, ImapSession } from "./imap_session.ts";
export type { ImapAuth, ImapClientFactory } from "./imap_session.ts";
