import { readFile } from "node:fs/promises";
import type { Config, EmailSource, Notifications } from "../config/index.ts";
import type { ComponentLogger } from "../log/index.ts";
import { isAllowedSender } from "../mail/index.ts";
import type { MessageHeaders } from "../mail/index.ts";
import type { TokenService } from "../oauth/index.ts";
import { composeReply } from "./compose_reply.ts";
import type { DocumentStatus, OutgoingReply, ReplyRequest } from "./compose_reply.ts";
import { loadTexts } from "./load_texts.ts";
import type { LoadedTexts } from "./load_texts.ts";
import { SmtpSendError } from "./notify_errors.ts";
import { Outbox } from "./outbox.ts";
import type { OutboxEntry, ReplyRecord } from "./outbox.ts";
import { whyNoReply } from "./reply_guard.ts";
import { sendOverSmtp } from "./smtp_sender.ts";
import type { SmtpAuth, SmtpOptions } from "./smtp_sender.ts";
import { smtpTokenSource } from "./smtp_token_source.ts";
import type { NotificationResult } from "./notification_results.ts";

/** A message that became a job. */
export interface AcceptedMessage {
  readonly source: EmailSource;
  readonly jobId: string;
  readonly receivedAt: string;
  readonly headers: MessageHeaders | undefined;
  /**
   * Each document with its status. Where printing is set up, the delivery stage hands in
   * `printed` (with the printer) or `refused` once it knows; without it documents are `queued`.
   */
  readonly documents: readonly DocumentStatus[];
  /**
   * True where the job goes on to a printer: the reply waits in the outbox until the delivery
   * stage calls `jobDelivered` with each document's outcome (printed, refused), then goes out.
   */
  readonly awaitDelivery?: boolean;
}

/** A message that went to Failed. */
export interface RefusedMessage {
  readonly source: EmailSource;
  readonly jobId: string;
  readonly receivedAt: string;
  readonly headers: MessageHeaders | undefined;
  readonly reason: string;
}

export interface NotifierOptions {
  readonly config: Config;
  readonly settings: Notifications;
  readonly tokens: TokenService;
  readonly log: ComponentLogger;
  readonly now: () => number;
  /** Sends one reply; default SMTP (tests of the outbox alone may pass a fake). */
  readonly send?: (reply: OutgoingReply, options: SmtpOptions) => Promise<void>;
  /** Opens the connection to the SMTP server (a proxy tunnel); default direct. */
  readonly connect?: SmtpOptions["connect"];
  /** First wait before a failed reply is tried again (doubled each time, capped at an hour); default 1 minute. */
  readonly retryAfterMs?: number;
}

// Reasons whose sender is not known to be real: with onRejected="allowed" they get no reply.
const UNTRUSTED_SENDER = new Set(["sender-not-allowed", "not-authenticated", "no-sender", "ambiguous-sender"]);
const HOUR_MS = 3_600_000;
const GIVE_UP_MS = 3 * 24 * HOUR_MS;

/**
 * Replies to senders. A decision is made and the reply written to the outbox in the
 * background of the cycle (never awaited by it, so a reply can never hold back or fail a job);
 * replies are sent from the outbox and, when that fails, tried again with growing waits.
 */
export class Notifier {
  readonly counts = new Map<NotificationResult, number>();
  /** Replies in the outbox waiting to be sent (not those held for a printer), as of the last look. */
  waiting = 0;
  readonly outbox: Outbox;
  readonly #options: NotifierOptions;
  readonly #log: ComponentLogger;
  readonly #ownAddresses: string[];
  #texts: Promise<LoadedTexts> | undefined;
  /** Per sender, when replies were queued or sent within the last hour. */
  #hourly: Promise<Map<string, number[]>> | undefined;
  #decisions: Promise<void> = Promise.resolve();
  /** The send round under way and those queued behind it. */
  #rounds: Promise<void> = Promise.resolve();
  #kickWaiting = false;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #closed = false;
  /** Replies this process has tried to send: `flush` tries each reply once per run. */
  readonly #tried = new Set<string>();

  constructor(options: NotifierOptions) {
    this.#options = options;
    this.#log = options.log;
    this.outbox = new Outbox(options.config.spool.folder);
    this.#ownAddresses = [
      options.settings.from,
      options.settings.userName,
      ...options.config.emailSources.map((source) => source.userName),
    ].filter((address) => address.includes("@"));
  }

  jobAccepted(message: AcceptedMessage): void {
    if (!this.#options.settings.onAccepted || this.#options.settings.maxPerHour === 0) return;
    this.#decide(message, "accepted", () => message.documents, undefined, message.awaitDelivery === true);
  }

  messageRefused(message: RefusedMessage): void {
    const mode = this.#options.settings.onRejected;
    if (mode === "none" || this.#options.settings.maxPerHour === 0) return;
    const sender = message.headers?.sender;
    if (sender === undefined) return;
    if (
      mode === "allowed" &&
      (UNTRUSTED_SENDER.has(message.reason) || !isAllowedSender(sender, message.source.allowedSenders))
    ) {
      this.#log.debug("no reply to a refused message whose sender is not allowed", { job: message.jobId });
      return;
    }
    this.#decide(message, "refused", () => [], message.reason);
  }

  /**
   * The delivery stage's word on a job whose reply was held (`awaitDelivery`): each document's
   * outcome. The reply is written again with them and sent. A job without a held reply (none
   * was wanted, or it went already) is left alone.
   */
  jobDelivered(jobId: string, documents: readonly DocumentStatus[]): void {
    const next = this.#decisions.then(async () => {
      const entry = await this.outbox.get(jobId);
      if (entry?.held === undefined) return;
      const outcome = new Map(documents.map((document) => [document.fileName, document]));
      // documents the delivery stage does not name (attachments left out earlier) keep their status
      const request = {
        ...entry.held.request,
        documents: entry.held.request.documents.map((document) => outcome.get(document.fileName) ?? document),
      };
      const loaded = await this.#loadTexts();
      const reply = composeReply(request, loaded.texts, loaded.language, this.#options.settings.from);
      await this.outbox.put({ ...entry, reply, held: undefined, nextAttemptAt: this.#options.now() });
      if (!this.#closed) this.kick();
    }).catch((error: unknown) => {
      this.#log.error("cannot release a held reply to the sender", { job: jobId, error: (error as Error).message });
    });
    this.#decisions = next;
  }

  /**
   * Waits for the replies being decided, then tries every reply in the outbox once (waits
   * between tries ignored): what `mps run --once` does before it exits.
   */
  async flush(): Promise<void> {
    await this.#decisions;
    await this.#serial(() => this.#sendRound(true));
  }

  /** Tries the outbox now and then every minute until `close()`. */
  start(): void {
    let purgedAt = 0;
    const tick = () => {
      if (this.#closed) return;
      this.kick();
      if (this.#options.now() - purgedAt > HOUR_MS) {
        purgedAt = this.#options.now();
        // reading the records removes those past their keeping time
        void this.outbox.records(purgedAt, 0).catch(() => undefined);
      }
      this.#timer = setTimeout(tick, 60_000);
      this.#timer.unref?.();
    };
    tick();
  }

  /** Sends what is due, right after the round under way (rounds never overlap, so no reply goes twice). */
  kick(): void {
    if (this.#kickWaiting) return;
    this.#kickWaiting = true;
    void this.#serial(() => {
      this.#kickWaiting = false;
      return this.#sendRound(false);
    }).catch((error: unknown) => {
      this.#log.error("cannot read the outbox", { folder: this.outbox.dir, error: (error as Error).message });
    });
  }

  #serial(round: () => Promise<void>): Promise<void> {
    const run = this.#rounds.then(round);
    this.#rounds = run.catch(() => undefined);
    return run;
  }

  async close(): Promise<void> {
    this.#closed = true;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    await this.#decisions;
    // a send under way may wait long for a server that does not answer; its reply stays in
    // the outbox either way, so stopping waits only a little for it
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([this.#rounds, new Promise((resolve) => (timer = setTimeout(resolve, 5_000)))]);
    clearTimeout(timer);
  }

  #count(result: NotificationResult): void {
    this.counts.set(result, (this.counts.get(result) ?? 0) + 1);
  }

  #decide(
    message: AcceptedMessage | RefusedMessage,
    kind: "accepted" | "refused",
    documents: () => readonly DocumentStatus[],
    reason?: string,
    hold = false,
  ): void {
    const next = this.#decisions.then(async () => {
      const queued = await this.#queue(message, kind, documents(), reason, hold);
      if (queued && !this.#closed) this.kick();
    }).catch((error: unknown) => {
      this.#log.error("cannot queue a reply to the sender", {
        job: message.jobId,
        folder: this.outbox.dir,
        error: (error as Error).message,
      });
    });
    this.#decisions = next;
  }

  async #queue(
    message: AcceptedMessage | RefusedMessage,
    kind: "accepted" | "refused",
    documents: readonly DocumentStatus[],
    reason: string | undefined,
    hold: boolean,
  ): Promise<boolean> {
    const { settings, now } = this.#options;
    const headers = message.headers;
    const to = headers?.sender;
    if (headers === undefined || to === undefined) return false;
    if (await this.outbox.has(message.jobId)) return false;
    const record = (result: ReplyRecord["result"]) => this.outbox.finish({ id: message.jobId, to, at: now(), result });
    const blocked = whyNoReply(to, headers.reply, this.#ownAddresses);
    if (blocked !== undefined) {
      await record("suppressed");
      this.#count("suppressed");
      this.#log.info("no reply to the sender", { job: message.jobId, to, why: blocked });
      return false;
    }
    if (await this.#sentThisHour(to) >= settings.maxPerHour) {
      await record("rate-limited");
      this.#count("rate-limited");
      this.#log.warn("no reply to the sender: too many this hour", {
        job: message.jobId,
        to,
        maxPerHour: settings.maxPerHour,
      });
      return false;
    }
    const loaded = await this.#loadTexts();
    const request: ReplyRequest = {
      id: message.jobId,
      kind,
      to,
      mailbox: message.source.userName || settings.from,
      subject: headers.subject,
      messageId: headers.messageId,
      references: headers.reply.references,
      receivedAt: message.receivedAt,
      documents,
      ...(reason === undefined ? {} : { reason }),
    };
    const reply = composeReply(request, loaded.texts, loaded.language, settings.from);
    await this.outbox.put({
      id: message.jobId,
      reply,
      createdAt: now(),
      attempts: 0,
      nextAttemptAt: now(),
      lastError: undefined,
      ...(hold ? { held: { request } } : {}),
    });
    await this.#noteQueued(to);
    if (!hold) this.waiting += 1;
    this.#count("queued");
    this.#log.info("reply to the sender queued", { job: message.jobId, to, kind, language: loaded.language });
    return true;
  }

  /**
   * Replies to `to` queued within the last hour. Read from the outbox once (its records survive
   * restarts: a scheduled `run --once` is limited too), then kept in memory.
   */
  async #sentThisHour(to: string): Promise<number> {
    const now = this.#options.now();
    this.#hourly ??= (async () => {
      const times = new Map<string, number[]>();
      const add = (address: string, at: number) => times.set(address, [...(times.get(address) ?? []), at]);
      for (const record of await this.outbox.records(now, HOUR_MS)) {
        if (record.result === "sent") add(record.to, record.at);
      }
      for (const entry of (await this.outbox.pending()).entries) add(entry.reply.to, entry.createdAt);
      return times;
    })();
    const times = await this.#hourly;
    const recent = (times.get(to) ?? []).filter((at) => now - at <= HOUR_MS);
    times.set(to, recent);
    return recent.length;
  }

  async #noteQueued(to: string): Promise<void> {
    const times = await this.#hourly;
    times?.set(to, [...(times.get(to) ?? []), this.#options.now()]);
  }

  #loadTexts(): Promise<LoadedTexts> {
    this.#texts ??= (async () => {
      const { config, settings } = this.#options;
      const loaded = await loadTexts(settings.templates, config.localization.language, config.localization.fallback);
      for (const problem of loaded.problems) {
        this.#log.error(problem.message, {
          code: problem.code,
          ...(problem.fix === undefined ? {} : { fix: problem.fix }),
        });
      }
      if (loaded.language !== config.localization.language) {
        this.#log.warn("replies are written in another language: the configured one has no texts", {
          language: config.localization.language,
          used: loaded.language,
        });
      }
      return loaded;
    })();
    return this.#texts;
  }

  async #sendRound(all: boolean): Promise<void> {
    const { now } = this.#options;
    const { entries, unreadable } = await this.outbox.pending();
    this.waiting = entries.filter((entry) => entry.held === undefined).length;
    for (const file of unreadable) this.#log.error("an outbox file cannot be read and is left as it is", { file });
    const due = entries
      .filter((entry) => entry.held === undefined)
      .filter((entry) => all ? !this.#tried.has(entry.id) : entry.nextAttemptAt <= now())
      .sort((a, b) => a.createdAt - b.createdAt);
    for (const entry of due) {
      const ok = await this.#sendOne(entry);
      // the server or the sign-in failed: the next ones would fail the same way
      if (!ok) return;
    }
  }

  async #sendOne(entry: OutboxEntry): Promise<boolean> {
    const { now, settings } = this.#options;
    this.#tried.add(entry.id);
    try {
      const options: SmtpOptions = {
        settings,
        caPem: await this.#caPem(),
        auth: await this.#auth(),
        connect: this.#options.connect,
      };
      await (this.#options.send ?? sendOverSmtp)(entry.reply, options);
      await this.outbox.finish({ id: entry.id, to: entry.reply.to, at: now(), result: "sent" });
      this.#count("sent");
      this.waiting = Math.max(0, this.waiting - 1);
      this.#log.info("reply to the sender sent", { job: entry.id, to: entry.reply.to, attempts: entry.attempts + 1 });
      return true;
    } catch (error) {
      const permanent = error instanceof SmtpSendError && error.permanent;
      const message = (error as Error).message;
      const fix = (error as { fix?: unknown }).fix;
      if (permanent || now() - entry.createdAt > GIVE_UP_MS) {
        await this.outbox.finish({ id: entry.id, to: entry.reply.to, at: now(), result: "gave-up" });
        this.#count("failed");
        this.waiting = Math.max(0, this.waiting - 1);
        this.#log.error("reply to the sender given up", { job: entry.id, to: entry.reply.to, error: message });
        return !!permanent;
      }
      const attempts = entry.attempts + 1;
      const wait = Math.min(HOUR_MS, (this.#options.retryAfterMs ?? 60_000) * 2 ** (attempts - 1));
      await this.outbox.put({ ...entry, attempts, nextAttemptAt: now() + wait, lastError: message });
      this.#count("retry");
      this.#log.warn("reply to the sender not sent; it stays in the outbox", {
        job: entry.id,
        to: entry.reply.to,
        error: message,
        ...(typeof fix === "string" ? { fix } : {}),
        retryInSeconds: Math.round(wait / 1000),
      });
      return false;
    }
  }

  async #caPem(): Promise<string | undefined> {
    const file = this.#options.settings.caFile;
    return file === undefined ? undefined : await readFile(file, "utf8");
  }

  async #auth(): Promise<SmtpAuth> {
    const { settings, config, tokens } = this.#options;
    if (settings.auth === "password") return { user: settings.userName, pass: settings.password };
    const token = await tokens.getAccessToken(smtpTokenSource(config, settings));
    return { user: settings.userName, accessToken: token.accessToken };
  }
}
