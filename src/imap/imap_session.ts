import { readFile } from "node:fs/promises";
import { Writable } from "node:stream";
import { ImapFlow } from "imapflow";
import type { ImapFlowOptions } from "imapflow";
import type { EmailSource } from "../config/index.ts";
import type { ComponentLogger } from "../log/index.ts";
import { isDeno } from "../runtime/index.ts";
import { proxyFor } from "../shared/proxy.ts";
import type { Proxies } from "../shared/proxy.ts";
import { VERSION } from "../version.ts";
import { directRead } from "./direct_read.ts";
import type { DirectRead } from "./direct_read.ts";
import { IMAP_FOLDER, IMAP_OTHER, IMAP_TLS, ImapError } from "./errors.ts";
import type { ImapTarget } from "./errors.ts";
import { imapTarget, toImapError } from "./imap_error.ts";

/** How a source signs in: a password, or an access token (XOAUTH2 / OAUTHBEARER). */
export interface ImapAuth {
  readonly user: string;
  readonly pass?: string;
  readonly accessToken?: string;
  /** When the access token expires (ms); the session reconnects with a fresh one before that. */
  readonly expiresAt?: number;
}

export type ImapClientFactory = (options: ImapFlowOptions) => ImapFlow;

export const createImapFlow: ImapClientFactory = (options) => new ImapFlow(options);

export interface ImapSessionOptions {
  readonly source: EmailSource;
  readonly createClient: ImapClientFactory;
  readonly getAuth: () => Promise<ImapAuth>;
  readonly log: ComponentLogger;
  readonly now: () => number;
  /** Called when the server announces new mail while the session idles. */
  readonly onNewMail?: () => void;
  /** The HTTP proxy settings: a proxied server is reached through an HTTP CONNECT tunnel. */
  readonly proxies?: Proxies | undefined;
}

// Reconnect this long before the access token of the session expires: some servers end
// sessions whose token has expired, and a fresh login is cheap.
const TOKEN_MARGIN_MS = 5 * 60_000;

/**
 * One IMAP connection of a source, with its folder selected so the server can announce new
 * mail (imapflow idles on its own between commands). Reopened when it drops or its token
 * is about to expire.
 */
export class ImapSession {
  readonly #options: ImapSessionOptions;
  readonly target: ImapTarget;
  #client: ImapFlow | undefined;
  #expiresAt: number | undefined;

  constructor(options: ImapSessionOptions) {
    this.#options = options;
    const proxy = options.proxies === undefined ? undefined : proxyFor(options.proxies, "https", options.source.host);
    this.target = { ...imapTarget(options.source), ...(proxy === undefined ? {} : { proxy }) };
  }

  /** A connected client with the folder selected. */
  async open(): Promise<ImapFlow> {
    const current = this.#client;
    const fresh = this.#expiresAt === undefined || this.#expiresAt - this.#options.now() > TOKEN_MARGIN_MS;
    if (current !== undefined && current.usable && fresh) return current;
    await this.close();
    const { source, log } = this.#options;
    const auth = await this.#options.getAuth();
    let ca: string | undefined;
    if (source.caFile !== undefined) {
      try {
        ca = await readFile(source.caFile, "utf8");
      } catch (cause) {
        throw new ImapError(IMAP_TLS, `Cannot read caFile '${source.caFile}': ${(cause as Error).message}`, {
          cause,
          fix: "Point caFile at a readable PEM file of the CA that signed the IMAP server's certificate",
        });
      }
    }
    // imapflow's response parser, which the direct read writes into (see direct_read.ts); called
    // only once data arrives, after `client` below is set
    const parser = () => {
      const streamer: unknown = Reflect.get(client, "streamer");
      return streamer instanceof Writable ? streamer : undefined;
    };
    // `onread` is an option of tls.connect() that imapflow's typings leave out. Node only: Deno's
    // TLS sockets keep the pipe.
    const tls: ImapFlowOptions["tls"] & { onread?: DirectRead } = {
      ...(ca === undefined ? {} : { ca }),
      ...(isDeno ? {} : { onread: directRead(parser) }),
    };
    const client = this.#options.createClient({
      host: source.host,
      port: source.port,
      secure: source.secure,
      // Without TLS from the start, insist on STARTTLS: a token or password never goes in clear.
      ...(source.secure ? {} : { doSTARTTLS: true }),
      auth: auth.accessToken !== undefined
        ? { user: auth.user, accessToken: auth.accessToken }
        : { user: auth.user, pass: auth.pass ?? "" },
      tls,
      // the direct read writes to the parser itself: no inflater between them
      disableCompression: true,
      ...(this.target.proxy === undefined ? {} : { proxy: this.target.proxy.url }),
      logger: imapLogger(log),
      clientInfo: { name: "mps", version: VERSION },
      disableAutoIdle: !source.idle,
      // ENABLE (CONDSTORE, UTF8=ACCEPT) is a round trip at every login for extensions mps does
      // not use; without CONDSTORE every FETCH answer also carries a MODSEQ less.
      disableAutoEnable: true,
      // imapflow waits 15 s before idling; new mail should become a job within a second.
      autoIdleDelay: 100,
      connectionTimeout: 30_000,
      greetingTimeout: 16_000,
      socketTimeout: 5 * 60_000,
    });
    // An 'error' event without a listener would end the process.
    client.on("error", (error: unknown) => log.debug("IMAP connection error", { error }));
    client.on("close", () => {
      if (this.#client === client) this.#client = undefined;
    });
    client.on("exists", () => this.#options.onNewMail?.());
    try {
      await client.connect();
    } catch (error) {
      client.close();
      throw toImapError(error, this.target);
    }
    try {
      await client.mailboxOpen(source.folder);
    } catch (error) {
      client.close();
      const mapped = toImapError(error, this.target);
      throw mapped.code === IMAP_OTHER && /NO/.test(String(Reflect.get(Object(error), "responseStatus")))
        ? new ImapError(
          IMAP_FOLDER,
          `Cannot open folder '${source.folder}' of '${source.userName}': ${mapped.message}`,
          {
            cause: error,
            fix: `Create the folder or correct folder="…" of the source`,
          },
        )
        : mapped;
    }
    this.#client = client;
    this.#expiresAt = auth.expiresAt;
    return client;
  }

  /** Logs out politely; a session that does not answer is cut. */
  async close(): Promise<void> {
    const client = this.#client;
    this.#client = undefined;
    this.#expiresAt = undefined;
    if (client === undefined) return;
    const timer = setTimeout(() => client.close(), 5_000);
    try {
      if (client.usable) await client.logout();
    } catch {
      // Logging out of a broken connection fails; closing it below is all that is left.
    } finally {
      clearTimeout(timer);
      client.close();
    }
  }
}

/** imapflow's logger, through ours: its chatter at debug, only its errors as warnings. */
function imapLogger(log: ComponentLogger) {
  const forward = (write: (message: string, fields: Record<string, unknown>) => void) => (entry: unknown) => {
    if (typeof entry !== "object" || entry === null) return write(String(entry), {});
    const { msg, ...fields } = entry as Record<string, unknown>;
    write(typeof msg === "string" ? msg : "imap", fields);
  };
  const debug = forward((message, fields) => log.debug(message, fields));
  return { debug, info: debug, warn: debug, error: forward((message, fields) => log.warn(message, fields)) };
}
