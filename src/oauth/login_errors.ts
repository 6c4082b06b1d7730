import { MpsError } from "../shared/errors.ts";

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
    const reason = (options.cause as { code?: unknown } | undefined)?.code;
    super(
      LoopbackPortError.CODE,
      `Cannot listen for the sign-in redirect on 127.0.0.1:${port}: ${
        typeof reason === "string" ? reason : String(options.cause)
      }`,
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
