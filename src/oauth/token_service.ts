/**
 * The token service every other part uses: a valid access token for an email source,
 * refreshed ahead of expiry, with the rotated refresh token stored before it is used.
 *
 * Refreshes run under the storage's cross-process lock and re-read the file first: when
 * another process (a second `mps run --once`, `mps doctor`) already rotated the refresh
 * token, its newer tokens are used instead of refreshing with the stale one, which the
 * provider would reject. Concurrent callers in this process share one in-flight request.
 */
import * as oauth from "oauth4webapi";
import type { Config, EmailSource, OAuthProvider } from "../config/index.ts";
import { registerSecret } from "../log/index.ts";
import type { ComponentLogger } from "../log/index.ts";
import { problemOf } from "../shared/errors.ts";
import type { Problem } from "../shared/errors.ts";
import type { OAuthState } from "../status/index.ts";
import type { StoredTokens, TokenStore } from "../storage/index.ts";
import { isAppToken, requestAppToken } from "./client_credentials.ts";
import { ERR_OAUTH_REFRESH_FAILED, OAuthError, ProviderResolveError, TokenNotFoundError } from "./errors.ts";
import { isNetworkError, toOAuthError } from "./oauth_error.ts";
import type { OAuthErrorContext } from "./oauth_error.ts";
import { providerForSource, resolveProvider } from "./provider_endpoints.ts";
import type { ResolvedProvider } from "./provider_endpoints.ts";

export type AccessToken = { accessToken: string; expiresAt: number };

export type TokenState = "unknown" | "ok" | "needs-login" | "error";

export type TokenStatus = {
  /** `unknown` until the source's first token request. */
  state: TokenState;
  lastError?: Problem & { readonly aadsts?: number };
  accessTokenExpiresAt?: number;
  refreshTokenIssuedAt?: number;
  /** Refresh requests this process made for the source, by result (for /metrics). */
  refreshes?: { success: number; failure: number };
  /** When the provider's client certificate expires (certificate credentials). */
  clientCertificateExpiresAt?: number;
};

export type TokenServiceOptions = {
  config: Config;
  store: TokenStore;
  fetch: typeof globalThis.fetch;
  /** ms epoch. */
  now: () => number;
  log?: Pick<ComponentLogger, "debug" | "info" | "warn"> | undefined;
  /** Backoff between tries; default a real timer. */
  sleep?: ((ms: number) => Promise<void>) | undefined;
  /** Refresh when less than this is left of the access token; default 5 minutes. */
  refreshAheadMs?: number | undefined;
  /** Tries per request for network errors and 5xx; default 3. */
  tries?: number | undefined;
  /** First backoff (doubled each try, capped at 10 s); default 1 s. */
  backoffMs?: number | undefined;
  /** Timeout of one token endpoint request; default 15 s. */
  requestTimeoutMs?: number | undefined;
};

export type TokenService = {
  /** A valid access token for the source, refreshing (or, app-only, re-requesting) when near expiry. */
  getAccessToken(source: EmailSource): Promise<AccessToken>;
  /** What the last request for this source found, for doctor and /health. */
  status(sourceName: string): TokenStatus;
  /**
   * Keep-alive against the 90-day inactivity expiry: refreshes when the refresh token was last
   * used more than `ms` ago, even with a valid access token. True when it refreshed.
   */
  refreshIfOlderThan(source: EmailSource, ms: number): Promise<boolean>;
  /** Keeps `state` (the source's OAuth part of the status model) current from now on: expiry, refreshes, needs-login. */
  track(sourceName: string, state: OAuthState): void;
};

type Target = { source: EmailSource; provider: OAuthProvider; username: string; app: boolean; key: string };

const DEFAULT_AHEAD_MS = 5 * 60_000;
const MAX_BACKOFF_MS = 10_000;

function lastRefresh(tokens: StoredTokens): number {
  const at = tokens["lastRefreshAt"];
  return typeof at === "number" ? at : tokens.refreshTokenIssuedAt ?? 0;
}

/** Creates the token service for one config and token store. */
export function createTokenService(options: TokenServiceOptions): TokenService {
  const { config, store, now, log } = options;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const aheadMs = options.refreshAheadMs ?? DEFAULT_AHEAD_MS;
  const tries = Math.max(1, options.tries ?? 3);
  const backoffMs = options.backoffMs ?? 1000;
  const timeoutMs = options.requestTimeoutMs ?? 15_000;
  const resolved = new Map<string, Promise<ResolvedProvider>>();
  const inflight = new Map<string, Promise<AccessToken>>();
  const statuses = new Map<string, TokenStatus>();
  const refreshCounts = new Map<string, { success: number; failure: number }>();
  /** Client certificate expiry by provider id, once the provider is resolved. */
  const certificateExpiry = new Map<string, number>();
  const tracked = new Map<string, OAuthState>();
  /** App tokens that cannot be stored (a delegated token owns the file name). */
  const appMemory = new Map<string, StoredTokens>();

  const isFresh = (tokens: StoredTokens | undefined): tokens is StoredTokens & { accessToken: string } =>
    typeof tokens?.accessToken === "string" && typeof tokens.accessTokenExpiresAt === "number" &&
    tokens.accessTokenExpiresAt - now() > aheadMs;

  function targetOf(source: EmailSource): Target {
    const provider = providerForSource(config, source);
    const app = source.signIn === "app";
    const username = (source.tokenUser ?? "").toLowerCase();
    return { source, provider, username, app, key: `${provider.id}\n${username}` };
  }

  function contextOf(target: Target, endpoint?: string): OAuthErrorContext {
    return {
      provider: target.provider,
      username: target.username,
      endpoint,
      operation: target.app ? "client_credentials" : "refresh",
    };
  }

  async function resolve(target: Target): Promise<ResolvedProvider> {
    let pending = resolved.get(target.provider.id);
    if (pending === undefined) {
      pending = resolveProvider(target.provider, { fetch: options.fetch, now });
      resolved.set(target.provider.id, pending);
      pending.then((r) => {
        if (r.certificate !== undefined) certificateExpiry.set(target.provider.id, r.certificate.notAfter);
      }, () => undefined);
      pending.catch(() => resolved.delete(target.provider.id)); // try discovery again next time
    }
    try {
      return await pending;
    } catch (error) {
      if (error instanceof ProviderResolveError && isNetworkError(error.cause)) {
        throw toOAuthError(error.cause, contextOf(target, target.provider.issuer));
      }
      throw error;
    }
  }

  async function withRetry<T>(target: Target, attempt: () => Promise<T>): Promise<T> {
    for (let n = 1;; n++) {
      try {
        return await attempt();
      } catch (error) {
        if (!(error instanceof OAuthError && error.retryable) || n >= tries) throw error;
        const wait = Math.min(backoffMs * 2 ** (n - 1), MAX_BACKOFF_MS);
        log?.warn(
          `Token request for '${target.username}' (provider '${target.provider.name}') failed, try ${n} of ${tries}; retrying in ${wait} ms: ${error.message}`,
        );
        await sleep(wait);
      }
    }
  }

  async function notFound(target: Target): Promise<TokenNotFoundError> {
    const users = (await store.list().catch(() => []))
      .filter((entry) => entry.provider === target.provider.id && entry.error === undefined)
      .map((entry) => entry.username);
    return new TokenNotFoundError(
      target.provider,
      target.username,
      users,
      store.path(target.provider.id, target.username),
    );
  }

  async function refreshRequest(target: Target, current: StoredTokens, refreshToken: string): Promise<StoredTokens> {
    const r = await resolve(target);
    const context = contextOf(target, r.as.token_endpoint);
    try {
      const scope = target.provider.kind === "microsoft"
        ? { additionalParameters: { scope: r.delegatedScopes.join(" ") } }
        : {};
      const response = await oauth.refreshTokenGrantRequest(r.as, r.client, r.clientAuth, refreshToken, {
        ...r.fetchOptions,
        ...scope,
        signal: () => AbortSignal.timeout(timeoutMs),
      });
      const result = await oauth.processRefreshTokenResponse(await r.asForResponse(response), r.client, response);
      const at = now();
      registerSecret(result.access_token);
      if (result.refresh_token !== undefined) registerSecret(result.refresh_token);
      const rotated = typeof result.refresh_token === "string" && result.refresh_token !== "";
      const next: StoredTokens = {
        ...current,
        accessToken: result.access_token,
        tokenType: result.token_type,
        refreshToken: rotated ? result.refresh_token : refreshToken,
        refreshTokenIssuedAt: rotated ? at : current.refreshTokenIssuedAt ?? at,
        lastRefreshAt: at,
      };
      if (typeof result.expires_in === "number") next.accessTokenExpiresAt = at + result.expires_in * 1000;
      else delete next.accessTokenExpiresAt;
      if (typeof result.scope === "string" && result.scope.trim() !== "") {
        next.scopes = result.scope.trim().split(/\s+/);
      }
      countRefresh(target, "success");
      return next;
    } catch (error) {
      countRefresh(target, "failure");
      throw toOAuthError(error, context);
    }
  }

  function countRefresh(target: Target, result: "success" | "failure"): void {
    const counts = refreshCounts.get(target.source.name) ?? { success: 0, failure: 0 };
    counts[result] += 1;
    refreshCounts.set(target.source.name, counts);
    publish(target.source.name);
  }

  function statusOf(sourceName: string): TokenStatus {
    const status = statuses.get(sourceName);
    const counts = refreshCounts.get(sourceName);
    const providerId = config.emailSources.find((source) => source.name === sourceName)?.provider;
    const expiry = providerId === undefined ? undefined : certificateExpiry.get(providerId);
    const refreshes = {
      ...(counts === undefined ? {} : { refreshes: { ...counts } }),
      ...(expiry === undefined ? {} : { clientCertificateExpiresAt: expiry }),
    };
    if (status === undefined) return { state: "unknown", ...refreshes };
    return {
      ...status,
      ...(status.lastError === undefined ? {} : { lastError: { ...status.lastError } }),
      ...refreshes,
    };
  }

  /** Copies what this service knows about a source into its tracked status. */
  function publish(sourceName: string): void {
    const oauth = tracked.get(sourceName);
    if (oauth === undefined) return;
    const status = statusOf(sourceName);
    oauth.accessTokenExpiresAt = status.accessTokenExpiresAt ?? oauth.accessTokenExpiresAt;
    oauth.refreshTokenIssuedAt = status.refreshTokenIssuedAt ?? oauth.refreshTokenIssuedAt;
    oauth.needsLogin = status.state === "needs-login";
    oauth.clientCertificateExpiresAt = status.clientCertificateExpiresAt ?? oauth.clientCertificateExpiresAt;
    if (status.refreshes !== undefined) {
      oauth.refreshes.set("success", status.refreshes.success);
      oauth.refreshes.set("failure", status.refreshes.failure);
    }
  }

  /** One locked read-check-refresh-write; `staleRefresh` is the refresh token this caller saw. */
  async function refreshUnderLock(
    target: Target,
    staleRefresh: string | undefined,
    force: boolean,
  ): Promise<StoredTokens> {
    let used: StoredTokens | undefined;
    await store.update(target.provider.id, target.username, async (current) => {
      if (current === undefined) throw await notFound(target);
      const rotatedElsewhere = current.refreshToken !== staleRefresh;
      if ((rotatedElsewhere || !force) && isFresh(current)) {
        used = current; // another process refreshed it meanwhile: use its tokens
        return undefined;
      }
      if (typeof current.refreshToken !== "string" || current.refreshToken === "") {
        throw new OAuthError(
          ERR_OAUTH_REFRESH_FAILED,
          `Cannot refresh access token (provider '${target.provider.name}', user '${target.username}'): the stored sign-in has no refresh token`,
          { provider: target.provider.id, username: target.username, error: "invalid_grant" },
          {
            cause: new Error("no refresh token stored"),
            fix:
              `Make sure the provider's scopes include offline_access, then run \`mps login ${target.provider.name} ${target.username}\`.`,
          },
        );
      }
      used = await refreshRequest(target, current, current.refreshToken);
      return used;
    });
    if (used === undefined) throw await notFound(target);
    return used;
  }

  async function delegated(target: Target, force: boolean): Promise<StoredTokens> {
    const stored = await store.read(target.provider.id, target.username);
    if (stored === undefined) throw await notFound(target);
    if (!force && isFresh(stored)) return stored;
    const tokens = await withRetry(target, () => refreshUnderLock(target, stored.refreshToken, force));
    log?.info(`Refreshed the access token of '${target.username}' (provider '${target.provider.name}')`);
    return tokens;
  }

  async function appOnly(target: Target): Promise<StoredTokens> {
    // The certificate is read (once) even while a cached token is good: its expiry is reported,
    // and an expired or broken one shows before the cached token runs out.
    if (target.provider.clientCertificate !== undefined) await resolve(target);
    const stored = await store.read(target.provider.id, target.username);
    const cached = isAppToken(stored) ? stored : appMemory.get(target.key);
    if (isFresh(cached)) return cached;
    return withRetry(target, async () => {
      let used: StoredTokens | undefined;
      await store.update(target.provider.id, target.username, async (current) => {
        if (isAppToken(current) && isFresh(current)) {
          used = current;
          return undefined;
        }
        used = await requestAppToken({
          resolved: await resolve(target),
          source: target.source,
          now,
          signal: () => AbortSignal.timeout(timeoutMs),
        });
        if (current !== undefined && !isAppToken(current)) {
          appMemory.set(target.key, used);
          return undefined; // never overwrite a delegated sign-in
        }
        return used;
      });
      if (used === undefined) throw new Error("token store update returned nothing");
      return used;
    });
  }

  function record(target: Target, tokens: StoredTokens): AccessToken {
    if (typeof tokens.accessToken !== "string") throw new Error("no access token after refresh");
    registerSecret(tokens.accessToken); // read from disk in this process: keep it out of every log line
    registerSecret(tokens.refreshToken);
    const expiresAt = tokens.accessTokenExpiresAt ?? now();
    const status: TokenStatus = { state: "ok", accessTokenExpiresAt: expiresAt };
    if (tokens.refreshTokenIssuedAt !== undefined) status.refreshTokenIssuedAt = tokens.refreshTokenIssuedAt;
    statuses.set(target.source.name, status);
    publish(target.source.name);
    return { accessToken: tokens.accessToken, expiresAt };
  }

  function fail(target: Target, error: unknown): never {
    const needsLogin = error instanceof TokenNotFoundError ||
      (error instanceof OAuthError && (error.code === ERR_OAUTH_REFRESH_FAILED || error.error === "invalid_grant"));
    const previous = statuses.get(target.source.name);
    const status: TokenStatus = { state: needsLogin ? "needs-login" : "error" };
    status.lastError = {
      ...problemOf(error),
      ...(error instanceof OAuthError && error.aadsts !== undefined ? { aadsts: error.aadsts } : {}),
    };
    if (previous?.accessTokenExpiresAt !== undefined) status.accessTokenExpiresAt = previous.accessTokenExpiresAt;
    if (previous?.refreshTokenIssuedAt !== undefined) status.refreshTokenIssuedAt = previous.refreshTokenIssuedAt;
    statuses.set(target.source.name, status);
    publish(target.source.name);
    throw error;
  }

  function shared(key: string, run: () => Promise<AccessToken>): Promise<AccessToken> {
    const running = inflight.get(key);
    if (running !== undefined) return running;
    const started = run().finally(() => inflight.delete(key));
    inflight.set(key, started);
    return started;
  }

  return {
    async getAccessToken(source) {
      const target = targetOf(source);
      return shared(target.key, async () => {
        try {
          return record(target, target.app ? await appOnly(target) : await delegated(target, false));
        } catch (error) {
          fail(target, error);
        }
      });
    },
    status: statusOf,
    track(sourceName, state) {
      tracked.set(sourceName, state);
      publish(sourceName);
    },
    async refreshIfOlderThan(source, ms) {
      const target = targetOf(source);
      if (target.app) return false; // app-only tokens have no refresh token to keep alive
      await inflight.get(target.key)?.catch(() => undefined);
      const stored = await store.read(target.provider.id, target.username);
      if (stored === undefined) fail(target, await notFound(target));
      if (now() - lastRefresh(stored) < ms) return false;
      await shared(target.key, async () => {
        try {
          return record(target, await delegated(target, true));
        } catch (error) {
          fail(target, error);
        }
      });
      return true;
    },
  };
}
