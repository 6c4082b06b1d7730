// Shared set-up of the login and device-code tests: a temp folder with mps.config pointing at
// the local authorization server, HOME/XDG inside it, and ways to finish a sign-in.
import { Buffer } from "node:buffer";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { openTokenStore } from "../../src/storage/index.ts";
import type { StoredTokens } from "../../src/storage/index.ts";
import { startMps } from "../helpers/mps_process.ts";
import type { MpsProcess } from "../helpers/mps_process.ts";

export const CHROMIUM = "/usr/bin/chromium";
/** Launch flags known to work on the CI machines (TESTSTACK.md). */
export const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

export type LoginDir = {
  readonly dir: string;
  readonly config: string;
  readonly storageDir: string;
  readonly keyFile: string;
  /** HOME and XDG folders inside `dir`, so nothing touches the real home. */
  readonly env: Record<string, string>;
  tokenFile(user: string): string;
  /** Decrypts the stored tokens through the token store (undefined when there is no file). */
  readTokens(user: string): Promise<StoredTokens | undefined>;
  /** `mps login local <user> ...args --config <config>` as a subprocess. */
  login(user: string, args: readonly string[], options?: { timeoutMs?: number }): MpsProcess;
  remove(): Promise<void>;
};

export async function makeLoginDir(issuer: string, options: { scopes?: string } = {}): Promise<LoginDir> {
  const dir = await mkdtemp(path.join(tmpdir(), "mps-login-"));
  const home = path.join(dir, "home");
  const env: Record<string, string> = {
    HOME: home,
    XDG_CONFIG_HOME: path.join(home, ".config"),
    XDG_CACHE_HOME: path.join(home, ".cache"),
    XDG_DATA_HOME: path.join(home, ".local", "share"),
    XDG_RUNTIME_DIR: path.join(home, "run"),
  };
  for (const folder of Object.values(env)) await mkdir(folder, { recursive: true, mode: 0o700 });
  const config = path.join(dir, "mps.config");
  const scopes = options.scopes ?? "openid email offline_access";
  await writeFile(
    config,
    `<mps version="6">
  <oauth storage="oauth-storage" keyFile="mps.key">
    <provider name="Local" issuer="${issuer}" clientId="mps" scopes="${scopes}"/>
  </oauth>
</mps>
`,
  );
  const storageDir = path.join(dir, "oauth-storage");
  const keyFile = path.join(dir, "mps.key");
  const store = openTokenStore({ storageDir, keyFile, env: {}, now: () => Date.now() });
  const running = new Set<MpsProcess>();
  return {
    dir,
    config,
    storageDir,
    keyFile,
    env,
    tokenFile: (user) => store.path("local", user),
    readTokens: (user) =>
      existsSync(store.path("local", user)) ? store.read("local", user) : Promise.resolve(undefined),
    login(user, args, opts = {}) {
      const child = startMps(["login", "local", user, ...args, "--config", config], {
        cwd: dir,
        env,
        timeoutMs: opts.timeoutMs ?? 60_000,
      });
      running.add(child);
      void child.exited.finally(() => running.delete(child));
      return child;
    },
    async remove() {
      for (const child of running) child.kill("SIGKILL");
      await Promise.all([...running].map((child) => child.exited.catch(() => undefined)));
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** The authorization URL: the first stdout line that is a URL and nothing else. */
export async function authorizationUrlOf(mps: MpsProcess): Promise<URL> {
  const match = await mps.waitFor("stdout", /^(https?:\/\/\S+)$/m);
  return new URL(match[1] ?? "");
}

/** Does what a browser does, with fetch: shows the form, submits `username`, follows the redirect to mps. */
export async function signInByFetch(
  url: URL,
  username: string,
): Promise<{ callback: URL; status: number; html: string }> {
  const form = await (await fetch(url)).text();
  const txn = /name="txn" value="([^"]+)"/.exec(form)?.[1];
  if (txn === undefined) throw new Error(`No sign-in form at ${url.href}: ${form.slice(0, 300)}`);
  const submitted = await fetch(new URL("authorize", url), {
    method: "POST",
    redirect: "manual",
    body: new URLSearchParams({ txn, username, action: "approve" }),
  });
  const callback = new URL(submitted.headers.get("location") ?? "http://invalid/");
  const page = await fetch(callback);
  return { callback, status: page.status, html: await page.text() };
}

/** True when `needle` occurs in the file's bytes as written (raw, not decoded). */
export async function fileContains(file: string, needle: string): Promise<boolean> {
  const bytes = await readFile(file);
  return bytes.includes(Buffer.from(needle, "utf8"));
}
