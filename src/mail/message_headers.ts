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
  /** What a reply to the sender needs to thread itself and to stay out of mail loops. */
  readonly reply: ReplyFields;
}

/** Header fields that decide whether an automatic reply may be sent, and how it threads. Empty strings when absent. */
export interface ReplyFields {
  readonly autoSubmitted: string;
  readonly precedence: string;
  readonly listId: string;
  /** The `Return-Path` as written (`<>` is the empty return path of bounces); undefined when absent. */
  readonly returnPath: string | undefined;
  readonly references: string;
  /** Other fields that only automatic mail carries (`X-Auto-Response-Suppress`, `X-Autoreply`, `X-Autorespond`), as `name: value` lines. */
  readonly autoMarks: readonly string[];
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
    reply: {
      autoSubmitted: field("auto-submitted"),
      precedence: field("precedence"),
      listId: field("list-id"),
      returnPath: headers && headers.hasHeader("return-path") ? field("return-path") : undefined,
      references: field("references"),
      autoMarks: AUTO_MARKS.filter((key) => headers && headers.hasHeader(key)).map((key) => `${key}: ${field(key)}`),
    },
  };
}

const AUTO_MARKS = ["x-auto-response-suppress", "x-autoreply", "x-autorespond"] as const;

function decodeWords(value: string): string {
  try {
    return libmime.decodeWords(value).replace(/[\r\n]+[ \t]*/g, " ").trim();
  } catch {
    return value.trim();
  }
}
