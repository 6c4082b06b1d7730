import { createHash } from "node:crypto";
import type { ReplyTexts } from "./reply_texts.ts";

/** What became of one document of a job, as the reply tells it. */
export type DocumentStatus =
  | { readonly fileName: string; readonly status: "queued" }
  | { readonly fileName: string; readonly status: "printed"; readonly printer: string }
  /** `why`: `not-printable` (with the content type) or a sentence of the stage that refused it. */
  | { readonly fileName: string; readonly status: "refused"; readonly why: string; readonly contentType?: string };

/** One reply to write: about a job (`accepted`) or a refused message. */
export interface ReplyRequest {
  /** The job id of the message: one reply per message. */
  readonly id: string;
  readonly kind: "accepted" | "refused";
  readonly to: string;
  /** The print mailbox, as the sender knows it. */
  readonly mailbox: string;
  readonly subject: string;
  readonly messageId: string;
  readonly references: string;
  /** ISO 8601. */
  readonly receivedAt: string;
  readonly documents: readonly DocumentStatus[];
  /** The Failed reason code of a refused message. */
  readonly reason?: string;
}

/** A reply ready for SMTP; plain data, so it can wait in the outbox as JSON. */
export interface OutgoingReply {
  readonly from: string;
  readonly to: string;
  readonly subject: string;
  readonly text: string;
  readonly html: string;
  readonly messageId: string;
  readonly inReplyTo: string | undefined;
  readonly references: string | undefined;
}

const MAX_SUBJECT = 200;

/** Writes the reply in the given language: plain text and the same as simple HTML. */
export function composeReply(request: ReplyRequest, texts: ReplyTexts, language: string, from: string): OutgoingReply {
  const vars: Record<string, string> = {
    subject: oneLine(request.subject) || "—",
    mailbox: request.mailbox,
    sender: request.to,
    date: formatDate(request.receivedAt, language),
  };
  const paragraphs: string[] = [fill(texts.greeting, vars)];
  let items: string[] = [];
  let after: string[] = [];
  if (request.kind === "accepted") {
    paragraphs.push(fill(texts.acceptedIntro, vars));
    items = request.documents.map((document) => documentLine(document, texts, vars));
  } else {
    paragraphs.push(fill(texts.refusedIntro, vars));
    const code = request.reason ?? "other";
    after = [
      fill(texts.reasons[code] ?? texts.reasons["other"] ?? "", vars),
      fill(texts.whatToDo[code] ?? texts.whatToDo["other"] ?? "", vars),
    ].filter((line) => line !== "");
  }
  const footer = fill(texts.footer, vars);
  const text = [
    ...paragraphs.map((line) => `${line}\n`),
    ...(items.length > 0 ? [`${items.map((item) => `- ${item}`).join("\n")}\n`] : []),
    ...after.map((line) => `${line}\n`),
    `-- \n${footer}\n`,
  ].join("\n");
  const html = [
    "<!DOCTYPE html><html><body>",
    ...paragraphs.map((line) => `<p>${escapeHtml(line)}</p>`),
    ...(items.length > 0 ? [`<ul>${items.map((item) => `<li>${escapeHtml(item)}</li>`).join("")}</ul>`] : []),
    ...after.map((line) => `<p>${escapeHtml(line)}</p>`),
    `<p style="color:#666;font-size:smaller">${escapeHtml(footer)}</p>`,
    "</body></html>",
  ].join("\n");
  const prefix = request.kind === "accepted" ? texts.acceptedSubject : texts.refusedSubject;
  const messageId = oneLine(request.messageId);
  const references = oneLine(`${request.references} ${messageId}`).split(/\s+/).filter((id) => id !== "");
  return {
    from,
    to: request.to,
    subject: (prefix + (oneLine(request.subject) || "—")).slice(0, MAX_SUBJECT),
    text,
    html,
    messageId: `<mps-reply.${createHash("sha256").update(request.id).digest("hex").slice(0, 32)}@${domainOf(from)}>`,
    inReplyTo: /^<[^<>\s]+>$/.test(messageId) ? messageId : undefined,
    // the last references only, so a long thread cannot make the header grow without bound
    references: references.length > 0 ? references.slice(-10).join(" ") : undefined,
  };
}

function documentLine(document: DocumentStatus, texts: ReplyTexts, vars: Record<string, string>): string {
  const own = { ...vars, fileName: oneLine(document.fileName) };
  if (document.status === "queued") return fill(texts.documentQueued, own);
  if (document.status === "printed") return fill(texts.documentPrinted, { ...own, printer: document.printer });
  const reason = document.why === "not-printable"
    ? fill(texts.notPrintable, { ...own, contentType: document.contentType ?? "" })
    : document.why;
  return fill(texts.documentRefused, { ...own, reason });
}

/** Replaces `{name}` by the variable's value; an unknown name stays as written. */
export function fill(template: string, vars: Readonly<Record<string, string>>): string {
  return template.replace(/\{([A-Za-z]+)\}/g, (whole, name: string) => vars[name] ?? whole);
}

function formatDate(iso: string, language: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  try {
    return new Intl.DateTimeFormat(language, { dateStyle: "medium", timeStyle: "short" }).format(date);
  } catch {
    return date.toISOString();
  }
}

function oneLine(value: string): string {
  // deno-lint-ignore no-control-regex
  return value.replace(/[\u0000-\u001f\u007f]+/g, " ").replace(/\s+/g, " ").trim();
}

function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function domainOf(address: string): string {
  return address.slice(address.lastIndexOf("@") + 1) || "localhost";
}
