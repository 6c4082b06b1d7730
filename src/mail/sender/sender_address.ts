import { parseAddressList } from "./address_list.ts";
import type { AddressEntry, Mailbox } from "./address_list.ts";
import { printable } from "./structured_field.ts";

/** Who sent a message, or why that cannot be said. */
export type SenderIdentity =
  | { readonly ok: true; readonly sender: string; readonly display: string }
  | {
    readonly ok: false;
    readonly reason: "no-sender" | "ambiguous-sender";
    readonly message: string;
    readonly display: string;
  };

const QUOTE_LIMIT = 200;

/**
 * The sender of a message from its `From` and `Sender` field values (unfolded, in header
 * order), by the structure of the address lists:
 * - no `From`, a `From` that is no address list, or one with no mailbox (an empty group such
 *   as `undisclosed-recipients:;`): `no-sender`;
 * - several `From` fields: `ambiguous-sender` (a message has exactly one; more are a sign of
 *   forgery);
 * - one mailbox (alone or as a group's only member): that address; a `Sender` field is then
 *   not used;
 * - several mailboxes: the `Sender` field must name exactly one mailbox, and it must be one of
 *   them; it is the sender. Else `ambiguous-sender`.
 * The address is lower-cased.
 */
export function senderIdentity(fromValues: readonly string[], senderValues: readonly string[]): SenderIdentity {
  const first = fromValues[0];
  if (first === undefined) {
    return {
      ok: false,
      reason: "no-sender",
      message: "The message has no sender address: it has no From header",
      display: "",
    };
  }
  if (fromValues.length > 1) {
    return {
      ok: false,
      reason: "ambiguous-sender",
      message: `The message has ${fromValues.length} From headers (${fromValues.slice(0, 3).map(quote).join(", ")}${
        fromValues.length > 3 ? ", …" : ""
      }): a message has exactly one, so it cannot be said who sent it`,
      display: printable(first),
    };
  }
  const parsed = parseAddressList(first);
  if (!parsed.ok) {
    return {
      ok: false,
      reason: "no-sender",
      message: `The message has no sender address: From is ${
        quote(first)
      }, which is not an address list (${parsed.problem})`,
      display: printable(first),
    };
  }
  const display = parsed.entries.map(renderEntry).join(", ");
  const mailboxes = parsed.entries.flatMap((entry) => entry.kind === "mailbox" ? [entry.mailbox] : entry.mailboxes);
  const only = mailboxes.length === 1 ? mailboxes[0] : undefined;
  if (only !== undefined) return { ok: true, sender: only.address.toLowerCase(), display };
  if (mailboxes.length === 0) {
    return {
      ok: false,
      reason: "no-sender",
      message: `The message has no sender address: its From header ${quote(first)} holds no mailbox`,
      display,
    };
  }
  const authors = mailboxes.map((mailbox) => mailbox.address.toLowerCase());
  const fail = (why: string): SenderIdentity => ({
    ok: false,
    reason: "ambiguous-sender",
    message: `The message's From header holds ${authors.length} addresses (${authors.join(", ")}) and ${why}`,
    display,
  });
  if (senderValues.length !== 1) {
    return fail(
      senderValues.length === 0
        ? "it has no Sender header to say which of them sent it"
        : `it has ${senderValues.length} Sender headers`,
    );
  }
  const sender = parseAddressList(senderValues[0] ?? "");
  const named = sender.ok
    ? sender.entries.flatMap((entry) => entry.kind === "mailbox" ? [entry.mailbox] : entry.mailboxes)
    : [];
  const chosen = named.length === 1 ? named[0]?.address.toLowerCase() : undefined;
  if (chosen === undefined) {
    return fail(`its Sender header ${quote(senderValues[0] ?? "")} does not name exactly one mailbox`);
  }
  if (!authors.includes(chosen)) return fail(`its Sender '${chosen}' is none of them`);
  return { ok: true, sender: chosen, display };
}

/**
 * The address of a `From` field value that holds exactly one mailbox, lower-cased; undefined
 * when it holds none, several, or is no address list.
 */
export function senderAddress(from: string): string | undefined {
  const identity = senderIdentity([from], []);
  return identity.ok ? identity.sender : undefined;
}

function renderEntry(entry: AddressEntry): string {
  if (entry.kind === "mailbox") return renderMailbox(entry.mailbox);
  return `${entry.name}: ${entry.mailboxes.map(renderMailbox).join(", ")};`;
}

function renderMailbox(mailbox: Mailbox): string {
  const name = mailbox.displayName;
  // Quoted when it looks like structure, so a name such as `<boss@contoso.com>` never reads as the address.
  if (name !== "") {
    return `${/[<>@,;:"()]/.test(name) ? `"${name.replace(/["\\]/g, "\\$&")}"` : name} <${mailbox.address}>`;
  }
  const comment = mailbox.comments.find((text) => text !== "");
  return comment === undefined ? mailbox.address : `${mailbox.address} (${comment})`;
}

function quote(value: string): string {
  const text = printable(value);
  return `'${text.length > QUOTE_LIMIT ? `${text.slice(0, QUOTE_LIMIT)}…` : text}'`;
}
