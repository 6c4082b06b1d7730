import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { randomToken } from "./auth_tokens.ts";

export type OAuthErrorReply = { error: string; error_description: string; status?: number };

/** Entra's error descriptions (AADSTS codes) for the failures the tests meet. */
export const E = {
  badRequest: "AADSTS9002313: Invalid request. Request is malformed or invalid.",
  codeRedeemed:
    "AADSTS54005: OAuth2 Authorization code was already redeemed, please retry with a new valid code or use an existing refresh token.",
  expired:
    "AADSTS70008: The provided authorization code or refresh token has expired due to inactivity. Send a new interactive authorization request for this user and resource.",
  refreshInactive:
    "AADSTS700082: The refresh token has expired due to inactivity. The token was issued on an earlier date and was inactive for the configured lifetime.",
  revoked:
    "AADSTS50173: The provided grant has expired due to it being revoked, a fresh auth token is needed. The user might have changed or reset their password.",
  pkce: "AADSTS501481: The Code_Verifier does not match the code_challenge supplied in the authorization request.",
  badSecret:
    "AADSTS7000215: Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app",
  noSecret:
    "AADSTS7000218: The request body must contain the following parameter: 'client_assertion' or 'client_secret'.",
};

/** An OAuth error response shaped like Entra's (with `error_codes`, `trace_id`, ...). */
export function oauthError(c: Context, error: string, description: string, status = 400): Response {
  const codesInText = [...description.matchAll(/AADSTS(\d+)/g)].map((m) => Number(m[1]));
  return c.json({
    error,
    error_description: description,
    error_codes: codesInText,
    timestamp: new Date().toISOString(),
    trace_id: randomToken(8),
    correlation_id: randomToken(8),
  }, status as ContentfulStatusCode);
}

/** Replies with an error set by `failNext` (invalid_client → 401, as Entra does). */
export function replyFailure(c: Context, f: OAuthErrorReply): Response {
  return oauthError(c, f.error, f.error_description, f.status ?? (f.error === "invalid_client" ? 401 : 400));
}

/** A 302 back to the client's redirect URI with these query parameters. */
export function redirectWith(c: Context, redirectUri: string, params: Record<string, string | undefined>): Response {
  const url = new URL(redirectUri);
  for (const [k, v] of Object.entries(params)) if (v !== undefined) url.searchParams.set(k, v);
  return c.redirect(url.href, 302);
}

/** Entra-like user code: 9 characters from an unambiguous alphabet. */
export function randomUserCode(): string {
  const alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
  let code = "";
  for (const byte of crypto.getRandomValues(new Uint8Array(9))) code += alphabet[byte % alphabet.length];
  return code;
}
