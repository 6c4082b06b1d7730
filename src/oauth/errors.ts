import type { OAuthProvider } from "../config/index.ts";
import { errnoCode } from "../shared/errno.ts";
import { MpsError } from "../shared/errors.ts";

// Stable codes: doctor, /health and tests switch on these.
export const ERR_OAUTH = "ERR_OAUTH";
export const ERR_OAUTH_NETWORK = "ERR_OAUTH_NETWORK";
export const ERR_OAUTH_SERVER = "ERR_OAUTH_SERVER";
export const ERR_OAUTH_INVALID_RESPONSE = "ERR_OAUTH_INVALID_RESPONSE";
export const ERR_OAUTH_CONSENT_REQUIRED = "ERR_OAUTH_CONSENT_REQUIRED";
export const ERR_OAUTH_REFRESH_FAILED = "ERR_OAUTH_REFRESH_FAILED";
export const ERR_OAUTH_CLIENT_SECRET = "ERR_OAUTH_CLIENT_SECRET";
export const ERR_OAUTH_APP_NOT_FOUND = "ERR_OAUTH_APP_NOT_FOUND";
export const ERR_OAUTH_MFA_REQUIRED = "ERR_OAUTH_MFA_REQUIRED";
export const ERR_OAUTH_CONDITIONAL_ACCESS = "ERR_OAUTH_CONDITIONAL_ACCESS";
export const ERR_OAUTH_REDIRECT_URI = "ERR_OAUTH_REDIRECT_URI";
export const ERR_OAUTH_CODE_REUSED = "ERR_OAUTH_CODE_REUSED";
export const ERR_OAUTH_ACCESS_DENIED = "ERR_OAUTH_ACCESS_DENIED";
export const ERR_OAUTH_DEVICE_CODE_EXPIRED = "ERR_OAUTH_DEVICE_CODE_EXPIRED";
export const ERR_OAUTH_PUBLIC_CLIENT_FLOWS_OFF = "ERR_OAUTH_PUBLIC_CLIENT_FLOWS_OFF";
export const ERR_OAUTH_RESOURCE_NOT_IN_TENANT = "ERR_OAUTH_RESOURCE_NOT_IN_TENANT";
export const ERR_OAUTH_TENANT_NOT_FOUND = "ERR_OAUTH_TENANT_NOT_FOUND";
export const ERR_OAUTH_ACCOUNT_NOT_IN_TENANT = "ERR_OAUTH_ACCOUNT_NOT_IN_TENANT";
export const ERR_OAUTH_ACCOUNT_DISABLED = "ERR_OAUTH_ACCOUNT_DISABLED";
export const ERR_OAUTH_PASSWORD_EXPIRED = "ERR_OAUTH_PASSWORD_EXPIRED";
export const ERR_OAUTH_SESSION_ENDED = "ERR_OAUTH_SESSION_ENDED";
export const ERR_OAUTH_MALFORMED_REQUEST = "ERR_OAUTH_MALFORMED_REQUEST";
export const ERR_OAUTH_CLIENT_CERTIFICATE = "ERR_OAUTH_CLIENT_CERTIFICATE";

export const ERR_TOKEN_NOT_FOUND = "ERR_TOKEN_NOT_FOUND";
export const ERR_OAUTH_NO_CLIENT_SECRET = "ERR_OAUTH_NO_CLIENT_SECRET";

/** No stored token for the source's provider and userName (often: another name was used at login). */
export class TokenNotFoundError extends MpsError {
  static readonly CODE = ERR_TOKEN_NOT_FOUND;
  readonly provider: string;
  readonly username: string;
  /** Users that do have a token file for this provider. */
  readonly knownUsers: readonly string[];
  constructor(provider: OAuthProvider, username: string, knownUsers: readonly string[], path: string) {
    const others = knownUsers.length === 0
      ? `No user has tokens for provider '${provider.name}' yet`
      : `Tokens for provider '${provider.name}' exist only for ${knownUsers.map((u) => `'${u}'`).join(", ")}`;
    super(
      ERR_TOKEN_NOT_FOUND,
      `Could not retrieve an access token from the OAuth storage: no token for provider '${provider.name}' and user '${username}' ('${path}' does not exist)`,
      {
        cause: new Error(`no token file ${path}`),
        fix: `${others}. Run \`mps login ${provider.name} ${username}\`` +
          (knownUsers.length === 0 ? "." : `, or set userName of the email source to the name used at login.`),
      },
    );
    this.provider = provider.id;
    this.username = username;
    this.knownUsers = knownUsers;
  }
}

/** An app-only (ImapOAuthMicrosoftApp) source whose provider has no clientSecret. */
export class MissingClientSecretError extends MpsError {
  static readonly CODE = ERR_OAUTH_NO_CLIENT_SECRET;
  readonly provider: string;
  constructor(provider: OAuthProvider, sourceName: string) {
    super(
      ERR_OAUTH_NO_CLIENT_SECRET,
      `Email source '${sourceName}' signs in app-only (client credentials) but provider '${provider.name}' (config line ${provider.line}) has no clientSecret`,
      {
        cause: new Error("clientSecret is not set"),
        fix:
          `Create a client secret in the app registration (Certificates & secrets) and set clientSecret="…" and clientSecretExpires="YYYY-MM-DD" ` +
          `on <provider name="${provider.name}"> in mps.config, or upload a certificate there and set clientCertificate="…" instead.`,
      },
    );
    this.provider = provider.id;
  }
}

/** What the provider said, as far as it said anything. */
export type OAuthErrorDetails = {
  /** OAuth `error` value (`invalid_grant`), when the server sent one. */
  error?: string | undefined;
  errorDescription?: string | undefined;
  /** HTTP status of the failed response. */
  status?: number | undefined;
  /** Entra's AADSTS number (`700082`), from `error_codes` or the description. */
  aadsts?: number | undefined;
  /** A later attempt may work (network, 5xx, temporarily_unavailable). */
  retryable?: boolean;
};

/** An OAuth operation failed; `code` says which known failure it is, `fix` what the admin can do. */
export class OAuthError extends MpsError {
  static readonly CODE = ERR_OAUTH;
  readonly provider: string;
  readonly username: string;
  readonly error: string | undefined;
  readonly errorDescription: string | undefined;
  readonly status: number | undefined;
  readonly aadsts: number | undefined;
  readonly retryable: boolean;
  constructor(
    code: string,
    message: string,
    details: OAuthErrorDetails & { provider: string; username: string },
    options: { cause: unknown; fix: string },
  ) {
    super(code, message, options);
    this.provider = details.provider;
    this.username = details.username;
    this.error = details.error;
    this.errorDescription = details.errorDescription;
    this.status = details.status;
    this.aadsts = details.aadsts;
    this.retryable = details.retryable ?? false;
  }
}

/** Discovery or endpoint set-up of a provider failed. */
export class ProviderResolveError extends MpsError {
  static readonly CODE = "ERR_OAUTH_PROVIDER";
  readonly provider: string;
  constructor(provider: OAuthProvider, detail: string, fix: string, options: { cause: unknown }) {
    super(
      ProviderResolveError.CODE,
      `Cannot use OAuth provider '${provider.name}' (config line ${provider.line}): ${detail}`,
      {
        cause: options.cause,
        fix,
      },
    );
    this.provider = provider.id;
  }
}

/** A provider name that is not in `<oauth>`, or a source without a provider. */
export class UnknownProviderError extends MpsError {
  static readonly CODE = "ERR_OAUTH_UNKNOWN_PROVIDER";
  constructor(message: string, fix: string, options: { cause?: unknown } = {}) {
    super(UnknownProviderError.CODE, message, { cause: options.cause, fix });
  }
}

/** The browser signed in another account than the one `mps login` was given. Nothing is stored. */
export class WrongAccountError extends MpsError {
  static readonly CODE = "ERR_OAUTH_WRONG_ACCOUNT";
  readonly signedIn: string;
  readonly expected: string;
  constructor(signedIn: string, expected: string, options: { cause?: unknown } = {}) {
    super(
      WrongAccountError.CODE,
      `Signed in as '${signedIn}' but '${expected}' was asked for: ` +
        `sign out of '${signedIn}' in the browser (or use a private window) and run login again`,
      { cause: options.cause },
    );
    this.signedIn = signedIn;
    this.expected = expected;
  }
}

/** The token response has no ID token naming the account, so the account cannot be checked. */
export class AccountUnknownError extends MpsError {
  static readonly CODE = "ERR_OAUTH_ACCOUNT_UNKNOWN";
  constructor(expected: string, detail: string, options: { cause?: unknown } = {}) {
    super(
      AccountUnknownError.CODE,
      `Cannot tell which account signed in (${detail}), so the tokens for '${expected}' were not stored`,
      {
        cause: options.cause,
        fix: "Make sure the provider's scopes include 'openid' and 'email' (or 'profile'), then run login again.",
      },
    );
  }
}

/** No redirect came back to the loopback address (or no device approval) in time. */
export class LoginTimeoutError extends MpsError {
  static readonly CODE = "ERR_LOGIN_TIMEOUT";
  constructor(what: string, timeoutMs: number, fix: string, options: { cause?: unknown } = {}) {
    const seconds = Number.isInteger(timeoutMs / 1000) ? String(timeoutMs / 1000) : (timeoutMs / 1000).toFixed(1);
    super(LoginTimeoutError.CODE, `Sign-in timed out: ${what} within ${seconds} s`, { cause: options.cause, fix });
  }
}

/** Ctrl+C (or SIGTERM) while waiting for the sign-in. */
export class LoginCancelledError extends MpsError {
  static readonly CODE = "ERR_LOGIN_CANCELLED";
  constructor(options: { cause?: unknown } = {}) {
    super(LoginCancelledError.CODE, "Sign-in cancelled: nothing was stored", { cause: options.cause });
  }
}

/** The loopback redirect server could not listen on the port asked for. */
export class LoopbackPortError extends MpsError {
  static readonly CODE = "ERR_LOGIN_PORT";
  constructor(port: number, options: { cause: unknown }) {
    const reason = errnoCode(options.cause);
    super(
      LoopbackPortError.CODE,
      `Cannot listen for the sign-in redirect on 127.0.0.1:${port}: ${reason ?? String(options.cause)}`,
      {
        cause: options.cause,
        fix: port === 0
          ? "Check that this machine allows listening on 127.0.0.1 (firewall or security software)."
          : `Free port ${port} (another program uses it), or leave out --port to use a free one.`,
      },
    );
  }
}

/** The provider offers no device authorization endpoint, so `--device-code` cannot work with it. */
export class DeviceFlowUnsupportedError extends MpsError {
  static readonly CODE = "ERR_OAUTH_DEVICE_UNSUPPORTED";
  constructor(provider: string, options: { cause?: unknown } = {}) {
    super(
      DeviceFlowUnsupportedError.CODE,
      `OAuth provider '${provider}' has no device authorization endpoint: --device-code cannot be used with it`,
      {
        cause: options.cause,
        fix:
          `Sign in with the browser instead: run 'mps login ${provider} <username>' (with --no-browser, open the printed URL on any machine that can reach this one's 127.0.0.1 — e.g. through an SSH tunnel).`,
      },
    );
  }
}

/** A stored sign-in whose ID token names another account than the source's userName. */
export class WrongStoredAccountError extends MpsError {
  static readonly CODE = WrongAccountError.CODE;
  static readonly FINDING = "Signed in as a different account";
  readonly signedIn: string;
  constructor(provider: string, user: string, signedIn: string) {
    super(
      WrongStoredAccountError.CODE,
      `${WrongStoredAccountError.FINDING}: the sign-in stored for '${user}' is the account '${signedIn}'`,
      {
        fix:
          `Run \`mps reset-storage --provider ${provider} --user ${user}\`, then \`mps login ${provider} ${user}\` and sign in as ` +
          `'${user}', not '${signedIn}' (mps asks the browser to let you pick the account; a private window avoids the one already signed in).`,
      },
    );
    this.signedIn = signedIn;
  }
}

/** The client secret is wrong, expired, or about to expire: what the provider says, or what clientSecretExpires says. */
export class ClientSecretError extends MpsError {
  static readonly CODE = ERR_OAUTH_CLIENT_SECRET;
  static readonly FINDING = "Client secret could not be retrieved";
  /** `detail` follows the finding: `Client secret could not be retrieved: <detail>`. */
  constructor(provider: string, detail: string) {
    super(ClientSecretError.CODE, `${ClientSecretError.FINDING}: ${detail}`, {
      fix: ClientSecretError.fixFor(provider),
    });
  }

  static fixFor(provider: string): string {
    return `The client secret of provider '${provider}' is wrong or expired: create a new secret in the app registration ` +
      `(Certificates & secrets), copy its Value (not the Secret ID) into clientSecret and its expiry date into clientSecretExpires ` +
      `of <provider name="${provider}"> in mps.config.`;
  }
}
