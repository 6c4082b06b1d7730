import type { Config, EmailSource, FolderSource } from "../config/index.ts";
import type { ImapClientFactory } from "../imap/index.ts";
import { createTokenService } from "../oauth/index.ts";
import { UsageError } from "../shared/errors.ts";
import { NO_PROXIES } from "../shared/proxy.ts";
import type { Proxies } from "../shared/proxy.ts";
import { openTokenStore } from "../storage/index.ts";
import { offline } from "./check_result.ts";
import type { CheckResult } from "./check_result.ts";
import { checkCommunicator, checkConfigLoad } from "./config_checks.ts";
import { checkEmailSource } from "./email_source_checks.ts";
import { checkHttpPort } from "./http_check.ts";
import { checkNotifications } from "./notification_checks.ts";
import { checkDiskFree, checkFolderSource, checkPaths } from "./path_checks.ts";
import { checkPrinters } from "./printer_checks.ts";
import { checkSecretAccess } from "./secret_access_checks.ts";
import { checkProxy } from "./proxy_check.ts";
import { checkTokensUnused } from "./token_checks.ts";

export interface DoctorOptions {
  readonly config: Config;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** ms epoch. */
  readonly now: () => number;
  /** For the identity providers: through the proxy where `proxies` says so. */
  readonly fetch: typeof globalThis.fetch;
  /** For mps's own /health port on this machine: never through a proxy. Default `fetch`. */
  readonly localFetch?: typeof globalThis.fetch;
  /** The proxy settings in force (config, else environment); default none. */
  readonly proxies?: Proxies;
  readonly createClient: ImapClientFactory;
  /** Check only this source (name, case-insensitive); the installation checks run regardless. */
  readonly sourceName?: string | undefined;
  /** No network: token.refresh, network.connect, imap.login and mailbox.rights are skipped. */
  readonly offline?: boolean;
  /** mailbox.rights without APPEND: flag and unflag an existing message. */
  readonly noWrite?: boolean;
  /** Per network step (token request, TCP, TLS); default 10 s. */
  readonly timeoutMs?: number;
}

function chooseSources(config: Config, name: string | undefined): { email: EmailSource[]; folder: FolderSource[] } {
  if (name === undefined) return { email: [...config.emailSources], folder: [...config.folderSources] };
  const wanted = name.trim().toLowerCase();
  const email = config.emailSources.filter((source) => source.name.toLowerCase() === wanted);
  const folder = config.folderSources.filter((source) => source.name.toLowerCase() === wanted);
  if (email.length + folder.length === 0) {
    const known = [...config.emailSources, ...config.folderSources].map((source) => `'${source.name}'`).join(", ") ||
      "none";
    throw new UsageError(
      `option '--source': there is no source named '${name}' in '${config.displayPath}' (sources: ${known})`,
    );
  }
  return { email, folder };
}

/**
 * Runs every check of `mps doctor` and returns them in report order: the installation
 * (config, folders, disk), each source (folder sources, then email sources, in config order),
 * each printer, then the rest (communicator, health port, unused tokens). Sources are checked side by side.
 * Throws `UsageError` for an unknown `--source`.
 */
export async function runDoctor(options: DoctorOptions): Promise<CheckResult[]> {
  const { config, now } = options;
  const sources = chooseSources(config, options.sourceName);
  const timeoutMs = options.timeoutMs ?? 10_000;
  const store = openTokenStore({
    storageDir: config.oauth.storageDir,
    keyFile: config.oauth.keyFile,
    env: options.env,
    now,
    lockOwner: "mps doctor",
  });
  // One try: doctor reports what it finds instead of waiting through retries.
  const tokens = createTokenService({
    config,
    store,
    fetch: options.fetch,
    now,
    tries: 1,
    requestTimeoutMs: timeoutMs,
  });
  const sourceOptions = {
    config,
    store,
    tokens,
    fetch: options.fetch,
    now,
    createClient: options.createClient,
    offline: options.offline === true,
    noWrite: options.noWrite === true,
    timeoutMs,
    proxies: options.proxies ?? NO_PROXIES,
  };
  const [[paths, disk], secrets, proxy, folders, emails, notifications, http, unused, printers] = await Promise.all([
    // In turn: the folder probes create missing folders for a moment, which disk.free must not see.
    checkPaths(config).then(async (results) => [results, await checkDiskFree(config)] as const),
    checkSecretAccess(config),
    // Without any proxy every host is reached directly, and there is nothing to report.
    options.proxies === undefined || (options.proxies.https === undefined && options.proxies.http === undefined)
      ? Promise.resolve(undefined)
      : options.offline === true
      ? Promise.resolve(offline("network.proxy", null))
      : checkProxy(config, sources.email, options.proxies, timeoutMs),
    Promise.all(sources.folder.map((source) => checkFolderSource(source))),
    Promise.all(sources.email.map((source) => checkEmailSource(source, sourceOptions))),
    checkNotifications(config, {
      store,
      tokens,
      offline: options.offline === true,
      timeoutMs,
      proxies: options.proxies,
    }),
    checkHttpPort(config, { env: options.env, fetch: options.localFetch ?? options.fetch, timeoutMs }),
    checkTokensUnused(config, store),
    checkPrinters(config, { env: options.env, now, offline: options.offline === true, proxies: options.proxies }),
  ]);
  return [
    checkConfigLoad(config),
    ...paths,
    disk,
    secrets,
    ...(proxy === undefined ? [] : [proxy]),
    ...folders,
    ...emails.flat(),
    ...notifications,
    ...printers,
    checkCommunicator(config),
    http,
    unused,
  ];
}
