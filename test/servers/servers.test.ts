import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { after, before, test } from "node:test";
import { ImapFlow } from "imapflow";
import { decodeJwt } from "jose";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import {
  type AuthServer,
  checkMetrics,
  type DovecotServer,
  launchChromium,
  redeem,
  scriptedLogin,
  startAuthServer,
  startDovecot,
} from "./index.ts";

const USER = "print@example.test";
const DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code";
const message = (subject: string): string =>
  `From: sender@example.test\r\nTo: ${USER}\r\nSubject: ${subject}\r\nMessage-ID: <${
    subject.replace(/\W/g, "")
  }@example.test>\r\n\r\nHello.\r\n`;

let auth: AuthServer;
let dovecot: DovecotServer; // offers PLAIN XOAUTH2 OAUTHBEARER
let outlookLike: DovecotServer; // offers PLAIN XOAUTH2, as Outlook does
const startedAt = performance.now();

before(async () => {
  let t = performance.now();
  auth = await startAuthServer({ deviceInterval: 1 });
  const authMs = performance.now() - t;
  t = performance.now();
  [dovecot, outlookLike] = await Promise.all([
    startDovecot({ introspectionUrl: auth.introspectionUrl, users: { "alice@example.test": "alice-password" } }),
    startDovecot({ introspectionUrl: auth.introspectionUrl, mechanisms: "plain xoauth2" }),
  ]);
  console.log(
    `# auth server started in ${authMs.toFixed(0)} ms; two Dovecots in ${(performance.now() - t).toFixed(0)} ms`,
  );
});

after(async () => {
  await Promise.all([dovecot?.dispose(), outlookLike?.dispose(), auth?.stop()]);
  console.log(`# servers.test.ts ran in ${(performance.now() - startedAt).toFixed(0)} ms`);
});

type LoginResult = { ok: true; mechanism: string; client: ImapFlow } | {
  ok: false;
  code: string | undefined;
  error: Error;
};

/** Logs in over implicit TLS with the test CA; the caller logs out a successful client. */
async function imapLogin(
  server: DovecotServer,
  user: string,
  auth: { accessToken: string } | { pass: string },
): Promise<LoginResult> {
  const client = new ImapFlow({
    host: server.host,
    port: server.tlsPort,
    secure: true,
    tls: { ca: server.caPem },
    logger: false,
    auth: { user, ...auth },
  });
  try {
    await client.connect();
  } catch (error) {
    return { ok: false, code: (error as { serverResponseCode?: string }).serverResponseCode, error: error as Error };
  }
  const used = (client as unknown as { authCapabilities: Map<string, boolean> }).authCapabilities;
  // imapflow marks the mechanism it authenticated with as true.
  const mechanism = [...used].find(([k, v]) => v && k.startsWith("AUTH="))?.[0] ?? "AUTH=?";
  return { ok: true, mechanism: mechanism.slice(5), client };
}

async function assertRefused(server: DovecotServer, user: string, accessToken: string): Promise<void> {
  const result = await imapLogin(server, user, { accessToken });
  if (result.ok) await result.client.logout();
  assert.equal(result.ok, false, `Dovecot accepted the token for ${user}`);
  assert.equal(result.ok ? "" : result.code, "AUTHENTICATIONFAILED");
}

test("signs in with OAUTHBEARER over TLS, appends a message and lists it", async () => {
  const tokens = await scriptedLogin(auth, { username: USER });
  const login = await imapLogin(dovecot, USER, { accessToken: tokens.access_token });
  assert.ok(login.ok, login.ok ? "" : String(login.error));
  assert.equal(login.mechanism, "OAUTHBEARER");
  try {
    await login.client.append("INBOX", message("appended by the user"));
    await dovecot.appendMessage(USER, message("seeded by the test"));
    const lock = await login.client.getMailboxLock("INBOX");
    try {
      const subjects: string[] = [];
      for await (const msg of login.client.fetch("1:*", { envelope: true })) subjects.push(msg.envelope?.subject ?? "");
      assert.deepEqual(subjects, ["appended by the user", "seeded by the test"]);
    } finally {
      lock.release();
    }
  } finally {
    await login.client.logout();
  }
  assert.ok(existsSync(dovecot.mailDir(USER)), "the maildir is where mailDir() says");
  assert.deepEqual((await dovecot.logins()).filter((l) => l.user === USER).map((l) => l.method).slice(0, 1), [
    "OAUTHBEARER",
  ]);
});

test("signs in with XOAUTH2 when the server offers only PLAIN and XOAUTH2, as Outlook does", async () => {
  const tokens = await scriptedLogin(auth, { username: USER });
  const login = await imapLogin(outlookLike, USER, { accessToken: tokens.access_token });
  assert.ok(login.ok, login.ok ? "" : String(login.error));
  assert.equal(login.mechanism, "XOAUTH2");
  await login.client.logout();
  assert.deepEqual(await outlookLike.logins(), [{ user: USER, method: "XOAUTH2" }]);
});

test("refuses a token of another user with AUTHENTICATIONFAILED on both mechanisms", async () => {
  const other = await scriptedLogin(auth, { username: "someone.else@example.test" });
  // Each refusal takes ~0.5 s (Dovecot flushes auth failures on a 500 ms timer): run them together.
  await Promise.all([
    assertRefused(dovecot, USER, other.access_token),
    assertRefused(outlookLike, USER, other.access_token),
  ]);
});

test("refuses an expired token and a revoked token with AUTHENTICATIONFAILED", async () => {
  auth.setAccessTokenLifetime(1);
  const short = await scriptedLogin(auth, { username: USER });
  auth.setAccessTokenLifetime(3600);
  assert.equal(short.expires_in, 1);
  const first = await imapLogin(dovecot, USER, { accessToken: short.access_token });
  assert.ok(first.ok, "the token works before it expires");
  await first.client.logout();
  const revoked = await auth.issueAccessToken(USER);
  auth.revokeAccessTokens(USER);
  const exp = decodeJwt(short.access_token).exp ?? 0;
  const expired = async (): Promise<void> => {
    await new Promise((r) => setTimeout(r, Math.max(0, exp * 1000 - Date.now()) + 50));
    await assertRefused(dovecot, USER, short.access_token);
  };
  await Promise.all([expired(), assertRefused(outlookLike, USER, revoked)]);
});

test("rotates refresh tokens: the new one works, the old one is invalid_grant AADSTS70008", async () => {
  const tokens = await scriptedLogin(auth, { username: USER });
  assert.ok(tokens.refresh_token);
  const next = await redeem(auth, { grant_type: "refresh_token", refresh_token: tokens.refresh_token });
  assert.ok(next.refresh_token && next.refresh_token !== tokens.refresh_token);
  await assert.rejects(
    redeem(auth, { grant_type: "refresh_token", refresh_token: tokens.refresh_token }),
    (e: { body: Record<string, string> }) => {
      assert.equal(e.body["error"], "invalid_grant");
      assert.match(e.body["error_description"] ?? "", /^AADSTS70008:/);
      return true;
    },
  );
  const third = await redeem(auth, { grant_type: "refresh_token", refresh_token: next.refresh_token });
  auth.revokeRefreshTokens(USER);
  await assert.rejects(
    redeem(auth, { grant_type: "refresh_token", refresh_token: third.refresh_token ?? "" }),
    /AADSTS50173/,
  );
  const noOffline = await scriptedLogin(auth, {
    username: USER,
    scope: "openid https://outlook.office.com/IMAP.AccessAsUser.All",
  });
  assert.equal(noOffline.refresh_token, undefined, "no refresh token without offline_access");
});

test("puts the nonce and the signed-in user into the ID token", async () => {
  const tokens = await scriptedLogin(auth, { username: "Typed.Name@example.test", nonce: "n-123" });
  const id = decodeJwt(tokens.id_token ?? "");
  assert.equal(id["nonce"], "n-123");
  assert.equal(id["preferred_username"], "Typed.Name@example.test");
  assert.equal(id.iss, auth.issuer);
  assert.ok(auth.issuer.endsWith("/"));
  const discovery = await (await fetch(`${auth.issuer}.well-known/openid-configuration`)).json() as Record<
    string,
    unknown
  >;
  assert.equal(discovery["issuer"], auth.issuer);
  assert.equal(discovery["device_authorization_endpoint"], auth.deviceAuthorizationEndpoint);
});

test("checks the PKCE verifier and redeems a code only once (AADSTS54005)", async () => {
  const state = "s1";
  const verifier = "a-verifier-of-at-least-43-characters-for-rfc7636";
  const page = await fetch(`${auth.authorizationEndpoint}?${
    new URLSearchParams({
      client_id: auth.clientId,
      response_type: "code",
      redirect_uri: "http://localhost:1/",
      scope: "openid",
      state,
      code_challenge: createHash("sha256").update(verifier).digest("base64url"),
      code_challenge_method: "S256",
    }).toString()
  }`);
  const txn = /name="txn" value="([^"]+)"/.exec(await page.text())?.[1] ?? "";
  const back = await fetch(auth.authorizationEndpoint, {
    method: "POST",
    redirect: "manual",
    body: new URLSearchParams({ txn, username: USER, action: "approve" }),
  });
  const location = new URL(back.headers.get("location") ?? "");
  assert.equal(location.searchParams.get("state"), state);
  const code = location.searchParams.get("code") ?? "";
  const params = { grant_type: "authorization_code", code, redirect_uri: "http://localhost:1/" };
  await assert.rejects(
    redeem(auth, { ...params, code_verifier: "wrong-verifier-wrong-verifier-wrong-verifier" }),
    /AADSTS501481/,
  );
  await redeem(auth, { ...params, code_verifier: verifier });
  await assert.rejects(redeem(auth, { ...params, code_verifier: verifier }), /invalid_grant: AADSTS54005/);
});

test("fails the next authorize and token responses with the error a test sets", async () => {
  auth.failNext("authorize", {
    error: "consent_required",
    error_description: "AADSTS65001: The user or administrator has not consented.",
  });
  const page = await fetch(
    `${auth.authorizationEndpoint}?${
      new URLSearchParams({
        client_id: auth.clientId,
        response_type: "code",
        redirect_uri: "http://localhost:1/cb",
        state: "st",
        code_challenge: "x",
        code_challenge_method: "S256",
      }).toString()
    }`,
    { redirect: "manual" },
  );
  const location = new URL(page.headers.get("location") ?? "");
  assert.equal(location.pathname, "/cb");
  assert.equal(location.searchParams.get("error"), "consent_required");
  assert.match(location.searchParams.get("error_description") ?? "", /^AADSTS65001/);
  assert.equal(location.searchParams.get("state"), "st");

  const tokens = await scriptedLogin(auth, { username: USER });
  auth.failNext("token", {
    error: "invalid_grant",
    error_description: "AADSTS700082: The refresh token has expired due to inactivity.",
  });
  await assert.rejects(
    redeem(auth, { grant_type: "refresh_token", refresh_token: tokens.refresh_token ?? "" }),
    /AADSTS700082/,
  );
  await redeem(auth, { grant_type: "refresh_token", refresh_token: tokens.refresh_token ?? "" });
});

test("client credentials check the secret and give an app token good for the granted mailbox", async () => {
  const before = auth.counts.client_credentials;
  const scope = "https://outlook.office365.com/.default";
  await assert.rejects(
    redeem(auth, { grant_type: "client_credentials", client_secret: "wrong", scope }),
    (e: { status: number; body: Record<string, string> }) => {
      assert.equal(e.status, 401);
      assert.equal(e.body["error"], "invalid_client");
      assert.match(e.body["error_description"] ?? "", /^AADSTS7000215: Invalid client secret provided/);
      return true;
    },
  );
  const app = await redeem(auth, { grant_type: "client_credentials", client_secret: auth.clientSecret, scope });
  assert.equal(app.refresh_token, undefined);
  assert.equal(auth.counts.client_credentials, before + 2);
  await assertRefused(outlookLike, USER, app.access_token);
  auth.setAppMailbox(USER);
  const login = await imapLogin(outlookLike, USER, { accessToken: app.access_token });
  auth.setAppMailbox(undefined);
  assert.ok(login.ok, "the app token opens the granted mailbox");
  await login.client.logout();
});

test("device code flow answers pending, slow_down, access_denied and then tokens", async () => {
  const start = async (): Promise<
    { device_code: string; user_code: string; interval: number; verification_uri: string }
  > => {
    const response = await fetch(auth.deviceAuthorizationEndpoint, {
      method: "POST",
      body: new URLSearchParams({ client_id: auth.clientId, scope: "openid offline_access" }),
    });
    return await response.json() as {
      device_code: string;
      user_code: string;
      interval: number;
      verification_uri: string;
    };
  };
  const poll = (deviceCode: string): Promise<string> =>
    redeem(auth, { grant_type: DEVICE_GRANT, device_code: deviceCode }).then(
      (t) => `tokens for ${String(decodeJwt(t.access_token)["email"])}`,
      (e: { body: Record<string, string> }) => e.body["error"] ?? "",
    );
  const denied = await start();
  assert.equal(denied.interval, 1);
  assert.equal(await poll(denied.device_code), "authorization_pending");
  assert.equal(await poll(denied.device_code), "slow_down");
  auth.denyDevice(denied.user_code);
  assert.equal(await poll(denied.device_code), "access_denied");

  const approved = await start();
  const form = await fetch(approved.verification_uri, {
    method: "POST",
    body: new URLSearchParams({ user_code: approved.user_code, username: USER, action: "approve" }),
  });
  assert.equal(form.status, 200);
  assert.equal(await poll(approved.device_code), `tokens for ${USER}`);
  assert.equal(await poll(approved.device_code), "invalid_grant", "a device code is redeemed once");
});

test("password logins work for users of the password passdb and fail with a wrong password", async () => {
  const ok = await imapLogin(dovecot, "alice@example.test", { pass: "alice-password" });
  assert.ok(ok.ok);
  assert.equal(ok.mechanism, "PLAIN");
  await ok.client.logout();
  const [bad] = await Promise.all([
    imapLogin(dovecot, "alice@example.test", { pass: "wrong" }),
    dovecot.setPassword("bob@example.test", "bob-password"),
  ]);
  assert.equal(bad.ok ? "ok" : bad.code, "AUTHENTICATIONFAILED");
  const bob = await imapLogin(dovecot, "bob@example.test", { pass: "bob-password" });
  assert.ok(bob.ok, "a user added at run time can log in");
  await bob.client.logout();
});

test("restarts Dovecot on the same ports with the mail kept", async () => {
  const folder = "Printed";
  await outlookLike.appendMessage(USER, message("kept across restart"), folder);
  const port = outlookLike.tlsPort;
  await outlookLike.stop();
  const refused = await imapLogin(outlookLike, USER, { pass: "x" });
  assert.equal(refused.ok, false, "nothing listens after stop");
  await outlookLike.start();
  assert.equal(outlookLike.tlsPort, port);
  assert.deepEqual((await outlookLike.listMessages(USER, folder)).map((m) => m.subject), ["kept across restart"]);
});

test("a certificate made for a wrong host name fails TLS verification", async () => {
  const wrong = await startDovecot({ certHosts: ["wrong.example.test"] });
  try {
    const result = await imapLogin(wrong, USER, { pass: "x" });
    assert.equal(result.ok, false);
    assert.equal(result.ok ? "" : (result.error as Error & { code?: string }).code, "ERR_TLS_CERT_ALTNAME_INVALID");
  } finally {
    await wrong.dispose();
  }
});

test("Chromium signs in through the login form as the user typed, not the login_hint", async () => {
  const callbacks: string[] = [];
  const loopback = createServer((req, res) => {
    callbacks.push(req.url ?? "");
    res.end("You can close this window.");
  });
  await new Promise<void>((resolve) => loopback.listen(0, "127.0.0.1", resolve));
  const redirectUri = `http://localhost:${(loopback.address() as AddressInfo).port}/`;
  const browser = await launchChromium();
  try {
    const page = await browser.context.newPage();
    const verifier = "chromium-verifier-chromium-verifier-chromium-verifier";
    await page.goto(`${auth.authorizationEndpoint}?${
      new URLSearchParams({
        client_id: auth.clientId,
        response_type: "code",
        redirect_uri: redirectUri,
        scope: "openid email",
        state: "b1",
        code_challenge: createHash("sha256").update(verifier).digest("base64url"),
        code_challenge_method: "S256",
        login_hint: USER,
        prompt: "select_account",
      }).toString()
    }`);
    assert.equal(await page.inputValue("#username"), USER);
    await page.fill("#username", "wrong.account@example.test");
    await Promise.all([page.waitForURL((url) => url.href.startsWith(redirectUri)), page.click("#submit")]);
    const back = new URL(page.url());
    assert.equal(back.searchParams.get("state"), "b1");
    assert.ok(callbacks.some((c) => c.includes("code=")), "the loopback server got the code");
    const tokens = await redeem(auth, {
      grant_type: "authorization_code",
      code: back.searchParams.get("code") ?? "",
      redirect_uri: redirectUri,
      code_verifier: verifier,
    });
    assert.equal(decodeJwt(tokens.id_token ?? "")["email"], "wrong.account@example.test");
  } finally {
    await browser.close();
    loopback.closeAllConnections();
    await new Promise((resolve) => loopback.close(resolve));
  }
});

test("promtool accepts well-formed metrics and reports missing help text", async () => {
  const good = await checkMetrics(
    '# HELP mps_jobs_total Jobs.\n# TYPE mps_jobs_total counter\nmps_jobs_total{source="a"} 1\n',
  );
  assert.deepEqual([good.ok, good.exitCode], [true, 0]);
  const lint = await checkMetrics('mps_jobs_total{source="a"} 1\n');
  assert.equal(lint.ok, false);
  assert.match(lint.output, /no help text/);
});
