// Opening the default browser: a different command on each operating system, never through a
// shell, with an environment that holds none of mps's secrets.
import * as path from "node:path";
import process from "node:process";
import { MpsError } from "../shared/errors.ts";

export type OpenBrowser = (url: string) => Promise<void>;

/** The URL handed to the browser is not an https address (or http on this machine). */
export class BrowserUrlError extends MpsError {
  static readonly CODE = "ERR_BROWSER_URL";
  constructor(url: string, reason: string, options: { cause?: unknown } = {}) {
    // The query (state, nonce, PKCE challenge) is left out: the address is what the admin must fix.
    super(BrowserUrlError.CODE, `Will not open '${url.replace(/[?#].*$/s, "")}' in a browser: ${reason}`, {
      cause: options.cause ?? new Error(reason),
      fix:
        "Set the provider's issuer or authorization endpoint to an https:// address (http:// only for 127.0.0.1, localhost or [::1]).",
    });
  }
}

const LOOPBACK_HOSTS = new Set(["127.0.0.1", "localhost", "[::1]"]);

/**
 * `url` parsed, when it is safe to hand to the operating system's URL opener: https, or http on
 * this machine. Anything else (file:, javascript:, a UNC-looking path, ms-settings:, plain http to
 * another host) is refused, since the opener would run whatever handler the scheme names.
 */
export function checkBrowserUrl(url: string): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch (error) {
    throw new BrowserUrlError(url, "it is not an absolute URL", { cause: error });
  }
  if (parsed.protocol === "https:") return parsed;
  if (parsed.protocol === "http:") {
    if (LOOPBACK_HOSTS.has(parsed.hostname)) return parsed;
    throw new BrowserUrlError(url, `http:// is only accepted for 127.0.0.1, localhost or [::1], not '${parsed.host}'`);
  }
  throw new BrowserUrlError(url, `the scheme '${parsed.protocol}' is not https:`);
}

/**
 * Names of variables that hold secrets, whatever program they belong to. XAUTHORITY (a path the
 * X11 browser needs) and the desktop's SESSION variables are not secrets.
 */
const SECRET_NAME =
  /(?:SECRET|TOKEN|PASSW(?:OR)?D|PASSPHRASE|(?:^|_)PASS$|PWD$|(?:^|_)KEY$|_KEY_|APIKEY|CREDENTIAL|AUTH(?!ORITY)|COOKIE|PRIVATE)/i;
/** Proxy settings may carry `user:password@`; the browser uses the system's proxy settings anyway. */
const PROXY_NAME = /^(?:HTTPS?|ALL|FTP|NO)_PROXY$/i;

/**
 * The environment for the browser: the caller's, without mps's own settings (MPS_*), proxy
 * settings, and anything named like a secret. `PWD` (the working folder) is kept.
 */
export function browserEnvironment(
  env: Readonly<Record<string, string | undefined>>,
): Record<string, string> {
  const kept: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined) continue;
    const upper = name.toUpperCase();
    if (upper.startsWith("MPS_") || PROXY_NAME.test(name)) continue;
    if (upper !== "PWD" && upper !== "OLDPWD" && SECRET_NAME.test(name)) continue;
    kept[name] = value;
  }
  return kept;
}

/** The System32 folder, from %SystemRoot% (C:\Windows when it is not set). */
function system32(env: Readonly<Record<string, string | undefined>>): string {
  const root = env["SystemRoot"] ?? env["SYSTEMROOT"] ?? env["windir"] ?? env["WINDIR"] ?? "C:\\Windows";
  return path.win32.join(root, "System32");
}

/** The command that opens `url` in the default browser on `platform`; no shell is involved. */
export function browserCommand(
  url: string,
  platform: string = process.platform,
  env: Readonly<Record<string, string | undefined>> = process.env,
): { command: string; args: string[] } {
  if (platform === "win32") {
    // url.dll's handler takes the rest of its command line as the URL, with no %VAR% expansion
    // and no '&' splitting (cmd /c start did both); an absolute path so that no rundll32.exe
    // in the working folder or on PATH is picked instead.
    return { command: path.win32.join(system32(env), "rundll32.exe"), args: ["url.dll,FileProtocolHandler", url] };
  }
  if (platform === "darwin") return { command: "open", args: [url] };
  return { command: "xdg-open", args: [url] };
}

/**
 * Opens `url` in the default browser and returns once the opener has started. Rejects with a
 * BrowserUrlError for a URL that is not https (or http on loopback), and when the opener cannot
 * be run (no xdg-open on a server, say).
 */
export const openBrowser: OpenBrowser = async (url) => {
  const checked = checkBrowserUrl(url).href;
  const { command, args } = browserCommand(checked);
  // Loaded here, not at start-up: node:child_process alone costs every command a few ms.
  const { spawn } = await import("node:child_process");
  return await new Promise<void>((resolve, reject) => {
    const child = spawn(command, args, {
      detached: true,
      stdio: "ignore",
      env: browserEnvironment(process.env),
      windowsHide: true,
      shell: false,
    });
    child.once("error", reject);
    child.once("spawn", () => {
      child.unref();
      resolve();
    });
  });
};
