import * as oauth from "oauth4webapi";
import { registerSecret } from "../log/index.ts";
import type { StoredTokens } from "../storage/index.ts";
import { checkAccount, keptClaims } from "./account_check.ts";

/** What a finished sign-in hands to the caller: the tokens to store and who signed in. */
export type LoginResult = {
  /** The account named by the ID token (preferred_username, email or upn), as the provider wrote it. */
  readonly account: string;
  readonly tokens: StoredTokens;
  /** False when the provider returned no refresh token (offline_access missing). */
  readonly hasRefreshToken: boolean;
};

/** Saves the tokens of a checked sign-in and returns the file they went to. */
export type SaveTokens = (tokens: StoredTokens) => Promise<string>;

/**
 * Turns a processed token endpoint response into the tokens to store, after the account check:
 * throws `WrongAccountError` / `AccountUnknownError` when the ID token is not `username`'s.
 */
export function loginResult(
  response: oauth.TokenEndpointResponse,
  username: string,
  requestedScopes: readonly string[],
  now: number,
): LoginResult {
  registerSecret(response.access_token);
  registerSecret(response.refresh_token);
  registerSecret(response.id_token);
  const claims = oauth.getValidatedIdTokenClaims(response) as Record<string, unknown> | undefined;
  checkAccount(claims, username);
  const kept = keptClaims(claims ?? {});
  const account = kept.preferred_username ?? kept.email ?? kept.upn ?? username;
  const granted = typeof response.scope === "string" && response.scope.trim() !== ""
    ? response.scope.trim().split(/\s+/)
    : [...requestedScopes];
  const tokens: StoredTokens = {
    accessToken: response.access_token,
    tokenType: response.token_type,
    idTokenClaims: kept,
    scopes: granted,
  };
  if (typeof response.expires_in === "number") tokens.accessTokenExpiresAt = now + response.expires_in * 1000;
  if (typeof response.refresh_token === "string" && response.refresh_token !== "") {
    tokens.refreshToken = response.refresh_token;
    tokens.refreshTokenIssuedAt = now;
  }
  return { account, tokens, hasRefreshToken: tokens.refreshToken !== undefined };
}

/** Scopes to ask for at login: the provider's, with `openid` added when missing (the account check needs the ID token). */
export function loginScopes(delegated: readonly string[]): string[] {
  return delegated.includes("openid") ? [...delegated] : ["openid", ...delegated];
}
