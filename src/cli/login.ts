// `mps login <provider> <username>`: browser sign-in (authorization code + PKCE, loopback
// redirect) or `--device-code`; the tokens of the right account only, stored encrypted.
import { sendScopes } from "../notify/index.ts";
import { findProvider, loginDeviceCode, loginLoopback, resolveProvider, UnknownProviderError } from "../oauth/index.ts";
import type { DeviceCodePrompt, LoginResult, ResolvedProvider, SaveTokens } from "../oauth/index.ts";
import { checkBrowserUrl, openBrowser } from "../runtime/index.ts";
import { UsageError } from "../shared/errors.ts";
import { openTokenStore, StorageNameError } from "../storage/index.ts";
import type { CliContext, CommandHandler } from "./context.ts";
import { networkFor } from "./network.ts";
import { flag, text } from "./option_values.ts";
import type { OptionValues } from "./option_values.ts";
import { errnoCode } from "../shared/errno.ts";

export const DEFAULT_LOGIN_TIMEOUT_S = 300;

type LoginOptions = {
  provider: string;
  username: string;
  port: number;
  /** Undefined when --timeout was not given (the device flow then waits for the code's lifetime). */
  timeoutS: number | undefined;
  deviceCode: boolean;
  noBrowser: boolean;
};

function readOptions(positionals: readonly string[], options: OptionValues): LoginOptions {
  const provider = (positionals[0] ?? "").trim();
  const username = (positionals[1] ?? "").trim();
  if (provider === "") {
    throw new UsageError("'login' needs <provider>: the name of an <oauth> <provider> in the config");
  }
  if (username === "") throw new UsageError("'login' needs <username>: the mailbox to sign in, e.g. print@contoso.com");
  const deviceCode = flag(options, "device-code");
  const noBrowser = flag(options, "no-browser");
  const portText = text(options, "port");
  let port = 0;
  if (typeof portText === "string") {
    if (deviceCode) throw new UsageError("option '--port' applies to the browser sign-in, not to '--device-code'");
    port = Number(portText);
    if (!/^\d+$/.test(portText) || port > 65535) {
      throw new UsageError(`option '--port' must be a port number from 0 to 65535: got '${portText}'`);
    }
  }
  if (deviceCode && noBrowser) {
    throw new UsageError(
      "options '--device-code' and '--no-browser' do not go together: the device flow never opens a browser",
    );
  }
  const timeoutText = text(options, "timeout");
  let timeoutS: number | undefined;
  if (typeof timeoutText === "string") {
    timeoutS = Number(timeoutText);
    if (!/^\d+(\.\d+)?$/.test(timeoutText) || !(timeoutS > 0)) {
      throw new UsageError(`option '--timeout' must be a number of seconds greater than 0: got '${timeoutText}'`);
    }
  }
  return { provider, username, port, timeoutS, deviceCode, noBrowser };
}

/** "4:59" */
function minutes(ms: number): string {
  const total = Math.ceil(ms / 1000);
  return `${Math.floor(total / 60)}:${String(total % 60).padStart(2, "0")}`;
}

/** The countdown line on stderr: redrawn in place at a terminal, a single line otherwise. */
function countdown(
  context: CliContext,
  what: string,
): { tick(remainingMs: number): void; say(text: string): void; end(): void } {
  let shown = false;
  let announced = false;
  const clear = (): void => {
    if (shown) context.stderr("\r\x1b[K");
    shown = false;
  };
  return {
    tick(remainingMs) {
      if (context.interactive) {
        context.stderr(`\r\x1b[KWaiting for ${what}: ${minutes(remainingMs)} left (Ctrl+C to cancel)`);
        shown = true;
      } else if (!announced) {
        context.stderr(`Waiting up to ${Math.ceil(remainingMs / 1000)} s for ${what} (Ctrl+C to cancel).\n`);
      }
      announced = true;
    },
    say(text) {
      clear();
      context.stderr(text);
    },
    end: clear,
  };
}

async function browserLogin(
  context: CliContext,
  resolved: ResolvedProvider,
  login: LoginOptions,
  save: SaveTokens,
): Promise<LoginResult & { path: string }> {
  const clock = countdown(context, "the sign-in in the browser");
  try {
    return await loginLoopback({
      resolved,
      username: login.username,
      port: login.port,
      timeoutMs: (login.timeoutS ?? DEFAULT_LOGIN_TIMEOUT_S) * 1000,
      now: context.now,
      signal: context.shutdown,
      save,
      onTick: (remainingMs) => clock.tick(remainingMs),
      onRefused: (reason) => clock.say(`mps: warning: ${reason}\n`),
      async onAuthorizationUrl(url, { port }) {
        // Also with --no-browser: an admin pastes what is printed, so a file: or plain http
        // address from a hostile discovery document is refused here, not shown.
        checkBrowserUrl(url);
        if (login.noBrowser) {
          context.stderr(
            `Open this URL in a browser and sign in as ${login.username}` +
              ` (the browser must reach this machine's 127.0.0.1:${port}; from another machine, tunnel it: ssh -L ${port}:127.0.0.1:${port} <this host>):\n`,
          );
        } else {
          try {
            await openBrowser(url);
            context.stderr(`Opened the browser to sign in as ${login.username}. If it did not open, open this URL:\n`);
          } catch (error) {
            const reason = errnoCode(error) ??
              (error instanceof Error ? error.message : String(error));
            context.stderr(
              `Could not open a browser (${
                String(reason)
              }). Open this URL in a browser and sign in as ${login.username}:\n`,
            );
          }
        }
        context.stdout(`${url}\n`);
      },
    });
  } finally {
    clock.end();
  }
}

async function deviceLogin(
  context: CliContext,
  resolved: ResolvedProvider,
  login: LoginOptions,
  save: SaveTokens,
): Promise<LoginResult & { path: string }> {
  const clock = countdown(context, "the sign-in with the code");
  const show = (prompt: DeviceCodePrompt): void => {
    context.stdout(
      `To sign in as ${login.username}, open ${prompt.verificationUri} in a browser on any device and enter the code:\n` +
        `${prompt.userCode}\n` +
        (prompt.verificationUriComplete === undefined ? "" : `(or open ${prompt.verificationUriComplete})\n`),
    );
  };
  try {
    return await loginDeviceCode({
      resolved,
      username: login.username,
      timeoutMs: login.timeoutS === undefined ? undefined : login.timeoutS * 1000,
      now: context.now,
      signal: context.shutdown,
      save,
      onCode: show,
      onTick: (remainingMs) => clock.tick(remainingMs),
    });
  } finally {
    clock.end();
  }
}

export const loginCommand: CommandHandler = async ({ context, config, positionals, options }) => {
  const login = readOptions(positionals, options);
  let provider;
  try {
    provider = findProvider(config, login.provider);
  } catch (error) {
    if (!(error instanceof UnknownProviderError)) throw error;
    context.stderr(`mps: ${error.message}\n${error.fix === undefined ? "" : `Fix: ${error.fix}\n`}`);
    return 2;
  }
  const store = openTokenStore({
    storageDir: config.oauth.storageDir,
    keyFile: config.oauth.keyFile,
    env: context.env,
    now: context.now,
    lockOwner: "mps login",
  });
  try {
    store.path(provider.id, login.username); // a name no file can carry is refused before the sign-in
  } catch (error) {
    if (error instanceof StorageNameError) {
      throw new UsageError(`<username> cannot be used: ${error.message}`, { cause: error });
    }
    throw error;
  }
  const base = await resolveProvider(provider, {
    fetch: networkFor(context, config).fetch,
    signal: context.shutdown,
  });
  // replies to senders sign in with this token too: ask for the send permission with it
  const extra = sendScopes(config, provider.id).filter((scope) => !base.delegatedScopes.includes(scope));
  const resolved = { ...base, delegatedScopes: [...base.delegatedScopes, ...extra] };
  const save: SaveTokens = async (tokens) => {
    await store.write(provider.id, login.username, tokens);
    return store.path(provider.id, login.username);
  };
  const done = login.deviceCode
    ? await deviceLogin(context, resolved, login, save)
    : await browserLogin(context, resolved, login, save);
  context.stdout(
    `Signed in as ${done.account} with provider '${provider.name}'.\nTokens stored encrypted in '${done.path}'.\n`,
  );
  if (!done.hasRefreshToken) {
    const fix = provider.kind === "google"
      ? `remove mps's access at https://myaccount.google.com/permissions and run login again (Google sends a refresh token only when consent is given).`
      : `add 'offline_access' to the scopes of <provider name="${provider.name}"> (now '${
        resolved.delegatedScopes.join(" ")
      }') ` +
        `in '${config.displayPath}' and run login again.`;
    context.stderr(
      `mps: warning: provider '${provider.name}' returned no refresh token: the access token stops working within the hour ` +
        `and 'mps run' cannot renew it.\nFix: ${fix}\n`,
    );
  }
  return 0;
};
