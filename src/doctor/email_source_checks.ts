import type { Config, EmailSource, OAuthProvider } from "../config/index.ts";
import { imapUser } from "../imap/index.ts";
import type { ImapAuth, ImapClientFactory } from "../imap/index.ts";
import { providerForSource } from "../oauth/index.ts";
import type { TokenService } from "../oauth/index.ts";
import type { Proxies } from "../shared/proxy.ts";
import type { TokenStore } from "../storage/index.ts";
import { blockedBy, failFrom, offline, skip } from "./check_result.ts";
import type { CheckResult } from "./check_result.ts";
import { checkClientCertificate } from "./certificate_check.ts";
import { checkImap } from "./imap_checks.ts";
import { checkNetwork } from "./network_check.ts";
import { checkClientSecret, checkTokenRefresh } from "./refresh_checks.ts";
import type { RefreshOutcome } from "./refresh_checks.ts";
import { checkTokenAccount, checkTokenDecrypt, checkTokenPresent } from "./token_checks.ts";

export interface EmailSourceCheckOptions {
  readonly config: Config;
  readonly store: TokenStore;
  readonly tokens: TokenService;
  readonly fetch: typeof globalThis.fetch;
  readonly now: () => number;
  readonly createClient: ImapClientFactory;
  readonly offline: boolean;
  readonly noWrite: boolean;
  readonly timeoutMs: number;
  readonly proxies: Proxies;
}

/** The token checks of one source, in order, and what imap.login needs from them. */
interface TokenChecks {
  readonly results: CheckResult[];
  /** The check imap.login waits for (token.refresh), and the token it got. */
  readonly refresh: CheckResult;
  readonly accessToken: string | undefined;
}

const TOKEN_IDS = ["token.present", "token.decrypt", "token.account", "token.refresh", "secret.valid"] as const;

function notNeeded(source: EmailSource, why: string, ids: readonly string[] = TOKEN_IDS): CheckResult[] {
  return ids.map((id) => skip(id, source.name, `Not needed: ${why}`, false));
}

async function tokenChecks(source: EmailSource, options: EmailSourceCheckOptions): Promise<TokenChecks> {
  if (source.signIn === "password") {
    const results = notNeeded(source, "the source signs in with a password");
    return { results, refresh: results[3] as CheckResult, accessToken: undefined };
  }
  let provider: OAuthProvider;
  try {
    provider = providerForSource(options.config, source);
  } catch (error) {
    const present = failFrom("token.present", source.name, error);
    const rest = TOKEN_IDS.slice(1).map((id) => blockedBy(id, source.name, present) ?? present);
    return { results: [present, ...rest], refresh: rest[2] as CheckResult, accessToken: undefined };
  }
  const results: CheckResult[] = [];
  if (source.signIn === "app") {
    results.push(
      ...notNeeded(
        source,
        `app-only source: it signs in with the client secret of provider '${provider.name}'`,
        TOKEN_IDS.slice(0, 3),
      ),
    );
  } else {
    const present = await checkTokenPresent(source, provider, options.store);
    const blocked = blockedBy("token.decrypt", source.name, present);
    const decrypted = blocked === undefined
      ? await checkTokenDecrypt(source, provider, options.store)
      : { result: blocked, tokens: undefined };
    const account = decrypted.tokens === undefined
      ? blockedBy("token.account", source.name, decrypted.result) ?? decrypted.result
      : checkTokenAccount(source, provider, decrypted.tokens);
    results.push(present, decrypted.result, account);
  }
  const prerequisite = results[1] as CheckResult;
  let refresh: RefreshOutcome;
  if (options.offline) {
    refresh = { result: offline("token.refresh", source.name), accessToken: undefined, error: undefined };
  } else {
    const blocked = blockedBy("token.refresh", source.name, prerequisite);
    refresh = blocked !== undefined
      ? { result: blocked, accessToken: undefined, error: undefined }
      : await checkTokenRefresh(source, provider, options);
  }
  results.push(
    refresh.result,
    provider.clientCertificate === undefined
      ? checkClientSecret(source, provider, refresh, options.now(), options.offline)
      : await checkClientCertificate(source, provider, refresh, options.now()),
  );
  return { results, refresh: refresh.result, accessToken: refresh.accessToken };
}

/**
 * Every check of one email source, in the order an admin fixes them: token.present, token.decrypt,
 * token.account, token.refresh, secret.valid, network.connect, imap.login, mailbox.rights.
 * The token checks and the network check run side by side; IMAP needs both.
 */
export async function checkEmailSource(source: EmailSource, options: EmailSourceCheckOptions): Promise<CheckResult[]> {
  const [tokens, network] = await Promise.all([
    tokenChecks(source, options),
    options.offline ? Promise.resolve(offline("network.connect", source.name)) : checkNetwork(source, options),
  ]);
  if (options.offline) {
    return [...tokens.results, network, offline("imap.login", source.name), offline("mailbox.rights", source.name)];
  }
  const auth: ImapAuth = tokens.accessToken === undefined
    ? { user: source.userName, pass: source.password }
    : { user: imapUser(source), accessToken: tokens.accessToken };
  const imap = await checkImap(source, auth, [network, tokens.refresh], options);
  return [...tokens.results, network, ...imap];
}
