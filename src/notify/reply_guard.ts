import type { ReplyFields } from "../mail/index.ts";

// Local parts that belong to machines, not people (RFC 2142 and common practice).
// Exchange sends its delivery reports as MicrosoftExchange<32 hex digits>@ the tenant's domain.
const MACHINE_LOCAL =
  /^(mailer-daemon|postmaster|no[-_.]?reply|do[-_.]?not[-_.]?reply|bounces?|abuse|microsoftexchange[0-9a-f]{32})(?:[+-].*)?$/i;

/**
 * Why no automatic reply may go to this sender, or undefined when one may. Never reply to
 * automatic mail (`Auto-Submitted` other than `no`, RFC 3834; `Precedence: bulk|junk|list`;
 * `List-Id`; Exchange's `X-Auto-Response-Suppress`), to bounces (an empty return path), to
 * machine addresses, or to the print mailbox itself: each would risk a loop or backscatter.
 */
export function whyNoReply(
  sender: string,
  fields: ReplyFields,
  ownAddresses: readonly string[],
): string | undefined {
  const autoSubmitted = fields.autoSubmitted.trim().toLowerCase();
  if (autoSubmitted !== "" && autoSubmitted.split(/[\s;(]/)[0] !== "no") {
    return `the message is automatic (Auto-Submitted: ${fields.autoSubmitted})`;
  }
  const precedence = fields.precedence.trim().toLowerCase();
  if (["bulk", "junk", "list"].includes(precedence)) {
    return `the message is bulk mail (Precedence: ${fields.precedence})`;
  }
  if (fields.listId.trim() !== "") return "the message comes from a mailing list (List-Id)";
  if (fields.returnPath !== undefined && /^\s*<?\s*>?\s*$/.test(fields.returnPath)) {
    return "the message has an empty return path (a bounce)";
  }
  for (const mark of fields.autoMarks) {
    const [name = "", value = ""] = mark.split(/:\s*/, 2);
    if (name !== "x-auto-response-suppress" || /\b(all|autoreply)\b/i.test(value)) {
      return `the message asks for no automatic replies (${mark})`;
    }
  }
  const address = sender.trim().toLowerCase();
  const local = address.slice(0, address.lastIndexOf("@"));
  if (MACHINE_LOCAL.test(local)) return `the sender '${address}' is a machine address`;
  if (ownAddresses.some((own) => own.trim().toLowerCase() === address)) {
    return `the sender '${address}' is the print mailbox itself`;
  }
  return undefined;
}
