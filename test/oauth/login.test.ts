import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { after, before, test } from "node:test";
import { chromium } from "playwright-core";
import type { Browser } from "playwright-core";
import { runCli } from "../../src/cli/index.ts";
import { runMps } from "../helpers/run_mps.ts";
import { freePort, startAuthServer } from "../servers/index.ts";
import type { AuthServer } from "../servers/index.ts";
import {
  authorizationUrlOf,
  CHROMIUM,
  CHROMIUM_ARGS,
  fileContains,
  makeLoginDir,
  signInByFetch,
} from "./login_fixture.ts";
import type { LoginDir } from "./login_fixture.ts";

const USER = "print@example.test";
const OTHER = "other@example.test";

let auth: AuthServer;
let browser: Browser;
let chromiumHome: LoginDir;
const dirs: LoginDir[] = [];

async function newDir(options: { scopes?: string } = {}): Promise<LoginDir> {
  const dir = await makeLoginDir(auth.issuer, options);
  dirs.push(dir);
  return dir;
}

/** Fetching the redirect address fails once mps has closed it. */
async function isClosed(redirectUri: string): Promise<boolean> {
  try {
    await fetch(redirectUri, { signal: AbortSignal.timeout(2000) });
    return false;
  } catch {
    return true;
  }
}

before(async () => {
  auth = await startAuthServer();
  chromiumHome = await makeLoginDir(auth.issuer);
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: CHROMIUM_ARGS,
    env: { ...chromiumHome.env, PATH: process.env["PATH"] ?? "/usr/bin:/bin" },
  });
});

after(async () => {
  await browser?.close();
  for (const dir of dirs) await dir.remove();
  await chromiumHome?.remove();
  await auth?.stop();
});

test("signs in through Chromium with --no-browser, stores the tokens encrypted and closes the redirect address", async (t) => {
  const d = await newDir();
  const mps = d.login(USER, ["--no-browser"]);
  const url = await authorizationUrlOf(mps);
  assert.equal(mps.stdout().split("\n")[0], url.href, "the URL stands alone on the first line of stdout");
  const redirectUri = url.searchParams.get("redirect_uri") ?? "";
  assert.match(redirectUri, /^http:\/\/localhost:\d+\/$/);
  assert.equal(url.searchParams.get("login_hint"), USER);
  assert.equal(url.searchParams.get("prompt"), "select_account");
  assert.equal(url.searchParams.get("code_challenge_method"), "S256");
  assert.equal(url.searchParams.get("response_type"), "code");
  assert.ok((url.searchParams.get("state") ?? "").length >= 32);
  assert.ok((url.searchParams.get("nonce") ?? "").length >= 32);

  const context = await browser.newContext();
  const page = await context.newPage();
  const started = Date.now();
  await page.goto(url.href);
  assert.equal(await page.inputValue("#username"), USER, "login_hint prefills the form");
  await page.click("#submit");
  await page.waitForSelector("#outcome");
  const elapsed = Date.now() - started;
  t.diagnostic(`Chromium login (authorize page → form → loopback callback → page) took ${elapsed} ms`);
  assert.equal(await page.textContent("#outcome"), "Signed in");
  const html = await page.content();
  await context.close();

  const result = await mps.exited;
  assert.equal(result.code, 0, result.stderr);
  const file = d.tokenFile(USER);
  assert.ok(
    result.stdout.includes(`Signed in as ${USER} with provider 'Local'.\nTokens stored encrypted in '${file}'.\n`),
    result.stdout,
  );
  assert.ok(existsSync(file));
  const tokens = await d.readTokens(USER);
  assert.ok(tokens?.accessToken !== undefined && tokens.refreshToken !== undefined);
  assert.equal(tokens.idTokenClaims?.email, USER);
  assert.deepEqual(tokens.scopes, ["openid", "email", "offline_access"]);
  assert.ok((tokens.accessTokenExpiresAt ?? 0) > Date.now());
  assert.ok(!(await fileContains(file, tokens.accessToken)), "access token in clear in the file");
  assert.ok(!(await fileContains(file, tokens.refreshToken)), "refresh token in clear in the file");
  assert.ok(!html.includes(tokens.accessToken) && !html.includes(tokens.refreshToken), "token on the browser page");
  assert.ok(!result.stdout.includes(tokens.accessToken) && !result.stderr.includes(tokens.accessToken));
  assert.ok(await isClosed(redirectUri), "the redirect server still answers after the sign-in");
});

test("refuses the tokens of another account signed in in the browser and stores nothing", async () => {
  const d = await newDir();
  const mps = d.login(USER, ["--no-browser"]);
  const url = await authorizationUrlOf(mps);
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(url.href);
  await page.fill("#username", OTHER);
  await page.click("#submit");
  await page.waitForSelector("#outcome");
  assert.equal(await page.textContent("#outcome"), "Sign-in failed");
  assert.match(
    await page.textContent("body") ?? "",
    /Signed in as 'other@example\.test' but 'print@example\.test' was asked for/,
  );
  await context.close();

  const result = await mps.exited;
  assert.equal(result.code, 1);
  assert.ok(
    result.stderr.includes(
      `Signed in as '${OTHER}' but '${USER}' was asked for: sign out of '${OTHER}' in the browser (or use a private window) and run login again\n`,
    ),
    result.stderr,
  );
  assert.ok(!existsSync(d.tokenFile(USER)) && !existsSync(d.tokenFile(OTHER)));
  assert.ok(!existsSync(d.storageDir), "nothing at all was written to oauth-storage");
});

test("explains the three admin-consent options when the provider answers consent_required (AADSTS65001)", async () => {
  const d = await newDir();
  const mps = d.login(USER, ["--no-browser"]);
  const url = await authorizationUrlOf(mps);
  auth.failNext("authorize", {
    error: "consent_required",
    error_description:
      "AADSTS65001: The user or administrator has not consented to use the application with ID 'mps' named 'mps'.",
  });
  const page = await fetch(url); // follows the redirect back to mps, as a browser does
  const html = await page.text();
  assert.equal(page.status, 400);
  assert.match(html, /ERR_OAUTH_CONSENT_REQUIRED/);
  assert.match(html, /AADSTS65001/);
  assert.ok(!html.includes("'mps'"), "quotes from the provider are escaped on the page");

  const result = await mps.exited;
  assert.equal(result.code, 1);
  assert.match(
    result.stderr,
    /mps: Needs admin approval \(provider 'Local', user 'print@example\.test'\): consent_required: AADSTS65001/,
  );
  assert.match(result.stderr, /Fix: .*adminconsent\?client_id=mps.*admin role.*admin consent request workflow/);
  assert.ok(!existsSync(d.tokenFile(USER)));
});

test("shows an unknown provider error verbatim on the console and escaped on the page", async () => {
  const d = await newDir();
  const mps = d.login(USER, ["--no-browser"]);
  const url = await authorizationUrlOf(mps);
  const description = `Weird <script>alert("x")</script> & more`;
  auth.failNext("authorize", { error: "invalid_request", error_description: description });
  const html = await (await fetch(url)).text();
  assert.ok(!html.includes("<script>"), html);
  assert.ok(html.includes("&#60;script&#62;alert(&#34;x&#34;)&#60;/script&#62; &#38; more"), html);
  const result = await mps.exited;
  assert.equal(result.code, 1);
  assert.ok(result.stderr.includes(`error 'invalid_request', error_description '${description}'`), result.stderr);
});

test("refuses a callback with the wrong state, answers 404 on other paths, then accepts the real sign-in once", async () => {
  const d = await newDir();
  const mps = d.login(USER, ["--no-browser"]);
  const url = await authorizationUrlOf(mps);
  const redirectUri = url.searchParams.get("redirect_uri") ?? "";
  const redeemedBefore = auth.counts.authorization_code;

  const forged = await fetch(`${redirectUri}?code=forged&state=wrong`);
  assert.equal(forged.status, 400);
  assert.match(await forged.text(), /Not the sign-in mps is waiting for/);
  const stateless = await fetch(`${redirectUri}?code=forged`);
  assert.equal(stateless.status, 400);
  await stateless.body?.cancel();
  for (const other of [new URL("/favicon.ico", redirectUri), new URL("/callback?code=x", redirectUri)]) {
    const response = await fetch(other);
    assert.equal(response.status, 404, other.href);
    await response.body?.cancel();
  }
  const posted = await fetch(redirectUri, { method: "POST", body: "code=x" });
  assert.equal(posted.status, 404);
  await posted.body?.cancel();
  await mps.waitFor("stderr", /Refused a sign-in response with the wrong 'state'/);

  const signIn = await signInByFetch(url, USER);
  assert.equal(signIn.status, 200);
  const result = await mps.exited;
  assert.equal(result.code, 0, result.stderr);
  assert.equal(auth.counts.authorization_code - redeemedBefore, 1, "only the real code was redeemed");
  assert.ok(existsSync(d.tokenFile(USER)));
  assert.ok(await isClosed(redirectUri));
});

/** Escape sequences (window title, clear screen, 8-bit CSI), a bidi override and a bell. */
const HOSTILE = "\x1b]0;pwned\x07\x1b[2J\u009b31mDanger\u202e\x07\r\nline two";
// deno-lint-ignore no-control-regex -- the test looks for control characters
const CONTROL = /[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/;

test("prints the error a refused or failed callback carries without its control characters", async () => {
  const d = await newDir();
  const mps = d.login(USER, ["--no-browser"]);
  const url = await authorizationUrlOf(mps);
  const redirectUri = url.searchParams.get("redirect_uri") ?? "";
  const forged = await fetch(`${redirectUri}?error=${encodeURIComponent(HOSTILE)}&state=wrong`);
  assert.equal(forged.status, 400);
  await forged.body?.cancel();
  await mps.waitFor(
    "stderr",
    /Refused a sign-in response with the wrong 'state'.*\(it carried error 'Danger line two'\)/,
  );

  auth.failNext("authorize", { error: "invalid_request", error_description: `Bad${HOSTILE}` });
  const page = await fetch(url);
  assert.equal(page.status, 400);
  await page.body?.cancel();
  const result = await mps.exited;
  assert.equal(result.code, 1);
  assert.match(result.stderr, /error_description 'BadDanger\nline two'/);
  assert.doesNotMatch(result.stderr, CONTROL, JSON.stringify(result.stderr));
  assert.ok(!existsSync(d.tokenFile(USER)));
});

test("gives up after --timeout with a clear message and exit code 1", async () => {
  const d = await newDir();
  const started = Date.now();
  const mps = d.login(USER, ["--no-browser", "--timeout", "1"]);
  const url = await authorizationUrlOf(mps);
  const result = await mps.exited;
  assert.equal(result.code, 1);
  const redirectUri = url.searchParams.get("redirect_uri") ?? "";
  assert.ok(
    result.stderr.includes(`mps: Sign-in timed out: no sign-in came back to ${redirectUri} within 1 s\n`),
    result.stderr,
  );
  assert.match(result.stderr, /Fix: .*--timeout SECONDS.*--device-code/);
  assert.ok(Date.now() - started < 15_000);
  assert.ok(!existsSync(d.storageDir));
  assert.ok(await isClosed(redirectUri));
});

test("listens on the port given with --port and warns when no refresh token comes back", async () => {
  const d = await newDir({ scopes: "openid email" });
  const port = await freePort();
  const mps = d.login(USER, ["--no-browser", "--port", String(port)]);
  const url = await authorizationUrlOf(mps);
  assert.equal(url.searchParams.get("redirect_uri"), `http://localhost:${port}/`);
  assert.equal((await signInByFetch(url, USER)).status, 200);
  const result = await mps.exited;
  assert.equal(result.code, 0, result.stderr);
  assert.match(
    result.stderr,
    /mps: warning: provider 'Local' returned no refresh token: the access token stops working within the hour/,
  );
  assert.match(result.stderr, /Fix: add 'offline_access' to the scopes of <provider name="Local">/);
  const tokens = await d.readTokens(USER);
  assert.ok(tokens?.accessToken !== undefined);
  assert.equal(tokens.refreshToken, undefined);
});

test("stops waiting on Ctrl+C, stores nothing and exits 1", async () => {
  const d = await newDir();
  const mps = d.login(USER, ["--no-browser"]);
  const url = await authorizationUrlOf(mps);
  await mps.waitFor("stderr", /Waiting up to 300 s/);
  mps.kill("SIGINT");
  const result = await mps.exited;
  // Deno's node:child_process reports a child it sent a signal to as killed by that signal
  // (code null) even when the child handled it and exited 1 (as it does from a shell).
  if (!("Deno" in globalThis)) assert.equal(result.code, 1);
  assert.match(result.stderr, /mps: Sign-in cancelled: nothing was stored/);
  assert.ok(await isClosed(url.searchParams.get("redirect_uri") ?? ""));
  assert.ok(!existsSync(d.storageDir));
});

test("exits 2 and lists the defined providers for an unknown provider", async () => {
  const d = await newDir();
  const result = await runMps(["login", "Nowhere", USER, "--config", d.config], { env: d.env });
  assert.equal(result.code, 2);
  assert.match(result.stderr, /mps: OAuth provider 'Nowhere' is not defined in '.*mps\.config' \(defined: 'Local'\)/);
});

test("accepts the provider name in any case", async () => {
  const d = await newDir();
  const result = await runMps(["login", "LOCAL", USER, "--timeout", "0.2", "--no-browser", "--config", d.config], {
    env: d.env,
  });
  assert.equal(result.code, 1, result.stderr);
  assert.match(result.stderr, /Sign-in timed out/);
});

test("exits 2 for a --port that is not a port number and for --port with --device-code", async () => {
  const d = await newDir();
  const bad = await runMps(["login", "local", USER, "--port", "http", "--config", d.config], { env: d.env });
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /option '--port' must be a port number from 0 to 65535: got 'http'/);
  const mixed = await runMps(["login", "local", USER, "--device-code", "--port", "8080", "--config", d.config], {
    env: d.env,
  });
  assert.equal(mixed.code, 2);
  assert.match(mixed.stderr, /'--port' applies to the browser sign-in/);
});

test("shows a countdown that redraws in place at a terminal", async () => {
  const d = await newDir();
  let out = "";
  let err = "";
  const code = await runCli(["login", "local", USER, "--no-browser", "--timeout", "2.5", "--config", d.config], {
    env: {},
    cwd: d.dir,
    executableDir: undefined,
    interactive: true,
    prompt: undefined,
    stdout: (text) => void (out += text),
    stderr: (text) => void (err += text),
    now: () => Date.now(),
    fetch: globalThis.fetch,
    shutdown: new AbortController().signal,
  });
  assert.equal(code, 1);
  assert.match(out, /^http:\/\/127\.0\.0\.1:\d+\/authorize\?\S+\n$/);
  assert.ok(
    err.includes("\r\x1b[KWaiting for the sign-in in the browser: 0:03 left (Ctrl+C to cancel)"),
    JSON.stringify(err),
  );
  assert.ok(
    err.includes("\r\x1b[KWaiting for the sign-in in the browser: 0:01 left (Ctrl+C to cancel)"),
    JSON.stringify(err),
  );
  assert.ok(err.includes("\r\x1b[Kmps: Sign-in timed out"), "the countdown line is cleared before the outcome");
});
