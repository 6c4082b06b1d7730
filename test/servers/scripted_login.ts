import { createHash } from "node:crypto";
import { randomToken } from "./auth_tokens.ts";
import type { AuthServer } from "./auth_server.ts";

export type TokenSet = {
  access_token: string;
  refresh_token?: string;
  id_token?: string;
  expires_in: number;
  scope: string;
  token_type: string;
};

export type ScriptedLoginOptions = {
  /** The name typed into the sign-in form. */
  username: string;
  /** Default `openid email offline_access https://outlook.office.com/IMAP.AccessAsUser.All`. */
  scope?: string;
  /** Default `http://localhost:1/` (never contacted: the redirect is read, not followed). */
  redirectUri?: string;
  nonce?: string;
};

/**
 * Drives the authorization code + PKCE flow with plain fetch, as a browser would:
 * open the authorize URL, submit the sign-in form, read the redirect, redeem the code.
 * For tests that need tokens without Chromium.
 */
export async function scriptedLogin(auth: AuthServer, options: ScriptedLoginOptions): Promise<TokenSet> {
  const redirectUri = options.redirectUri ?? "http://localhost:1/";
  const scope = options.scope ?? "openid email offline_access https://outlook.office.com/IMAP.AccessAsUser.All";
  const verifier = randomToken(32);
  const state = randomToken(8);
  const authorize = new URL(auth.authorizationEndpoint);
  authorize.search = new URLSearchParams({
    client_id: auth.clientId,
    response_type: "code",
    redirect_uri: redirectUri,
    scope,
    state,
    code_challenge: createHash("sha256").update(verifier).digest("base64url"),
    code_challenge_method: "S256",
    login_hint: options.username,
    prompt: "select_account",
    ...(options.nonce ? { nonce: options.nonce } : {}),
  }).toString();
  const page = await fetch(authorize, { redirect: "manual" });
  const html = await page.text();
  const txn = /name="txn" value="([^"]+)"/.exec(html)?.[1];
  if (txn === undefined) {
    throw new Error(`The authorize endpoint showed no sign-in form (HTTP ${page.status}): ${html.slice(0, 300)}`);
  }
  const submitted = await fetch(auth.authorizationEndpoint, {
    method: "POST",
    redirect: "manual",
    body: new URLSearchParams({ txn, username: options.username, action: "approve" }),
  });
  const location = new URL(submitted.headers.get("location") ?? "http://invalid/");
  const code = location.searchParams.get("code");
  if (code === null || location.searchParams.get("state") !== state) {
    throw new Error(`Sign-in did not return a code with the state: ${location.href}`);
  }
  return redeem(auth, { grant_type: "authorization_code", code, redirect_uri: redirectUri, code_verifier: verifier });
}

/** POSTs to the token endpoint as the public client; throws the OAuth error when it fails. */
export async function redeem(auth: AuthServer, params: Record<string, string>): Promise<TokenSet> {
  const response = await fetch(auth.tokenEndpoint, {
    method: "POST",
    body: new URLSearchParams({ client_id: auth.clientId, ...params }),
  });
  const body = await response.json() as Record<string, unknown>;
  if (!response.ok) {
    throw Object.assign(
      new Error(`Token request failed: ${String(body["error"])}: ${String(body["error_description"])}`),
      {
        status: response.status,
        body,
      },
    );
  }
  return body as TokenSet;
}
