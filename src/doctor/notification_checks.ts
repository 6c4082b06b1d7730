import { readFile } from "node:fs/promises";
import { connect as tcpConnect } from "node:net";
import type { Socket } from "node:net";
import { connect as tlsConnect } from "node:tls";
import type { Config, Notifications } from "../config/index.ts";
import {
  loadTexts,
  MICROSOFT_SMTP_SEND_SCOPE,
  NOTIFICATIONS_NAME,
  sendScopes,
  smtpTokenSource,
  verifySmtp,
} from "../notify/index.ts";
import type { SmtpAuth } from "../notify/index.ts";
import type { TokenService } from "../oauth/index.ts";
import { NO_PROXIES, ProxyError, proxyFor } from "../shared/proxy.ts";
import type { Proxies } from "../shared/proxy.ts";
import { openTunnel } from "../shared/proxy_tunnel.ts";
import type { TokenStore } from "../storage/index.ts";
import { blockedBy, fail, failFrom, offline, pass, skip, warn } from "./check_result.ts";
import type { CheckResult } from "./check_result.ts";

export interface NotificationCheckOptions {
  readonly store: TokenStore;
  readonly tokens: TokenService;
  readonly offline: boolean;
  readonly timeoutMs: number;
  /** The SMTP server is reached through the https proxy unless noProxy exempts it, as replies are. */
  readonly proxies?: Proxies | undefined;
}

const SOURCE = NOTIFICATIONS_NAME;

/**
 * Checks of replies to senders: the templates load, the stored token may send mail (Exchange's
 * SMTP.Send), the SMTP server answers, and signing in to it works. None without `<notifications>`.
 */
export async function checkNotifications(config: Config, options: NotificationCheckOptions): Promise<CheckResult[]> {
  const settings = config.notifications;
  if (settings === undefined) return [];
  const templates = await checkTemplates(config, settings);
  const scope = await checkSendScope(config, settings, options.store);
  if (options.offline) return [templates, scope, offline("smtp.connect", SOURCE), offline("smtp.login", SOURCE)];
  const connect = await checkSmtpConnect(settings, options.timeoutMs, options.proxies ?? NO_PROXIES);
  const login = blockedBy("smtp.login", SOURCE, connect, scope) ??
    await checkSmtpLogin(config, settings, options);
  return [templates, scope, connect, login];
}

async function checkTemplates(config: Config, settings: Notifications): Promise<CheckResult> {
  const { language, fallback } = config.localization;
  const loaded = await loadTexts(settings.templates, language, fallback);
  const problem = loaded.problems[0];
  if (problem !== undefined) {
    return warn(
      "notify.templates",
      SOURCE,
      problem.code,
      `${problem.message}${loaded.problems.length > 1 ? ` (and ${loaded.problems.length - 1} more)` : ""}`,
      problem.fix ?? "Correct the template file; the built-in texts are used meanwhile.",
    );
  }
  if (loaded.language !== language) {
    return warn(
      "notify.templates",
      SOURCE,
      "WARN_NOTIFY_LANGUAGE",
      `Replies cannot be written in '${language}' (<localization language>): no built-in texts and no '${language}.json' in the templates folder; '${loaded.language}' is used`,
      `Add '${language}.json' to the templates folder (see README, "Replies to the sender"), or set <localization language> to en, de or cs.`,
    );
  }
  return pass("notify.templates", SOURCE, `Replies are written in '${loaded.language}'`, {
    templates: settings.templates ?? null,
  });
}

async function checkSendScope(config: Config, settings: Notifications, store: TokenStore): Promise<CheckResult> {
  const id = "smtp.token.scope";
  if (settings.auth === "password") return skip(id, SOURCE, "Not needed: replies sign in with a password", false);
  if (settings.auth === "app") {
    return skip(
      id,
      SOURCE,
      "Not checked: app-only tokens carry the application permissions granted (SMTP.SendAsApp)",
      false,
    );
  }
  const provider = config.oauth.providers.find((known) => known.id === settings.provider);
  const user = settings.userName.toLowerCase();
  const login = `mps login ${provider?.name ?? settings.provider} ${user}`;
  let stored;
  try {
    stored = await store.read(settings.provider ?? "", user);
  } catch (error) {
    return failFrom(id, SOURCE, error);
  }
  if (stored === undefined) {
    return fail(
      id,
      SOURCE,
      "ERR_TOKEN_NOT_FOUND",
      `No sign-in is stored for '${user}' (provider '${provider?.name}'), which replies to senders sign in as`,
      `Run \`${login}\`.`,
      { loginCommand: login },
    );
  }
  const needed = sendScopes(config, settings.provider ?? "");
  if (needed.length === 0) return pass(id, SOURCE, `A sign-in is stored for '${user}'`);
  const granted = (stored.scopes ?? []).map((scope) => scope.toLowerCase());
  // Entra answers with short names (SMTP.Send) for the default resource; either form counts
  const has = granted.includes(MICROSOFT_SMTP_SEND_SCOPE.toLowerCase()) || granted.includes("smtp.send");
  if (!has) {
    return fail(
      id,
      SOURCE,
      "ERR_NOTIFY_SCOPE",
      `The stored sign-in of '${user}' may not send mail: it lacks ${MICROSOFT_SMTP_SEND_SCOPE} (granted: ${
        stored.scopes?.join(" ") || "none recorded"
      })`,
      `Run \`${login}\` again: with <notifications> on, login asks for the send permission too.`,
      { loginCommand: login },
    );
  }
  return pass(id, SOURCE, `The stored sign-in of '${user}' may send mail (${MICROSOFT_SMTP_SEND_SCOPE})`);
}

async function checkSmtpConnect(settings: Notifications, timeoutMs: number, proxies: Proxies): Promise<CheckResult> {
  const where = `${settings.host}:${settings.port}`;
  const proxy = proxyFor(proxies, "https", settings.host);
  let tunnel: Socket | undefined;
  let socket: Socket | undefined;
  try {
    const caPem = settings.caFile === undefined ? undefined : await readFile(settings.caFile, "utf8");
    tunnel = proxy === undefined ? undefined : await openTunnel(proxy, settings.host, settings.port, timeoutMs);
    const route = tunnel === undefined ? { host: settings.host, port: settings.port } : { socket: tunnel };
    socket = settings.secure === "tls"
      ? tlsConnect({ ...route, servername: settings.host, ...(caPem === undefined ? {} : { ca: caPem }) })
      : tunnel ?? tcpConnect(settings.port, settings.host);
    const greeting = await firstLine(socket, timeoutMs);
    if (!greeting.startsWith("220")) {
      return fail(
        "smtp.connect",
        SOURCE,
        "ERR_SMTP_GREETING",
        `SMTP server ${where} answered '${greeting}'`,
        `Check host and port of <notifications>.`,
      );
    }
    return pass("smtp.connect", SOURCE, `SMTP server ${where} answers: ${greeting}`);
  } catch (error) {
    // A proxy that is down or refuses is the proxy's finding, with its own code and fix.
    if (error instanceof ProxyError) return failFrom("smtp.connect", SOURCE, error);
    return fail(
      "smtp.connect",
      SOURCE,
      "ERR_SMTP_CONNECT",
      `Cannot reach SMTP server ${where}: ${(error as Error).message}`,
      `Check that ${where} is reachable from this machine (firewall, proxy) and that secure="${settings.secure}" fits the port.`,
    );
  } finally {
    socket?.destroy();
    tunnel?.destroy();
  }
}

async function checkSmtpLogin(
  config: Config,
  settings: Notifications,
  options: NotificationCheckOptions,
): Promise<CheckResult> {
  try {
    const caPem = settings.caFile === undefined ? undefined : await readFile(settings.caFile, "utf8");
    const auth: SmtpAuth = settings.auth === "password" ? { user: settings.userName, pass: settings.password } : {
      user: settings.userName,
      accessToken: (await options.tokens.getAccessToken(smtpTokenSource(config, settings))).accessToken,
    };
    const proxy = proxyFor(options.proxies ?? NO_PROXIES, "https", settings.host);
    await verifySmtp({
      settings,
      caPem,
      auth,
      timeoutMs: options.timeoutMs,
      ...(proxy === undefined ? {} : { connect: (host, port, timeoutMs) => openTunnel(proxy, host, port, timeoutMs) }),
    });
    return pass(
      "smtp.login",
      SOURCE,
      `Signed in to SMTP server ${settings.host}:${settings.port} as '${settings.userName}'`,
    );
  } catch (error) {
    return failFrom("smtp.login", SOURCE, error);
  }
}

function firstLine(socket: Socket, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = "";
    socket.setTimeout(timeoutMs, () => reject(new Error(`no answer within ${timeoutMs / 1000} s`)));
    socket.on("data", (chunk: Buffer) => {
      text += chunk.toString("latin1");
      const end = text.indexOf("\n");
      if (end >= 0) resolve(text.slice(0, end).trim());
    });
    socket.once("error", reject);
    socket.once("end", () => reject(new Error("the server closed the connection without a greeting")));
  });
}
