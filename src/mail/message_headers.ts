import type { Headers } from "@zone-eu/mailsplit";
import libmime from "libmime";
import { fieldValue, senderIdentity } from "./sender/index.ts";
import type { SenderIdentity } from "./sender/index.ts";

/** The header fields of a message that mps uses, decoded to text. Empty strings when absent. */
export interface MessageHeaders {
  /** The `From` value for display, rebuilt from its structure (display names decoded); as written when unreadable. */
  readonly from: string;
  /** The sender's address, lower-cased (see `senderIdentity`); undefined when there is none. */
  readonly sender: string | undefined;
  /** Why there is no sender, when there is none. */
  readonly senderProblem: Extract<SenderIdentity, { ok: false }> | undefined;
  /** The topmost `Authentication-Results` value, unfolded; undefined when there is none. */
  readonly authenticationResults: string | undefined;
  readonly to: string;
  readonly subject: string;
  readonly messageId: string;
  readonly date: string;
  /** How many header fields the message has: 0 means it is no RFC 5322 message at all. */
  readonly lineCount: number;
}

/** Reads the header fields mps needs from a message's root header block. */
export function readMessageHeaders(headers: Headers | false): MessageHeaders {
  const field = (key: string): string => (headers ? decodeWords(headers.getFirst(key)) : "");
  const values = (key: string): string[] => (headers ? headers.get(key).map(fieldValue) : []);
  const identity = senderIdentity(values("from"), values("sender"));
  return {
    from: identity.display,
    sender: identity.ok ? identity.sender : undefined,
    senderProblem: identity.ok ? undefined : identity,
    authenticationResults: values("authentication-results")[0],
    to: field("to"),
    subject: field("subject"),
    messageId: field("message-id"),
    date: field("date"),
    lineCount: headers ? headers.getList().filter((line) => line.key !== "").length : 0,
  };
}

function decodeWords(value: string): string {
  try {
    return libmime.decodeWords(value).replace(/[\r\n]+[ \t]*/g, " ").trim();
  } catch {
    return value.trim();
  }
}
