/**
 * App-only tokens (`ImapOAuthMicrosoftApp`): the client credentials grant with the
 * provider's client secret and the app scope (`https://outlook.office365.com/.default`).
 *
 * Cached encrypted in the token store like delegated tokens, at
 * `oauth-storage/<provider>/<userName>.json` (`app.json` when the source has no userName),
 * marked `grant: "client_credentials"`, and reused until near expiry. There is no refresh
 * token: a new access token is simply requested. A delegated token already stored under the
 * same provider and name (the same mailbox also signed in with `mps login`) is never
 * overwritten: the app token is then kept in memory only.
 */
import * as oauth from "oauth4webapi";
import { APP_TOKEN_USER } from "../config/index.ts";
import type { EmailSource } from "../config/index.ts";
import { registerSecret } from "../log/index.ts";
import type { StoredTokens } from "../storage/index.ts";
import { toOAuthError } from "./oauth_error.ts";
import type { ResolvedProvider } from "./provider_endpoints.ts";
import { MissingClientSecretError } from "./errors.ts";

export const CLIENT_CREDENTIALS_GRANT = "client_credentials";

/** True when the stored tokens are an app-only cache entry (so they may be replaced). */
export function isAppToken(tokens: StoredTokens | undefined): boolean {
  return tokens?.["grant"] === CLIENT_CREDENTIALS_GRANT;
}

export type RequestAppTokenOptions = {
  resolved: ResolvedProvider;
  source: EmailSource;
  now: () => number;
  /** Per-request abort (timeout) for the token endpoint call. */
  signal?: ((url: string) => AbortSignal) | AbortSignal;
};

/** One client credentials request; errors are `OAuthError`s (`retryable` for network and 5xx). */
export async function requestAppToken(options: RequestAppTokenOptions): Promise<StoredTokens> {
  const { resolved, source, now } = options;
  const { provider } = resolved;
  if (!provider.clientSecret && provider.clientCertificate === undefined) {
    throw new MissingClientSecretError(provider, source.name);
  }
  const username = source.tokenUser ?? APP_TOKEN_USER;
  const context = {
    provider,
    username,
    endpoint: resolved.as.token_endpoint,
    operation: "client_credentials" as const,
  };
  if (resolved.appScopes.length === 0) {
    throw toOAuthError({
      error: "invalid_scope",
      error_description:
        `provider '${provider.name}' has no app-only scope (only Microsoft, or a 'scopes' ending in '/.default')`,
    }, context);
  }
  try {
    const response = await oauth.clientCredentialsGrantRequest(
      resolved.as,
      resolved.client,
      resolved.clientAuth,
      { scope: resolved.appScopes.join(" ") },
      { ...resolved.fetchOptions, ...(options.signal === undefined ? {} : { signal: options.signal }) },
    );
    const result = await oauth.processClientCredentialsResponse(
      await resolved.asForResponse(response),
      resolved.client,
      response,
    );
    registerSecret(result.access_token);
    const issuedAt = now();
    const tokens: StoredTokens = {
      grant: CLIENT_CREDENTIALS_GRANT,
      accessToken: result.access_token,
      tokenType: result.token_type,
      scopes: typeof result.scope === "string" && result.scope !== ""
        ? result.scope.split(/\s+/)
        : [...resolved.appScopes],
      lastRefreshAt: issuedAt,
    };
    if (typeof result.expires_in === "number") tokens.accessTokenExpiresAt = issuedAt + result.expires_in * 1000;
    return tokens;
  } catch (error) {
    throw toOAuthError(error, context);
  }
}
