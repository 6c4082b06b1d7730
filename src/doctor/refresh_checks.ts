import type { EmailSource, OAuthProvider } from "../config/index.ts";
import {
  ClientSecretError,
  ERR_OAUTH_CLIENT_SECRET,
  ERR_OAUTH_NO_CLIENT_SECRET,
  requestAppToken,
  resolveProvider,
} from "../oauth/index.ts";
import type { TokenService } from "../oauth/index.ts";
import { MpsError } from "../shared/errors.ts";
import { DAY_MS } from "../shared/time.ts";
import { fail, failFrom, pass, skip, warn } from "./check_result.ts";
import type { CheckResult } from "./check_result.ts";
import { WARN_CLIENT_SECRET_DATE, WARN_CLIENT_SECRET_EXPIRING } from "./errors.ts";

const SECRET_WARN_DAYS = 30;

export interface RefreshOutcome {
  readonly result: CheckResult;
  /** The fresh access token, for imap.login. */
  readonly accessToken: string | undefined;
  readonly error: unknown;
}

export interface RefreshDeps {
  readonly tokens: TokenService;
  readonly fetch: typeof globalThis.fetch;
  readonly now: () => number;
  readonly timeoutMs: number;
}

function isSecretError(error: unknown): error is MpsError {
  return error instanceof MpsError &&
    (error.code === ERR_OAUTH_CLIENT_SECRET || error.code === ERR_OAUTH_NO_CLIENT_SECRET);
}

function day(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/**
 * `token.refresh`: a real request to the token endpoint. A delegated sign-in is refreshed (the
 * rotated refresh token is stored, as `mps run` does), because a revoked refresh token goes
 * unnoticed while the access token still works; an app-only source requests a new app token
 * (client credentials), which is not stored.
 */
export async function checkTokenRefresh(
  source: EmailSource,
  provider: OAuthProvider,
  deps: RefreshDeps,
): Promise<RefreshOutcome> {
  const id = "token.refresh";
  const app = source.signIn === "app";
  try {
    let token: { accessToken: string; expiresAt: number | undefined };
    if (app) {
      const resolved = await resolveProvider(provider, { fetch: deps.fetch });
      const tokens = await requestAppToken({
        resolved,
        source,
        now: deps.now,
        signal: () => AbortSignal.timeout(deps.timeoutMs),
      });
      if (typeof tokens.accessToken !== "string") {
        throw new Error("the token endpoint answered without an access token");
      }
      token = { accessToken: tokens.accessToken, expiresAt: tokens.accessTokenExpiresAt };
    } else {
      await deps.tokens.refreshIfOlderThan(source, 0);
      token = await deps.tokens.getAccessToken(source);
    }
    const until = token.expiresAt === undefined ? "" : `; valid until ${new Date(token.expiresAt).toISOString()}`;
    const finding = app
      ? `Got an app-only access token from provider '${provider.name}' (client credentials)${until}`
      : `Refreshed the access token at the token endpoint of provider '${provider.name}'${until} (the rotated refresh token is stored)`;
    return { result: pass(id, source.name, finding), accessToken: token.accessToken, error: undefined };
  } catch (error) {
    if (isSecretError(error)) {
      const aadsts = (error as { aadsts?: unknown }).aadsts;
      const result = fail(
        id,
        source.name,
        error.code,
        `${
          app ? "Cannot get an app-only access token" : "Cannot refresh access token"
        }: the client secret of provider '${provider.name}' was not accepted (see secret.valid)`,
        "Renew the client secret as secret.valid says.",
        typeof aadsts === "number" ? { aadsts } : undefined,
      );
      return { result, accessToken: undefined, error };
    }
    return { result: failFrom(id, source.name, error), accessToken: undefined, error };
  }
}

/**
 * `secret.valid` for app-only sources and confidential clients (a provider with clientSecret):
 * the token endpoint accepted it, and clientSecretExpires is not within 30 days.
 */
export function checkClientSecret(
  source: EmailSource,
  provider: OAuthProvider,
  refresh: RefreshOutcome,
  now: number,
  offline: boolean,
): CheckResult {
  const id = "secret.valid";
  if (isSecretError(refresh.error)) return failFrom(id, source.name, refresh.error);
  const confidential = (provider.clientSecret ?? "") !== "" || source.signIn === "app";
  if (!confidential) {
    return skip(id, source.name, `Not needed: provider '${provider.name}' is a public client (no clientSecret)`, false);
  }
  const verified = refresh.result.status === "pass";
  const basis = verified
    ? "was accepted by the token endpoint"
    : offline
    ? "was not tried (--offline)"
    : `was not tried (${refresh.result.id} did not succeed)`;
  const expires = provider.clientSecretExpiresAt;
  const subject = `The client secret of provider '${provider.name}'`;
  if (expires === undefined) {
    if (!verified) return skip(id, source.name, `${subject} ${basis}; clientSecretExpires is not set`, false);
    return pass(
      id,
      source.name,
      `${subject} ${basis}; clientSecretExpires is not set, so mps cannot warn before it expires`,
    );
  }
  const details = { expiresAt: new Date(expires).toISOString() };
  if (expires <= now) {
    if (verified) {
      return warn(
        id,
        source.name,
        WARN_CLIENT_SECRET_DATE,
        `${subject} ${basis}, but clientSecretExpires says it expired on ${day(expires)}`,
        `Set clientSecretExpires of <provider name="${provider.name}"> to the expiry date the app registration shows for this secret.`,
        details,
      );
    }
    return failFrom(
      id,
      source.name,
      new ClientSecretError(provider.name, `${subject} expired on ${day(expires)} (clientSecretExpires)`),
      details,
    );
  }
  const days = Math.floor((expires - now) / DAY_MS);
  if (days < SECRET_WARN_DAYS) {
    return warn(
      id,
      source.name,
      WARN_CLIENT_SECRET_EXPIRING,
      `${subject} expires on ${day(expires)}, in ${days} day${days === 1 ? "" : "s"}; it ${basis}`,
      `Before ${
        day(expires)
      }: create a new secret in the app registration (Certificates & secrets), copy its Value into clientSecret ` +
        `and its expiry date into clientSecretExpires of <provider name="${provider.name}"> in mps.config.`,
      details,
    );
  }
  return pass(id, source.name, `${subject} ${basis}; it expires on ${day(expires)}, in ${days} days`, details);
}
