import type { Socket } from "node:net";
import { createTransport } from "nodemailer";
import type { SMTPConnectionCustomAuthContext } from "nodemailer/lib/smtp-connection";
import type { Notifications } from "../config/index.ts";
import type { OutgoingReply } from "./compose_reply.ts";
import { SmtpSendError } from "./notify_errors.ts";

/** How the SMTP session signs in: a password, or an access token (XOAUTH2). */
export type SmtpAuth =
  | { readonly user: string; readonly pass: string }
  | { readonly user: string; readonly accessToken: string };

export interface SmtpOptions {
  readonly settings: Notifications;
  /** PEM of the private CA in `caFile`, when there is one. */
  readonly caPem: string | undefined;
  readonly auth: SmtpAuth;
  /** Connect, greeting and per-command timeout; default 30 s. */
  readonly timeoutMs?: number;
  /**
   * Opens the TCP connection to the SMTP server, e.g. an HTTP CONNECT tunnel through the
   * company proxy; TLS (STARTTLS or from the start) is then spoken over it. Default: a direct
   * connection.
   */
  readonly connect?: ((host: string, port: number, timeoutMs: number) => Promise<Socket>) | undefined;
}

// RFC 4954: a command line with an initial response must fit in 512 octets (Dovecot refuses
// lines from ~1,000 bytes); a longer token, as Exchange Online issues, goes after the 334.
const MAX_AUTH_LINE = 512;
// nodemailer swaps a method named XOAUTH2 without its own token generator for the first one the
// server offers (PLAIN, with the token as password), even with a handler registered: the handler
// is registered under a name of its own and sends `AUTH XOAUTH2` itself.
const CUSTOM_XOAUTH2 = "MPS-XOAUTH2";

/** Sends one reply over SMTP: its own connection, closed after. Throws `SmtpSendError`. */
export async function sendOverSmtp(reply: OutgoingReply, options: SmtpOptions): Promise<void> {
  const transport = createTransport(transportOptions(options));
  try {
    await transport.sendMail({
      from: reply.from,
      to: reply.to,
      subject: reply.subject,
      text: reply.text,
      html: reply.html,
      messageId: reply.messageId,
      ...(reply.inReplyTo === undefined ? {} : { inReplyTo: reply.inReplyTo }),
      ...(reply.references === undefined ? {} : { references: reply.references }),
      headers: { "Auto-Submitted": "auto-replied", "X-Auto-Response-Suppress": "All" },
      disableFileAccess: true,
      disableUrlAccess: true,
    });
  } catch (cause) {
    throw smtpError(cause, options.settings, `send the reply to '${reply.to}'`);
  } finally {
    transport.close();
  }
}

/** Connects and signs in, nothing more (for `mps doctor`). Throws `SmtpSendError`. */
export async function verifySmtp(options: SmtpOptions): Promise<void> {
  const transport = createTransport(transportOptions(options));
  try {
    await transport.verify();
  } catch (cause) {
    throw smtpError(cause, options.settings, "sign in");
  } finally {
    transport.close();
  }
}

function transportOptions(options: SmtpOptions) {
  const { settings, auth } = options;
  const timeout = options.timeoutMs ?? 30_000;
  const token = "accessToken" in auth;
  return {
    host: settings.host,
    port: settings.port,
    secure: settings.secure === "tls",
    requireTLS: settings.secure === "starttls",
    ignoreTLS: settings.secure === "none",
    tls: { servername: settings.host, ...(options.caPem === undefined ? {} : { ca: options.caPem }) },
    connectionTimeout: timeout,
    greetingTimeout: timeout,
    socketTimeout: timeout,
    logger: process.env["MPS_SMTP_DEBUG"] === "1",
    debug: process.env["MPS_SMTP_DEBUG"] === "1",
    auth: token
      ? { type: "custom" as const, method: CUSTOM_XOAUTH2, user: auth.user, pass: auth.accessToken }
      : { user: auth.user, pass: auth.pass },
    ...(token ? { customAuth: { [CUSTOM_XOAUTH2]: xoauth2 } } : {}),
    ...(options.connect === undefined ? {} : { getSocket: tunnel(options.connect, timeout) }),
  };
}

function tunnel(connect: NonNullable<SmtpOptions["connect"]>, timeoutMs: number) {
  return (
    target: { host?: string | undefined; port?: number | undefined },
    done: (error: Error | null, socket?: { connection: Socket }) => void,
  ): void => {
    connect(target.host ?? "", target.port ?? 0, timeoutMs).then(
      (connection) => done(null, { connection }),
      (error: unknown) => done(error instanceof Error ? error : new Error(String(error))),
    );
  };
}

/** SASL XOAUTH2, with the initial response on the AUTH line only when that line is short enough. */
async function xoauth2(context: SMTPConnectionCustomAuthContext): Promise<void> {
  const { user, pass } = context.auth.credentials ?? { user: "", pass: "" };
  const initial = Buffer.from(`user=${user}\x01auth=Bearer ${pass}\x01\x01`, "utf8").toString("base64");
  let answer;
  if (`AUTH XOAUTH2 ${initial}`.length + 2 <= MAX_AUTH_LINE) {
    answer = await context.sendCommand(`AUTH XOAUTH2 ${initial}`);
  } else {
    const ready = await context.sendCommand("AUTH XOAUTH2");
    if (ready.status !== 334) throw new Error(`the server refused AUTH XOAUTH2: ${ready.response}`);
    answer = await context.sendCommand(initial);
  }
  if (answer.status === 334) {
    // the error challenge (base64 JSON); an empty line ends the exchange with the final 5xx
    const detail = Buffer.from(answer.text ?? "", "base64").toString("utf8");
    const final = await context.sendCommand("");
    throw new Error(`the server refused the access token: ${final.response} ${detail}`.trim());
  }
  if (answer.status !== 235) throw new Error(`the server refused the access token: ${answer.response}`);
}

function smtpError(cause: unknown, settings: Notifications, what: string): SmtpSendError {
  const error = cause as { code?: string; responseCode?: number; response?: string; message?: string };
  const where = `SMTP server ${settings.host}:${settings.port}`;
  const detail = (error.response ?? describe(cause)).replace(/\s+/g, " ").trim();
  if (error.code === "EAUTH") {
    return new SmtpSendError(`Cannot sign in to ${where} as '${settings.userName}': ${detail}`, false, {
      cause,
      fix: settings.auth === "password"
        ? "Check userName and password of <notifications>"
        : `Run 'mps doctor': the stored token may lack the send permission (then 'mps login ${
          settings.provider ?? "<provider>"
        } ${settings.userName}' again), or SMTP AUTH may be disabled for the mailbox`,
    });
  }
  // the server refused this message or recipient for good: sending it again will not help
  const permanent = (error.code === "EENVELOPE" || error.code === "EMESSAGE") &&
    typeof error.responseCode === "number" && error.responseCode >= 500;
  return new SmtpSendError(
    `Cannot ${what} through ${where}: ${detail}`,
    permanent,
    permanent
      ? { cause }
      : { cause, fix: `Check that ${where} is reachable from this machine (secure="${settings.secure}")` },
  );
}

/** The words of a failure; a connection tried on several addresses fails with an AggregateError of one each. */
function describe(cause: unknown): string {
  if (cause instanceof AggregateError && cause.errors.length > 0) {
    return [...new Set(cause.errors.map(describe))].join("; ");
  }
  const error = cause as { message?: unknown; code?: unknown };
  const message = typeof error.message === "string" ? error.message.trim() : "";
  const code = typeof error.code === "string" ? error.code : "";
  if (message === "") return code || String(cause);
  return code !== "" && !message.includes(code) ? `${message} (${code})` : message;
}
