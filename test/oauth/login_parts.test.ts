import assert from "node:assert/strict";
import { test } from "node:test";
import type { OAuthProvider } from "../../src/config/index.ts";
import { callbackPage } from "../../src/oauth/callback_page.ts";
import {
  AccountUnknownError,
  authorizationUrl,
  checkAccount,
  loginLoopback,
  LoopbackPortError,
  resolveProvider,
  WrongAccountError,
} from "../../src/oauth/index.ts";
import { browserCommand, serveHttp } from "../../src/runtime/index.ts";

function provider(kind: OAuthProvider["kind"], extra: Partial<OAuthProvider> = {}): OAuthProvider {
  return {
    name: kind === "microsoft" ? "Microsoft" : kind === "google" ? "Google" : "Local",
    id: kind === "oidc" ? "local" : kind,
    kind,
    line: 3,
    clientId: "client-1",
    clientSecret: undefined,
    clientSecretExpiresAt: undefined,
    tenant: undefined,
    authority: undefined,
    issuer: undefined,
    scopes: undefined,
    ...extra,
  };
}

const noFetch: typeof globalThis.fetch = () => Promise.reject(new Error("no network in this test"));
const input = {
  redirectUri: "http://localhost:5000/",
  username: "Print@Contoso.com",
  state: "s1",
  nonce: "n1",
  codeChallenge: "c1",
};

test("accepts the account named by preferred_username, email or upn, in any case", () => {
  checkAccount({ preferred_username: "PRINT@contoso.com" }, "print@contoso.com");
  checkAccount({ preferred_username: "alias@contoso.com", email: "print@contoso.com" }, "Print@Contoso.com");
  checkAccount({ upn: "print@contoso.com" }, " print@contoso.com ");
});

test("refuses another account with the exact sentence that tells the admin what to do", () => {
  assert.throws(
    () => checkAccount({ preferred_username: "x@contoso.com", email: "x@contoso.com" }, "y@contoso.com"),
    (error: unknown) => {
      assert.ok(error instanceof WrongAccountError);
      assert.equal(error.code, "ERR_OAUTH_WRONG_ACCOUNT");
      assert.equal(
        error.message,
        "Signed in as 'x@contoso.com' but 'y@contoso.com' was asked for: sign out of 'x@contoso.com' in the browser (or use a private window) and run login again",
      );
      return true;
    },
  );
});

test("refuses to store tokens when no ID token names the account", () => {
  assert.throws(() => checkAccount(undefined, "y@contoso.com"), AccountUnknownError);
  assert.throws(() => checkAccount({ sub: "abc" }, "y@contoso.com"), AccountUnknownError);
});

test("escapes every value on the browser page", () => {
  const html = callbackPage({ ok: false, title: `<b>"T"</b>`, lines: [`a & b <img src=x onerror=alert(1)> 'q'`] });
  assert.ok(!html.includes("<img") && !html.includes("<b>"));
  assert.ok(html.includes("&#60;b&#62;&#34;T&#34;&#60;/b&#62;"));
  assert.ok(html.includes("a &#38; b &#60;img src=x onerror=alert(1)&#62; &#39;q&#39;"));
});

test("asks Microsoft for select_account with the login hint, PKCE S256, state and nonce", async () => {
  const resolved = await resolveProvider(provider("microsoft", { tenant: "contoso.onmicrosoft.com" }), {
    fetch: noFetch,
  });
  const url = authorizationUrl(resolved, input);
  assert.equal(
    url.origin + url.pathname,
    "https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/authorize",
  );
  const p = url.searchParams;
  assert.equal(p.get("prompt"), "select_account");
  assert.equal(p.get("login_hint"), "Print@Contoso.com");
  assert.equal(p.get("code_challenge_method"), "S256");
  assert.equal(p.get("redirect_uri"), "http://localhost:5000/");
  assert.equal(p.get("state"), "s1");
  assert.equal(p.get("nonce"), "n1");
  assert.equal(p.get("access_type"), null);
  assert.equal(p.get("scope"), "https://outlook.office.com/IMAP.AccessAsUser.All offline_access openid profile email");
});

test("asks Google for offline access and consent so that a refresh token comes back", async () => {
  const resolved = await resolveProvider(provider("google"), { fetch: noFetch });
  const p = authorizationUrl(resolved, input).searchParams;
  assert.equal(p.get("access_type"), "offline");
  assert.equal(p.get("prompt"), "select_account consent");
});

test("adds openid to configured scopes that lack it, since the account check needs the ID token", async () => {
  const resolved = await resolveProvider(
    provider("microsoft", { scopes: ["https://outlook.office.com/IMAP.AccessAsUser.All", "offline_access"] }),
    { fetch: noFetch },
  );
  assert.equal(
    authorizationUrl(resolved, input).searchParams.get("scope"),
    "openid https://outlook.office.com/IMAP.AccessAsUser.All offline_access",
  );
});

test("opens the browser with xdg-open, open or rundll32 url.dll (by absolute path, no cmd)", () => {
  const url = "https://login.example/authorize?a=1&b=%25MPS_STORAGE_KEY%25";
  assert.deepEqual(browserCommand(url, "linux"), { command: "xdg-open", args: [url] });
  assert.deepEqual(browserCommand(url, "darwin"), { command: "open", args: [url] });
  assert.deepEqual(browserCommand(url, "win32", { SystemRoot: "D:\\WINNT" }), {
    command: "D:\\WINNT\\System32\\rundll32.exe",
    args: ["url.dll,FileProtocolHandler", url],
  });
});

test("serves on a free 127.0.0.1 port and closes", async () => {
  const served = await serveHttp(() => new Response("hello"), { port: 0 });
  assert.equal(served.hostname, "127.0.0.1");
  assert.ok(served.port > 0);
  assert.equal(await (await fetch(`http://127.0.0.1:${served.port}/`)).text(), "hello");
  await served.close();
  await served.close();
  await assert.rejects(fetch(`http://127.0.0.1:${served.port}/`));
});

test("says which port is taken when --port names one in use", async () => {
  const busy = await serveHttp(() => new Response("busy"));
  try {
    const resolved = await resolveProvider(provider("microsoft"), { fetch: noFetch });
    await assert.rejects(
      loginLoopback({
        resolved,
        username: "print@contoso.com",
        port: busy.port,
        timeoutMs: 1000,
        now: () => Date.now(),
        signal: new AbortController().signal,
        onAuthorizationUrl: () => Promise.resolve(),
        save: () => Promise.reject(new Error("never saved")),
      }),
      (error: unknown) => {
        assert.ok(error instanceof LoopbackPortError);
        assert.match(
          error.message,
          new RegExp(`Cannot listen for the sign-in redirect on 127\\.0\\.0\\.1:${busy.port}: EADDRINUSE`),
        );
        assert.match(error.fix ?? "", new RegExp(`Free port ${busy.port}`));
        return true;
      },
    );
  } finally {
    await busy.close();
  }
});
