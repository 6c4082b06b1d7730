import type { Headers } from "@zone-eu/mailsplit";
import libmime from "libmime";
import { senderAddress } from "./sender_address.ts";

/** The header fields of a message that mps uses, decoded to text. Empty strings when absent. */
export interface MessageHeaders {
  /** The `From` value as written (display name decoded). */
  readonly from: string;
  /** The first address of `From`, lower-cased; undefined when there is none. */
  readonly sender: string | undefined;
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
  const from = field("from");
  return {
    from,
    sender: senderAddress(from),
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
