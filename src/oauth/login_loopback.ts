// `mps login`: authorization code + PKCE (S256) with state and nonce, the redirect served on
// 127.0.0.1 by a Hono app that accepts exactly one callback and closes afterwards.
import { Hono } from "hono";
import * as oauth from "oauth4webapi";
import { serveHttp } from "../runtime/index.ts";
import type { ServedHttp } from "../runtime/index.ts";
import { MpsError } from "../shared/errors.ts";
import { terminalSafe } from "../shared/terminal_safe.ts";
import { CALLBACK_PAGE_HEADERS, callbackPage } from "./callback_page.ts";
import type { CallbackPageInput } from "./callback_page.ts";
import { LoginCancelledError, LoginTimeoutError, LoopbackPortError } from "./errors.ts";
import { loginResult, loginScopes } from "./login_tokens.ts";
import type { LoginResult, SaveTokens } from "./login_tokens.ts";
import { toOAuthError } from "./oauth_error.ts";
import type { ResolvedProvider } from "./provider_endpoints.ts";

export type LoopbackLoginOptions = {
  readonly resolved: ResolvedProvider;
  readonly username: string;
  /** Loopback port for the redirect; 0 picks a free one. */
  readonly port: number;
  readonly timeoutMs: number;
  /** ms epoch. */
  readonly now: () => number;
  /** Aborted on Ctrl+C: the wait ends with `LoginCancelledError`. */
  readonly signal: AbortSignal;
  /** Called once the redirect server listens: open the browser and/or print the URL. */
  readonly onAuthorizationUrl: (url: string, redirect: { uri: string; port: number }) => Promise<void>;
  /** Called about once a second while waiting, with the time left. */
  readonly onTick?: (remainingMs: number) => void;
  /** A request to the redirect address was refused (wrong state, no sign-in response); the wait goes on. */
  readonly onRefused?: (reason: string) => void;
  /** Stores the checked tokens; returns the file they went to. */
  readonly save: SaveTokens;
};

export type LoopbackLoginOutcome = LoginResult & { readonly path: string; readonly redirectUri: string };

/** `http://localhost:<port>/`: what the app registration lists (Entra ignores the port for localhost). */
export function loopbackRedirectUri(port: number): string {
  return `http://localhost:${port}/`;
}

/** The authorization request URL with PKCE, state, nonce, login_hint and prompt=select_account. */
export function authorizationUrl(
  resolved: ResolvedProvider,
  input: { redirectUri: string; username: string; state: string; nonce: string; codeChallenge: string },
): URL {
  const endpoint = resolved.as.authorization_endpoint;
  if (endpoint === undefined) throw new Error(`provider '${resolved.provider.name}' has no authorization endpoint`);
  const url = new URL(endpoint);
  const google = resolved.provider.kind === "google";
  const params: Record<string, string> = {
    client_id: resolved.client.client_id,
    response_type: "code",
    redirect_uri: input.redirectUri,
    scope: loginScopes(resolved.delegatedScopes).join(" "),
    state: input.state,
    nonce: input.nonce,
    code_challenge: input.codeChallenge,
    code_challenge_method: "S256",
    login_hint: input.username,
    // Google returns a refresh token only with access_type=offline, and again on a repeated
    // login only when consent is asked for.
    prompt: google ? "select_account consent" : "select_account",
  };
  if (google) params["access_type"] = "offline";
  for (const [name, value] of Object.entries(params)) url.searchParams.set(name, value);
  return url;
}

/**
 * The callback URL with its texts made safe to print: whoever can reach the loopback port (any
 * local program, any web page through the browser) chooses them, and an error quoting one (the
 * provider's `error_description`, an unexpected `iss`) ends up on the admin's terminal and in the
 * log. `code` and `state` stay exact: they are compared and redeemed, never printed.
 */
function withSafeErrorText(url: URL): URL {
  const safe = new URL(url);
  safe.search = "";
  for (const [name, value] of url.searchParams) {
    const exact = name === "code" || name === "state";
    safe.searchParams.append(name, exact ? value : terminalSafe(value, { maxLength: 1000, keepLines: true }));
  }
  return safe;
}

function errorPage(error: unknown): CallbackPageInput {
  const message = error instanceof Error ? error.message : String(error);
  const code = error instanceof MpsError ? `${error.code}: ` : "";
  return {
    ok: false,
    title: "Sign-in failed",
    lines: [
      `${code}${message}`,
      "Nothing was stored. The mps console shows what to do next; you can close this window.",
    ],
  };
}

function waitFor<T>(promise: Promise<T>, signal: AbortSignal, timeoutMs: number, onTimeout: () => Error): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const finish = (): void => {
      clearTimeout(timer);
      signal.removeEventListener("abort", onAbort);
    };
    const onAbort = (): void => {
      finish();
      reject(new LoginCancelledError({ cause: signal.reason }));
    };
    const timer = setTimeout(() => {
      finish();
      reject(onTimeout());
    }, timeoutMs);
    if (signal.aborted) onAbort();
    else signal.addEventListener("abort", onAbort, { once: true });
    promise.then(
      (value) => {
        finish();
        resolve(value);
      },
      (error: unknown) => {
        finish();
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}

/**
 * Runs the browser sign-in: serves the redirect on 127.0.0.1, hands out the authorization URL,
 * and waits for exactly one callback carrying the right `state`. A request with another state
 * (a stale browser tab, a forged link) is answered with an error page and does not end the wait.
 * The callback's code is redeemed, the ID token checked against `username`, the tokens saved,
 * and only then does the browser get its page. The server is closed before this returns.
 */
export async function loginLoopback(options: LoopbackLoginOptions): Promise<LoopbackLoginOutcome> {
  const { resolved, username, now } = options;
  const { as, client, clientAuth, fetchOptions, provider } = resolved;
  const state = oauth.generateRandomState();
  const nonce = oauth.generateRandomNonce();
  const codeVerifier = oauth.generateRandomCodeVerifier();
  const codeChallenge = await oauth.calculatePKCECodeChallenge(codeVerifier);
  const scopes = loginScopes(resolved.delegatedScopes);

  let redirectUri = "";
  let settled = false;
  let accepted = false;
  let resolveOutcome: (outcome: LoopbackLoginOutcome) => void = () => undefined;
  let rejectOutcome: (error: unknown) => void = () => undefined;
  const outcome = new Promise<LoopbackLoginOutcome>((resolve, reject) => {
    resolveOutcome = resolve;
    rejectOutcome = reject;
  });
  outcome.catch(() => undefined); // awaited only when a callback was accepted
  let markAccepted: () => void = () => undefined;
  const callbackAccepted = new Promise<void>((resolve) => {
    markAccepted = resolve;
  });

  const redeem = async (callbackUrl: URL): Promise<LoopbackLoginOutcome> => {
    const context = { provider, username, redirectUri, operation: "login" as const };
    let result: LoginResult;
    try {
      const params = oauth.validateAuthResponse(as, client, callbackUrl, state);
      const response = await oauth.authorizationCodeGrantRequest(
        as,
        client,
        clientAuth,
        params,
        redirectUri,
        codeVerifier,
        fetchOptions,
      );
      const answering = await resolved.asForResponse(response);
      const tokens = await oauth.processAuthorizationCodeResponse(answering, client, response, {
        expectedNonce: nonce,
        requireIdToken: true,
      });
      result = loginResult(tokens, username, scopes, now());
    } catch (error) {
      if (error instanceof MpsError) throw error;
      throw toOAuthError(error, { ...context, endpoint: as.token_endpoint });
    }
    const path = await options.save(result.tokens);
    return { ...result, path, redirectUri };
  };

  const page = (body: CallbackPageInput, status: 200 | 400 | 409): Response =>
    new Response(callbackPage(body), {
      status,
      headers: {
        "Content-Type": "text/html; charset=utf-8",
        // The server closes right after the sign-in: no keep-alive connection to wait for.
        Connection: "close",
        ...CALLBACK_PAGE_HEADERS,
      },
    });

  const app = new Hono();
  app.get("/", async (c) => {
    const url = new URL(c.req.url);
    if (accepted || settled) {
      return page({
        ok: false,
        title: "Sign-in already handled",
        lines: ["This sign-in is over; you can close this window."],
      }, 409);
    }
    const given = url.searchParams.get("state");
    if (given !== state) {
      const what = url.searchParams.size === 0
        ? "a request without a sign-in response"
        : given === null
        ? "a sign-in response without 'state'"
        : "a sign-in response with the wrong 'state'";
      const givenError = url.searchParams.get("error");
      const error = givenError === null ? null : terminalSafe(givenError, { maxLength: 100 });
      options.onRefused?.(
        `Refused ${what} at ${redirectUri}${
          error === null ? "" : ` (it carried error '${error}')`
        }; still waiting for the sign-in`,
      );
      return page({
        ok: false,
        title: "Not the sign-in mps is waiting for",
        lines: [
          `mps refused ${what}: it belongs to another (older) sign-in or was not sent by the provider. Nothing was stored.`,
          "Finish the sign-in in the browser tab that mps opened most recently (or the URL it printed).",
        ],
      }, 400);
    }
    accepted = true;
    markAccepted();
    try {
      const done = await redeem(withSafeErrorText(url));
      resolveOutcome(done);
      const lines = [`Signed in as ${done.account}. mps stored the tokens; you can close this window.`];
      if (!done.hasRefreshToken) lines.push("Warning: no refresh token came back; see the mps console.");
      return page({ ok: true, title: "Signed in", lines }, 200);
    } catch (error) {
      rejectOutcome(error);
      return page(errorPage(error), 400);
    }
  });

  let server: ServedHttp;
  try {
    server = await serveHttp(app.fetch, { hostname: "127.0.0.1", port: options.port });
  } catch (error) {
    throw new LoopbackPortError(options.port, { cause: error });
  }
  redirectUri = loopbackRedirectUri(server.port);
  const deadline = now() + options.timeoutMs;
  const ticker = options.onTick === undefined ? undefined : setInterval(() => {
    if (!accepted) options.onTick?.(Math.max(0, deadline - now()));
  }, 1000);
  try {
    const url = authorizationUrl(resolved, { redirectUri, username, state, nonce, codeChallenge });
    await options.onAuthorizationUrl(url.href, { uri: redirectUri, port: server.port });
    options.onTick?.(options.timeoutMs);
    // Once the callback is accepted, the redemption runs to its end whatever the clock says.
    await waitFor(
      callbackAccepted,
      options.signal,
      options.timeoutMs,
      () =>
        new LoginTimeoutError(
          `no sign-in came back to ${redirectUri}`,
          options.timeoutMs,
          "Finish the sign-in in the browser sooner or give more time with --timeout SECONDS; " +
            "on a machine without a browser, use --device-code.",
        ),
    );
    return await outcome;
  } finally {
    settled = true;
    if (ticker !== undefined) clearInterval(ticker);
    await server.close();
  }
}
