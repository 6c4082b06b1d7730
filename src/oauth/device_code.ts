// `mps login --device-code`: the OAuth 2.0 Device Authorization Grant (RFC 8628), for servers
// without a browser. The user opens the verification URL anywhere and types the code.
import * as oauth from "oauth4webapi";
import { MpsError } from "../shared/errors.ts";
import { DeviceFlowUnsupportedError, LoginCancelledError, LoginTimeoutError } from "./errors.ts";
import { loginResult, loginScopes } from "./login_tokens.ts";
import type { LoginResult, SaveTokens } from "./login_tokens.ts";
import { isNetworkError, toOAuthError } from "./oauth_error.ts";
import type { OAuthErrorContext } from "./oauth_error.ts";
import type { ResolvedProvider } from "./provider_endpoints.ts";

/** What the user is shown: where to go and what to type. */
export type DeviceCodePrompt = {
  readonly verificationUri: string;
  /** The URL with the code in it, when the provider gives one. */
  readonly verificationUriComplete: string | undefined;
  readonly userCode: string;
  /** Seconds the code is good for. */
  readonly expiresIn: number;
};

export type DeviceLoginOptions = {
  readonly resolved: ResolvedProvider;
  readonly username: string;
  /** Upper bound of the wait; the code's own lifetime applies when it is shorter. */
  readonly timeoutMs: number | undefined;
  /** ms epoch. */
  readonly now: () => number;
  /** Aborted on Ctrl+C: the wait ends with `LoginCancelledError`. */
  readonly signal: AbortSignal;
  readonly onCode: (prompt: DeviceCodePrompt) => void;
  /** Called about once a second while waiting, with the time left. */
  readonly onTick?: (remainingMs: number) => void;
  /** Stores the checked tokens; returns the file they went to. */
  readonly save: SaveTokens;
  /** Waits `ms`, rejecting when `signal` aborts; injectable for tests. */
  readonly sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
};

export type DeviceLoginOutcome = LoginResult & { readonly path: string };

/** RFC 8628 section 3.2: 5 seconds when the server names no interval. */
export const DEFAULT_DEVICE_INTERVAL_S = 5;
/** RFC 8628 section 3.5: each slow_down adds 5 seconds. */
export const SLOW_DOWN_STEP_S = 5;
/** Consecutive network failures tolerated while polling before giving up. */
const MAX_NETWORK_RETRIES = 3;

function defaultSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    if (signal.aborted) {
      reject(new LoginCancelledError({ cause: signal.reason }));
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(new LoginCancelledError({ cause: signal.reason }));
    };
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal.addEventListener("abort", onAbort, { once: true });
  });
}

/** Sleeps in steps of at most a second so the countdown can be shown. */
async function pause(ms: number, options: DeviceLoginOptions, deadline: number): Promise<void> {
  const sleep = options.sleep ?? defaultSleep;
  const until = options.now() + ms;
  for (let left = ms; left > 0; left = until - options.now()) {
    await sleep(Math.min(left, 1000), options.signal);
    options.onTick?.(Math.max(0, deadline - options.now()));
  }
}

async function authorize(
  options: DeviceLoginOptions,
  context: OAuthErrorContext,
  scopes: string[],
): Promise<oauth.DeviceAuthorizationResponse> {
  const { as, client, clientAuth, fetchOptions } = options.resolved;
  try {
    const response = await oauth.deviceAuthorizationRequest(
      as,
      client,
      clientAuth,
      { scope: scopes.join(" ") },
      fetchOptions,
    );
    return await oauth.processDeviceAuthorizationResponse(as, client, response);
  } catch (error) {
    throw toOAuthError(error, { ...context, endpoint: as.device_authorization_endpoint });
  }
}

/**
 * Runs the device flow: asks for a code, shows it through `onCode`, polls the token endpoint
 * honouring `interval` and `slow_down`, and ends on approval (then the account check and
 * `save`), `access_denied`, `expired_token`, the timeout or Ctrl+C.
 */
export async function loginDeviceCode(options: DeviceLoginOptions): Promise<DeviceLoginOutcome> {
  const { resolved, username, now } = options;
  const { as, client, clientAuth, fetchOptions, provider } = resolved;
  if (as.device_authorization_endpoint === undefined) throw new DeviceFlowUnsupportedError(provider.name);
  const context: OAuthErrorContext = { provider, username, operation: "device_code", endpoint: as.token_endpoint };
  const scopes = loginScopes(resolved.delegatedScopes);
  const device = await authorize(options, context, scopes);
  options.onCode({
    verificationUri: device.verification_uri,
    verificationUriComplete: device.verification_uri_complete,
    userCode: device.user_code,
    expiresIn: device.expires_in,
  });

  const codeLifetimeMs = device.expires_in * 1000;
  const limitedByTimeout = options.timeoutMs !== undefined && options.timeoutMs < codeLifetimeMs;
  const deadline = now() + (limitedByTimeout ? options.timeoutMs ?? codeLifetimeMs : codeLifetimeMs);
  let intervalS = typeof device.interval === "number" && device.interval > 0
    ? device.interval
    : DEFAULT_DEVICE_INTERVAL_S;
  let networkFailures = 0;
  options.onTick?.(deadline - now());

  for (;;) {
    await pause(Math.min(intervalS * 1000, Math.max(0, deadline - now())), options, deadline);
    if (now() >= deadline) {
      if (limitedByTimeout) {
        throw new LoginTimeoutError(
          "the device sign-in was not completed",
          options.timeoutMs ?? 0,
          `Enter the code at the verification URL sooner, or give more time with --timeout SECONDS (at most ${device.expires_in} s, the code's lifetime).`,
        );
      }
      throw toOAuthError({
        error: "expired_token",
        error_description: `The device code expired after ${device.expires_in} s without an approval.`,
      }, context);
    }
    let tokens: oauth.TokenEndpointResponse;
    try {
      const response = await oauth.deviceCodeGrantRequest(as, client, clientAuth, device.device_code, fetchOptions);
      const answering = await resolved.asForResponse(response);
      tokens = await oauth.processDeviceCodeResponse(answering, client, response);
    } catch (error) {
      if (error instanceof oauth.ResponseBodyError && error.error === "authorization_pending") {
        networkFailures = 0;
        continue;
      }
      if (error instanceof oauth.ResponseBodyError && error.error === "slow_down") {
        networkFailures = 0;
        intervalS += SLOW_DOWN_STEP_S;
        continue;
      }
      if (isNetworkError(error) && !options.signal.aborted && ++networkFailures <= MAX_NETWORK_RETRIES) continue;
      if (options.signal.aborted) throw new LoginCancelledError({ cause: error });
      throw toOAuthError(error, context);
    }
    let result: LoginResult;
    try {
      result = loginResult(tokens, username, scopes, now());
    } catch (error) {
      if (error instanceof MpsError) throw error;
      throw toOAuthError(error, context);
    }
    const path = await options.save(result.tokens);
    return { ...result, path };
  }
}
