import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { readFile } from "node:fs/promises";
import * as path from "node:path";
import process from "node:process";
import { after, before, describe, test } from "node:test";
import {
  createTokenService,
  ERR_OAUTH_NETWORK,
  ERR_OAUTH_REFRESH_FAILED,
  ERR_TOKEN_NOT_FOUND,
  OAuthError,
  TokenNotFoundError,
} from "../../src/oauth/index.ts";
import type { TokenServiceOptions } from "../../src/oauth/index.ts";
import { openTokenStore } from "../../src/storage/index.ts";
import { startAuthServer } from "../servers/index.ts";
import type { AuthServer } from "../servers/index.ts";
import { isActive, makeTokenDir, OTHER_USER, refreshWorks, USER } from "./token_fixture.ts";
import type { TokenDir } from "./token_fixture.ts";

const CHILD = path.join(import.meta.dirname ?? ".", "fixtures", "refresh_once.ts");
const noSleep = (): Promise<void> => Promise.resolve();

function runChild(configFile: string, startAt: number): Promise<{ code: number | null; out: string; err: string }> {
  const isDeno = "Deno" in globalThis;
  const args = isDeno
    ? ["run", "-A", CHILD, configFile, "local", String(startAt)]
    : [CHILD, configFile, "local", String(startAt)];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.setEncoding("utf8").on("data", (c: string) => (out += c));
    child.stderr.setEncoding("utf8").on("data", (c: string) => (err += c));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, out, err }));
  });
}

describe("token service against the local authorization server", () => {
  let auth: AuthServer;
  const dirs: TokenDir[] = [];
  const newDir = async (options?: Parameters<typeof makeTokenDir>[1]): Promise<TokenDir> => {
    const dir = await makeTokenDir(auth, options);
    dirs.push(dir);
    return dir;
  };
  const service = (dir: TokenDir, extra: Partial<TokenServiceOptions> = {}) =>
    createTokenService({
      config: dir.config,
      store: dir.store,
      fetch: globalThis.fetch.bind(globalThis),
      now: Date.now,
      sleep: noSleep,
      ...extra,
    });

  before(async () => {
    auth = await startAuthServer();
  });
  after(async () => {
    await auth.stop();
    for (const dir of dirs) await dir.remove();
  });

  test("refreshes an expired access token, stores the rotated refresh token before returning it, and the old one is rejected", async () => {
    const dir = await newDir();
    const seeded = await dir.seed("local", USER, { expired: true });
    const before = auth.counts.refresh_token;
    const token = await service(dir).getAccessToken(dir.source("local"));
    assert.equal(auth.counts.refresh_token, before + 1);
    assert.notEqual(token.accessToken, seeded.accessToken);
    assert.ok(await isActive(auth, token.accessToken));
    // A second store instance reads the file: the rotated token is already on disk.
    const onDisk = await openTokenStore({
      storageDir: dir.config.oauth.storageDir,
      keyFile: dir.config.oauth.keyFile,
      env: {},
      now: Date.now,
    })
      .read("local", USER);
    assert.equal(onDisk?.accessToken, token.accessToken);
    assert.ok(onDisk?.refreshToken !== undefined && onDisk.refreshToken !== seeded.refreshToken);
    assert.equal(
      (await refreshWorks(auth, seeded.refreshToken ?? "")).ok,
      false,
      "the old refresh token must be rejected",
    );
    const raw = await readFile(dir.store.path("local", USER), "utf8");
    assert.ok(!raw.includes(onDisk.refreshToken) && !raw.includes(token.accessToken), "no token in clear in the file");
  });

  test("reuses a valid access token and refreshes one that expires after 2 seconds transparently", async () => {
    const dir = await newDir();
    auth.setAccessTokenLifetime(2);
    try {
      const seeded = await dir.seed("local", USER);
      const tokens = service(dir, { refreshAheadMs: 300 });
      const start = auth.counts.refresh_token;
      const first = await tokens.getAccessToken(dir.source("local"));
      assert.equal(first.accessToken, seeded.accessToken);
      assert.equal(auth.counts.refresh_token, start, "a valid token is not refreshed");
      await new Promise((resolve) => setTimeout(resolve, 2100));
      const second = await tokens.getAccessToken(dir.source("local"));
      assert.notEqual(second.accessToken, first.accessToken);
      assert.equal(auth.counts.refresh_token, start + 1);
      assert.ok(await isActive(auth, second.accessToken));
      assert.equal(tokens.status("local").state, "ok");
      assert.equal(tokens.status("local").accessTokenExpiresAt, second.expiresAt);
    } finally {
      auth.setAccessTokenLifetime(3600);
    }
  });

  test("concurrent callers in one process share one refresh", async () => {
    const dir = await newDir();
    await dir.seed("local", USER, { expired: true });
    const tokens = service(dir);
    const start = auth.counts.refresh_token;
    const results = await Promise.all(Array.from({ length: 5 }, () => tokens.getAccessToken(dir.source("local"))));
    assert.equal(auth.counts.refresh_token, start + 1);
    assert.equal(new Set(results.map((r) => r.accessToken)).size, 1);
  });

  test("two processes refreshing the same stored token at once end with one valid refresh token", async () => {
    const dir = await newDir();
    const seeded = await dir.seed("local", USER, { expired: true });
    const start = auth.counts.refresh_token;
    const startAt = Date.now() + 1500; // both children are loaded by then
    const [a, b] = await Promise.all([runChild(dir.configFile, startAt), runChild(dir.configFile, startAt)]);
    assert.equal(a.code, 0, `first child failed: ${a.out} ${a.err}`);
    assert.equal(b.code, 0, `second child failed: ${b.out} ${b.err}`);
    const [ra, rb] = [JSON.parse(a.out) as { digest: string }, JSON.parse(b.out) as { digest: string }];
    assert.equal(ra.digest, rb.digest, "the second process used the tokens the first one stored");
    assert.equal(auth.counts.refresh_token, start + 1, "only one refresh reached the server");
    const stored = await dir.store.read("local", USER);
    assert.ok(stored?.refreshToken !== undefined && stored.refreshToken !== seeded.refreshToken);
    const check = await refreshWorks(auth, stored.refreshToken);
    assert.equal(check.ok, true, `the stored refresh token must still work: ${JSON.stringify(check.body)}`);
  });

  test("a revoked refresh token puts the source into needs-login with the AADSTS code", async () => {
    const dir = await newDir();
    const seeded = await dir.seed("local", USER, { expired: true });
    auth.revokeRefreshTokens(USER);
    const tokens = service(dir);
    const error = await tokens.getAccessToken(dir.source("local")).then(() => undefined, (e: unknown) => e);
    assert.ok(error instanceof OAuthError);
    assert.equal(error.code, ERR_OAUTH_REFRESH_FAILED);
    assert.equal(error.aadsts, 50173);
    assert.match(error.message, /^Cannot refresh access token/);
    assert.match(error.fix ?? "", /mps reset-storage --user print@contoso\.com.*mps login Local print@contoso\.com/);
    assert.ok(
      !error.message.includes(seeded.refreshToken ?? "") && !(error.fix ?? "").includes(seeded.refreshToken ?? ""),
    );
    const status = tokens.status("local");
    assert.equal(status.state, "needs-login");
    assert.equal(status.lastError?.code, ERR_OAUTH_REFRESH_FAILED);
    assert.equal(status.lastError?.aadsts, 50173);
  });

  test("an injected AADSTS700082 answer (refresh token inactive) means needs-login", async () => {
    const dir = await newDir();
    await dir.seed("local", USER, { expired: true });
    auth.failNext("token", {
      error: "invalid_grant",
      error_description: "AADSTS700082: The refresh token has expired due to inactivity.",
    });
    const tokens = service(dir);
    await assert.rejects(tokens.getAccessToken(dir.source("local")), {
      code: ERR_OAUTH_REFRESH_FAILED,
      aadsts: 700082,
    });
    assert.equal(tokens.status("local").state, "needs-login");
    assert.equal(tokens.status("local").lastError?.aadsts, 700082);
  });

  test("a 503 from the token endpoint is retried and then succeeds", async () => {
    const dir = await newDir();
    await dir.seed("local", USER, { expired: true });
    auth.failNext("token", {
      error: "temporarily_unavailable",
      error_description: "AADSTS90033: A transient error has occurred.",
      status: 503,
    });
    const waits: number[] = [];
    const tokens = service(dir, {
      sleep: (ms) => {
        waits.push(ms);
        return Promise.resolve();
      },
    });
    const token = await tokens.getAccessToken(dir.source("local"));
    assert.ok(await isActive(auth, token.accessToken));
    assert.deepEqual(waits, [1000]);
  });

  test("a source without stored tokens names the users that have some and the login command", async () => {
    const dir = await newDir();
    await dir.seed("local", OTHER_USER);
    const tokens = service(dir);
    const error = await tokens.getAccessToken(dir.source("nobody")).then(() => undefined, (e: unknown) => e);
    assert.ok(error instanceof TokenNotFoundError);
    assert.equal(error.code, ERR_TOKEN_NOT_FOUND);
    assert.match(error.message, /^Could not retrieve an access token from the OAuth storage/);
    assert.match(error.fix ?? "", /'scan@contoso\.com'/);
    assert.match(error.fix ?? "", /mps login Local nobody@contoso\.com/);
    assert.equal(tokens.status("nobody").state, "needs-login");
  });

  test("keep-alive refreshes a refresh token older than the limit even when the access token is valid", async () => {
    const dir = await newDir();
    const seeded = await dir.seed("local", USER);
    const tokens = service(dir);
    assert.equal(
      await tokens.refreshIfOlderThan(dir.source("local"), 60_000),
      false,
      "a fresh sign-in needs no keep-alive",
    );
    assert.equal(await tokens.refreshIfOlderThan(dir.source("local"), 0), true);
    const stored = await dir.store.read("local", USER);
    assert.notEqual(stored?.refreshToken, seeded.refreshToken);
    assert.equal((await refreshWorks(auth, stored?.refreshToken ?? "")).ok, true);
  });

  test("a Microsoft source refreshes at the authority's token endpoint with the IMAP scopes", async () => {
    const dir = await newDir();
    await dir.seed("microsoft", USER, { expired: true });
    const token = await service(dir).getAccessToken(dir.source("ms"));
    assert.ok(await isActive(auth, token.accessToken));
    const last = auth.requests.token.at(-1);
    assert.equal(last?.["grant_type"], "refresh_token");
    assert.equal(
      last?.["scope"],
      "https://outlook.office.com/IMAP.AccessAsUser.All offline_access openid profile email",
    );
  });
});

describe("app-only tokens by client credentials", () => {
  let auth: AuthServer;
  const dirs: TokenDir[] = [];
  before(async () => {
    auth = await startAuthServer();
  });
  after(async () => {
    await auth.stop();
    for (const dir of dirs) await dir.remove();
  });
  const service = (dir: TokenDir) =>
    createTokenService({
      config: dir.config,
      store: dir.store,
      fetch: globalThis.fetch.bind(globalThis),
      now: Date.now,
      sleep: noSleep,
    });

  test("gets an app token with the client secret, caches it encrypted under the mailbox name, and reuses it", async () => {
    const dir = await makeTokenDir(auth);
    dirs.push(dir);
    const tokens = service(dir);
    const start = auth.counts.client_credentials;
    const first = await tokens.getAccessToken(dir.source("app"));
    const again = await tokens.getAccessToken(dir.source("app"));
    assert.equal(auth.counts.client_credentials, start + 1);
    assert.equal(again.accessToken, first.accessToken);
    const last = auth.requests.token.at(-1);
    assert.equal(last?.["scope"], "https://outlook.office365.com/.default");
    assert.equal(last?.["client_secret"], auth.clientSecret);
    const raw = await readFile(dir.store.path("microsoft", USER), "utf8");
    assert.ok(!raw.includes(first.accessToken));
    assert.equal((await dir.store.read("microsoft", USER))?.["grant"], "client_credentials");
    // A new service (a new process) reuses the stored token.
    assert.equal((await service(dir).getAccessToken(dir.source("app"))).accessToken, first.accessToken);
    assert.equal(auth.counts.client_credentials, start + 1);
    // No userName: stored as 'app'.
    await service(dir).getAccessToken(dir.source("app-noname"));
    assert.equal((await dir.store.read("microsoft", "app"))?.["grant"], "client_credentials");
  });

  test("never overwrites a delegated sign-in stored under the same mailbox name", async () => {
    const dir = await makeTokenDir(auth);
    dirs.push(dir);
    const seeded = await dir.seed("microsoft", USER);
    const token = await service(dir).getAccessToken(dir.source("app"));
    assert.notEqual(token.accessToken, seeded.accessToken);
    assert.equal((await dir.store.read("microsoft", USER))?.refreshToken, seeded.refreshToken);
  });

  test("a wrong client secret is reported with AADSTS7000215 and the renewal fix", async () => {
    const dir = await makeTokenDir(auth, { microsoftSecret: "wrong-secret" });
    dirs.push(dir);
    const tokens = service(dir);
    await assert.rejects(tokens.getAccessToken(dir.source("app")), (error: unknown) => {
      assert.ok(error instanceof OAuthError);
      assert.equal(error.code, "ERR_OAUTH_CLIENT_SECRET");
      assert.equal(error.aadsts, 7000215);
      assert.match(error.message, /^Client secret could not be retrieved/);
      assert.match(error.fix ?? "", /clientSecretExpires/);
      assert.ok(!error.message.includes("wrong-secret"));
      return true;
    });
    assert.equal(tokens.status("app").state, "error");
    assert.equal(tokens.status("app").lastError?.aadsts, 7000215);
  });

  test("a Microsoft provider without a client secret is a clear config error", async () => {
    const dir = await makeTokenDir(auth, { microsoftSecret: undefined });
    dirs.push(dir);
    await assert.rejects(service(dir).getAccessToken(dir.source("app")), {
      code: "ERR_OAUTH_NO_CLIENT_SECRET",
      message: /provider 'Microsoft' \(config line \d+\) has no clientSecret/,
    });
  });
});

describe("token service when the authorization server is down", () => {
  test("retries network errors three times with backoff, then reports ERR_OAUTH_NETWORK", async () => {
    const auth = await startAuthServer();
    const dir = await makeTokenDir(auth);
    try {
      await dir.seed("microsoft", USER, { expired: true });
      await auth.stop();
      const waits: number[] = [];
      const tokens = createTokenService({
        config: dir.config,
        store: dir.store,
        fetch: globalThis.fetch.bind(globalThis),
        now: Date.now,
        sleep: (ms) => {
          waits.push(ms);
          return Promise.resolve();
        },
      });
      await assert.rejects(tokens.getAccessToken(dir.source("ms")), (error: unknown) => {
        assert.ok(error instanceof OAuthError);
        assert.equal(error.code, ERR_OAUTH_NETWORK);
        assert.match(error.fix ?? "", new RegExp(`network, proxy and firewall .*127\\.0\\.0\\.1:${auth.port}`));
        return true;
      });
      assert.deepEqual(waits, [1000, 2000]);
      assert.equal(tokens.status("ms").state, "error");
      assert.ok(
        (await dir.store.read("microsoft", USER))?.refreshToken !== undefined,
        "tokens are kept for the next try",
      );
    } finally {
      await dir.remove();
    }
  });
});
