import * as oauth from "oauth4webapi";
import type { OAuthProvider } from "../config/index.ts";
import { ProxyError } from "../shared/proxy.ts";
import { ERR_OAUTH, ERR_OAUTH_INVALID_RESPONSE, ERR_OAUTH_NETWORK, ERR_OAUTH_SERVER, OAuthError } from "./errors.ts";
import type { OAuthErrorDetails } from "./errors.ts";
import { BY_AADSTS, relogin, SIGN_IN_FAILURES } from "./sign_in_failures.ts";
import type { SignInFailure } from "./sign_in_failures.ts";

export { adminConsentUrl } from "./sign_in_failures.ts";

export type OAuthErrorContext = {
  provider: OAuthProvider;
  /** The mailbox / login name the operation was for ("app" for app-only tokens). */
  username: string;
  /** The redirect URI the login used, printed in the redirect-mismatch fix. */
  redirectUri?: string | undefined;
  /** URL of the endpoint called, named in the network fix. */
  endpoint?: string | undefined;
  /** What was being done: `login` keeps a plain `invalid_grant` from reading as a refresh failure. */
  operation?: "login" | "refresh" | "client_credentials" | "device_code" | undefined;
};

const NETWORK_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ENOTFOUND",
  "EAI_AGAIN",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EPIPE",
  "ECONNABORTED",
  "UND_ERR_CONNECT_TIMEOUT",
  "UND_ERR_SOCKET",
  "UND_ERR_HEADERS_TIMEOUT",
  "UND_ERR_BODY_TIMEOUT",
  "CERT_HAS_EXPIRED",
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "SELF_SIGNED_CERT_IN_CHAIN",
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "ERR_TLS_CERT_ALTNAME_INVALID",
]);

function field(value: unknown, name: string): unknown {
  return typeof value === "object" && value !== null ? (value as Record<string, unknown>)[name] : undefined;
}

/** The system error code of a fetch failure (Node puts it on `cause`, sometimes two levels down). */
function networkCode(error: unknown): string | undefined {
  for (let e: unknown = error, depth = 0; e !== undefined && e !== null && depth < 4; e = field(e, "cause"), depth++) {
    const code = field(e, "code");
    if (typeof code === "string" && NETWORK_CODES.has(code)) return code;
  }
  return undefined;
}

/** True when `error` is a fetch/transport failure rather than an answer from the server. */
export function isNetworkError(error: unknown): boolean {
  if (error instanceof ProxyError || networkCode(error) !== undefined) return true;
  if (!(error instanceof Error)) return false;
  if (error.name === "TimeoutError") return true;
  if (error instanceof oauth.OperationProcessingError) return false;
  return error instanceof TypeError && field(error, "code") === undefined &&
    /fetch failed|error sending request|network|connect|connection|dns|tls|certificate/i.test(error.message);
}

/** AADSTS number from Entra's `error_codes` or the first `AADSTSnnn` in the description. */
export function aadstsOf(errorCodes: unknown, description: string | undefined): number | undefined {
  if (Array.isArray(errorCodes) && typeof errorCodes[0] === "number") return errorCodes[0];
  const match = /AADSTS(\d+)/.exec(description ?? "");
  return match?.[1] === undefined ? undefined : Number(match[1]);
}

/** First line of an Entra description (it appends Trace ID, Correlation ID and Timestamp lines). */
function firstLine(text: string | undefined): string | undefined {
  return text?.split(/\r?\n/)[0]?.trim() || undefined;
}

function knownFor(details: OAuthErrorDetails, ctx: OAuthErrorContext): SignInFailure | undefined {
  const byNumber = details.aadsts === undefined ? undefined : BY_AADSTS[details.aadsts];
  // 70008 is "code or refresh token expired": a refresh failure only outside a login.
  if (byNumber !== undefined && !(details.aadsts === 70008 && ctx.operation === "login")) {
    return SIGN_IN_FAILURES[byNumber];
  }
  switch (details.error) {
    case "consent_required":
    case "admin_policy_enforced":
      return SIGN_IN_FAILURES["consent"];
    case "access_denied":
      return SIGN_IN_FAILURES["denied"];
    case "expired_token":
      return SIGN_IN_FAILURES["deviceExpired"];
    case "invalid_grant":
      return ctx.operation === "login" || ctx.operation === "device_code" ? undefined : SIGN_IN_FAILURES["refresh"];
    case "invalid_client":
      if (ctx.provider.clientCertificate !== undefined) return SIGN_IN_FAILURES["certificate"];
      return ctx.provider.clientSecret !== undefined ? SIGN_IN_FAILURES["secret"] : undefined;
    default:
      return undefined;
  }
}

function who(ctx: OAuthErrorContext): string {
  return `provider '${ctx.provider.name}', user '${ctx.username}'`;
}

function fromDetails(details: OAuthErrorDetails, ctx: OAuthErrorContext, cause: unknown): OAuthError {
  const base = { ...details, provider: ctx.provider.id, username: ctx.username };
  const known = knownFor(details, ctx);
  const said = [details.error, firstLine(details.errorDescription)].filter((s) => s !== undefined);
  if (known !== undefined) {
    return new OAuthError(known.code, `${known.title} (${who(ctx)}): ${said.join(": ")}`, base, {
      cause,
      fix: known.fix(ctx),
    });
  }
  if (
    details.status !== undefined && details.status >= 500 || details.error === "temporarily_unavailable" ||
    details.error === "server_error"
  ) {
    return new OAuthError(
      ERR_OAUTH_SERVER,
      `The OAuth server of provider '${ctx.provider.name}' failed (HTTP ${
        details.status ?? "?"
      }) for user '${ctx.username}'` +
        (said.length > 0 ? `: ${said.join(": ")}` : ""),
      { ...base, retryable: true },
      {
        cause,
        fix: `This is usually temporary: mps retries on its own; if it persists, check the provider's service status.`,
      },
    );
  }
  const verbatim = `error '${details.error ?? "(none)"}'` +
    (details.errorDescription === undefined ? "" : `, error_description '${details.errorDescription}'`);
  return new OAuthError(ERR_OAUTH, `OAuth request failed (${who(ctx)}): ${verbatim}`, base, {
    cause,
    fix: ctx.operation === "login" || ctx.operation === "device_code"
      ? `Read the provider's error above, correct the app registration or provider '${ctx.provider.name}' in mps.config, and run \`mps login ${ctx.provider.name} ${ctx.username}\` again.`
      : `Read the provider's error above; if the stored sign-in is no longer valid, ${
        relogin(ctx).replace(/^Run/, "run")
      }`,
  });
}

function hostOf(endpoint: string | undefined): string | undefined {
  return endpoint !== undefined && URL.canParse(endpoint) ? new URL(endpoint).host : undefined;
}

/** Maps any failure of an OAuth call (oauth4webapi errors, fetch errors, `{error, error_description}`) to an `OAuthError`. */
export function toOAuthError(error: unknown, context: OAuthErrorContext): OAuthError {
  if (error instanceof OAuthError) return error;
  // The proxy's own failure: its code and fix, not the provider's.
  if (error instanceof ProxyError) {
    return new OAuthError(
      error.code,
      `${error.message} (provider '${context.provider.name}', user '${context.username}')`,
      { provider: context.provider.id, username: context.username, retryable: true },
      { cause: error, fix: error.fix ?? "" },
    );
  }
  if (error instanceof oauth.ResponseBodyError) {
    return fromDetails(
      {
        error: error.error,
        errorDescription: error.error_description,
        status: error.status,
        aadsts: aadstsOf(error.cause["error_codes"], error.error_description),
      },
      context,
      error,
    );
  }
  if (error instanceof oauth.AuthorizationResponseError) {
    const description = error.error_description ?? error.cause.get("error_description") ?? undefined;
    return fromDetails(
      { error: error.error, errorDescription: description, aadsts: aadstsOf(undefined, description) },
      context,
      error,
    );
  }
  if (error instanceof oauth.WWWAuthenticateChallengeError) {
    const params = error.cause[0]?.parameters;
    const description = params?.error_description;
    return fromDetails(
      {
        error: params?.error,
        errorDescription: description,
        status: error.status,
        aadsts: aadstsOf(undefined, description),
      },
      context,
      error,
    );
  }
  if (isNetworkError(error)) {
    const host = hostOf(context.endpoint);
    const reason = networkCode(error) ?? (error instanceof Error ? error.message : String(error));
    const unreachable = `the OAuth server of provider '${context.provider.name}'${
      host === undefined ? "" : ` at ${host}`
    }`;
    return new OAuthError(
      ERR_OAUTH_NETWORK,
      context.operation === "refresh"
        ? `Cannot refresh access token (${who(context)}): cannot reach ${unreachable}: ${reason}`
        : `Cannot reach ${unreachable} for user '${context.username}': ${reason}`,
      { provider: context.provider.id, username: context.username, retryable: true },
      {
        cause: error,
        fix: `Check the network, proxy and firewall between this machine and ${
          host ?? "the provider's token endpoint"
        } (HTTPS, port 443).`,
      },
    );
  }
  if (error instanceof oauth.OperationProcessingError) {
    const status = field(error.cause, "status");
    if (typeof status === "number" && status >= 500) return fromDetails({ status }, context, error);
    return new OAuthError(
      ERR_OAUTH_INVALID_RESPONSE,
      `The OAuth server of provider '${context.provider.name}' sent an answer mps cannot accept for user '${context.username}': ${error.message}`,
      { provider: context.provider.id, username: context.username, ...(typeof status === "number" ? { status } : {}) },
      {
        cause: error,
        fix:
          `Check the endpoints (authority / issuer) of provider '${context.provider.name}' in mps.config; a proxy that rewrites answers also causes this.`,
      },
    );
  }
  const oauthError = field(error, "error");
  if (typeof oauthError === "string") {
    const description = field(error, "error_description");
    const text = typeof description === "string" ? description : undefined;
    return fromDetails(
      { error: oauthError, errorDescription: text, aadsts: aadstsOf(field(error, "error_codes"), text) },
      context,
      error,
    );
  }
  const text = error instanceof Error ? error.message : String(error);
  return new OAuthError(ERR_OAUTH, `OAuth request failed (${who(context)}): ${text}`, {
    provider: context.provider.id,
    username: context.username,
  }, {
    cause: error,
    fix: `Run \`mps doctor\` for details; if the stored sign-in is broken, ${relogin(context).replace(/^Run/, "run")}`,
  });
}
