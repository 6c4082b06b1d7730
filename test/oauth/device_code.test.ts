import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { after, before, test } from "node:test";
import { loadConfig } from "../../src/config/index.ts";
import { findProvider, loginDeviceCode, resolveProvider } from "../../src/oauth/index.ts";
import type { DeviceCodePrompt } from "../../src/oauth/index.ts";
import type { StoredTokens } from "../../src/storage/index.ts";
import { startAuthServer } from "../servers/index.ts";
import type { AuthServer } from "../servers/index.ts";
import { fileContains, makeLoginDir } from "./login_fixture.ts";
import type { LoginDir } from "./login_fixture.ts";

const USER = "print@example.test";
const OTHER = "other@example.test";

let auth: AuthServer;
let shortLived: AuthServer;
const dirs: LoginDir[] = [];

async function newDir(issuer = auth.issuer): Promise<LoginDir> {
  const dir = await makeLoginDir(issuer);
  dirs.push(dir);
  return dir;
}

/** The code stands alone on its line of stdout, after the verification URL. */
const CODE_LINE = /^([A-Z2-9]{9})$/m;

before(async () => {
  auth = await startAuthServer({ deviceInterval: 1 });
  shortLived = await startAuthServer({ deviceInterval: 1, deviceCodeLifetime: 2 });
});

after(async () => {
  for (const dir of dirs) await dir.remove();
  await auth?.stop();
  await shortLived?.stop();
});

test("signs in with --device-code once the code is approved, and stores the tokens encrypted", async () => {
  const d = await newDir();
  const polledBefore = auth.counts.device_code;
  const mps = d.login(USER, ["--device-code"]);
  const code = (await mps.waitFor("stdout", CODE_LINE))[1] ?? "";
  assert.ok(
    mps.stdout().includes(`open ${auth.issuer}device in a browser on any device and enter the code:\n${code}\n`),
    mps.stdout(),
  );
  await mps.waitFor("stderr", /Waiting up to \d+ s for the sign-in with the code/);
  auth.approveDevice(code, USER);
  const result = await mps.exited;
  assert.equal(result.code, 0, result.stderr);
  const file = d.tokenFile(USER);
  assert.ok(
    result.stdout.includes(`Signed in as ${USER} with provider 'Local'.\nTokens stored encrypted in '${file}'.\n`),
    result.stdout,
  );
  const tokens = await d.readTokens(USER);
  assert.ok(tokens?.accessToken !== undefined && tokens.refreshToken !== undefined);
  assert.equal(tokens.idTokenClaims?.preferred_username, USER);
  assert.ok(!(await fileContains(file, tokens.accessToken)) && !(await fileContains(file, tokens.refreshToken)));
  assert.ok(auth.counts.device_code - polledBefore >= 1);
});

test("refuses a device sign-in approved by another account and stores nothing", async () => {
  const d = await newDir();
  const mps = d.login(USER, ["--device-code"]);
  const code = (await mps.waitFor("stdout", CODE_LINE))[1] ?? "";
  auth.approveDevice(code, OTHER);
  const result = await mps.exited;
  assert.equal(result.code, 1);
  assert.ok(
    result.stderr.includes(
      `Signed in as '${OTHER}' but '${USER}' was asked for: sign out of '${OTHER}' in the browser (or use a private window) and run login again\n`,
    ),
    result.stderr,
  );
  assert.ok(!existsSync(d.storageDir));
});

test("stops with access_denied when the sign-in is denied on the verification page", async () => {
  const d = await newDir();
  const mps = d.login(USER, ["--device-code"]);
  const code = (await mps.waitFor("stdout", CODE_LINE))[1] ?? "";
  auth.denyDevice(code);
  const result = await mps.exited;
  assert.equal(result.code, 1);
  assert.match(
    result.stderr,
    /mps: The sign-in was cancelled or access was denied \(provider 'Local', user 'print@example\.test'\): access_denied: AADSTS70000/,
  );
  assert.match(result.stderr, /Fix: Run `mps login Local print@example\.test` again/);
  assert.ok(!existsSync(d.storageDir));
});

test("reports an expired device code when nobody enters it in time", async () => {
  const d = await newDir(shortLived.issuer);
  const mps = d.login(USER, ["--device-code"]);
  await mps.waitFor("stdout", CODE_LINE);
  const result = await mps.exited;
  assert.equal(result.code, 1);
  assert.match(
    result.stderr,
    /mps: The device code expired before the sign-in was completed \(provider 'Local', user 'print@example\.test'\): expired_token/,
  );
  assert.match(result.stderr, /Fix: Run `mps login Local print@example\.test --device-code` again/);
  assert.ok(!existsSync(d.storageDir));
});

test("ends the device wait at --timeout when that comes before the code expires", async () => {
  const d = await newDir();
  const mps = d.login(USER, ["--device-code", "--timeout", "1.5"]);
  const result = await mps.exited;
  assert.equal(result.code, 1);
  assert.match(
    result.stderr,
    /mps: Sign-in timed out: the device sign-in was not completed within 1\.5 s\nFix: .*--timeout SECONDS \(at most 900 s/,
  );
});

test("stops polling on Ctrl+C and stores nothing", async () => {
  const d = await newDir();
  const mps = d.login(USER, ["--device-code"]);
  await mps.waitFor("stdout", CODE_LINE);
  mps.kill("SIGINT");
  const result = await mps.exited;
  // Deno's node:child_process reports a signalled child as killed (code null) even when it exited 1.
  if (!("Deno" in globalThis)) assert.equal(result.code, 1);
  assert.match(result.stderr, /mps: Sign-in cancelled: nothing was stored/);
  assert.ok(!existsSync(d.storageDir));
});

test("polls at the server's interval and waits 5 s longer after slow_down", async () => {
  const d = await newDir();
  const config = await loadConfig(d.config, { env: {} });
  const resolved = await resolveProvider(findProvider(config, "local"), { fetch: globalThis.fetch });
  let clock = Date.now();
  const sleeps: number[] = [];
  let prompt: DeviceCodePrompt | undefined;
  let saved: StoredTokens | undefined;
  const polledBefore = auth.counts.device_code;
  const outcome = await loginDeviceCode({
    resolved,
    username: USER,
    timeoutMs: undefined,
    now: () => clock,
    signal: new AbortController().signal,
    onCode: (shown) => {
      prompt = shown;
    },
    // No real waiting: the server sees the second poll too soon and answers slow_down.
    sleep: (ms) => {
      sleeps.push(ms);
      clock += ms;
      const polls = auth.counts.device_code - polledBefore;
      if (polls === 2 && prompt !== undefined && sleeps.length === 3) auth.approveDevice(prompt.userCode, USER);
      return Promise.resolve();
    },
    save: (tokens) => {
      saved = tokens;
      return Promise.resolve("/nowhere");
    },
  });
  assert.equal(outcome.account, USER);
  assert.equal(saved?.idTokenClaims?.email, USER);
  assert.equal(auth.counts.device_code - polledBefore, 3, "pending, slow_down, approved");
  // 1 s before each of the first two polls, then 1 + 5 s (in 1 s steps, for the countdown).
  assert.deepEqual(sleeps, [1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000]);
});
