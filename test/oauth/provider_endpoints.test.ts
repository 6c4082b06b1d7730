import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { after, before, describe, test } from "node:test";
import * as oauth from "oauth4webapi";
import type { Config, EmailSource, OAuthProvider } from "../../src/config/index.ts";
import {
  findProvider,
  MICROSOFT_APP_SCOPES,
  MICROSOFT_DELEGATED_SCOPES,
  providerForSource,
  ProviderResolveError,
  resolveProvider,
  UnknownProviderError,
} from "../../src/oauth/index.ts";
import { startAuthServer } from "../servers/index.ts";
import type { AuthServer } from "../servers/index.ts";

const TID = "72f988bf-86f1-41af-91ab-2d7cd011db47";

function provider(overrides: Partial<OAuthProvider>): OAuthProvider {
  return {
    name: "Microsoft",
    id: "microsoft",
    kind: "microsoft",
    line: 9,
    clientId: "app-id",
    clientSecret: undefined,
    clientSecretExpiresAt: undefined,
    tenant: undefined,
    authority: undefined,
    issuer: undefined,
    scopes: undefined,
    ...overrides,
  };
}

const noFetch: typeof globalThis.fetch = () => Promise.reject(new Error("no network in this test"));

/** What a client authentication method adds to a token request body. */
async function authParams(auth: oauth.ClientAuth): Promise<Record<string, string>> {
  const body = new URLSearchParams();
  await auth({ issuer: "https://x/" }, { client_id: "app-id" }, body, new Headers());
  return Object.fromEntries(body);
}

function unsignedIdToken(claims: Record<string, unknown>): string {
  const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
  return `${part({ alg: "RS256", typ: "JWT" })}.${part(claims)}.c2lnbmF0dXJl`;
}

function tokenResponse(idToken: string): Response {
  return new Response(
    JSON.stringify({ access_token: "at-123456", token_type: "Bearer", expires_in: 3600, id_token: idToken }),
    {
      status: 200,
      headers: { "content-type": "application/json" },
    },
  );
}

describe("resolveProvider", () => {
  test("Microsoft defaults to the organizations authority, the IMAP scopes and a public client", async () => {
    const r = await resolveProvider(provider({}), { fetch: noFetch });
    assert.equal(r.as.authorization_endpoint, "https://login.microsoftonline.com/organizations/oauth2/v2.0/authorize");
    assert.equal(r.as.token_endpoint, "https://login.microsoftonline.com/organizations/oauth2/v2.0/token");
    assert.equal(
      r.as.device_authorization_endpoint,
      "https://login.microsoftonline.com/organizations/oauth2/v2.0/devicecode",
    );
    assert.equal(r.as.issuer, "https://login.microsoftonline.com/organizations/v2.0");
    assert.deepEqual(r.delegatedScopes, [
      "https://outlook.office.com/IMAP.AccessAsUser.All",
      "offline_access",
      "openid",
      "profile",
      "email",
    ]);
    assert.deepEqual(r.appScopes, ["https://outlook.office365.com/.default"]);
    assert.deepEqual(r.client, { client_id: "app-id" });
    assert.deepEqual(await authParams(r.clientAuth), { client_id: "app-id" });
    assert.equal(r.fetchOptions[oauth.allowInsecureRequests], undefined);
  });

  test("Microsoft uses the tenant, a client secret by client_secret_post, and an authority override", async () => {
    const tenant = await resolveProvider(provider({ tenant: "contoso.onmicrosoft.com", clientSecret: "s3cret" }), {
      fetch: noFetch,
    });
    assert.equal(
      tenant.as.token_endpoint,
      "https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/token",
    );
    assert.deepEqual(await authParams(tenant.clientAuth), { client_id: "app-id", client_secret: "s3cret" });
    const sovereign = await resolveProvider(
      provider({ authority: "https://login.microsoftonline.us/contoso/oauth2/v2.0" }),
      { fetch: noFetch },
    );
    assert.equal(sovereign.as.authorization_endpoint, "https://login.microsoftonline.us/contoso/oauth2/v2.0/authorize");
    assert.equal(sovereign.as.issuer, "https://login.microsoftonline.us/contoso/v2.0");
  });

  test("Google has its built-in endpoints and the full-mail scope", async () => {
    const r = await resolveProvider(provider({ name: "Google", id: "google", kind: "google", clientSecret: "g" }), {
      fetch: noFetch,
    });
    assert.equal(r.as.authorization_endpoint, "https://accounts.google.com/o/oauth2/v2/auth");
    assert.equal(r.as.token_endpoint, "https://oauth2.googleapis.com/token");
    assert.equal(r.as.device_authorization_endpoint, "https://oauth2.googleapis.com/device/code");
    assert.deepEqual(r.delegatedScopes, ["https://mail.google.com/", "openid", "email"]);
    assert.deepEqual(r.appScopes, []);
  });

  test("scopes in the config override the delegated scopes of any provider", async () => {
    const r = await resolveProvider(
      provider({ scopes: ["openid", "offline_access", "https://outlook.office.com/IMAP.AccessAsUser.All"] }),
      { fetch: noFetch },
    );
    assert.deepEqual(r.delegatedScopes, [
      "openid",
      "offline_access",
      "https://outlook.office.com/IMAP.AccessAsUser.All",
    ]);
    assert.deepEqual(r.appScopes, MICROSOFT_APP_SCOPES);
    assert.notDeepEqual(r.delegatedScopes, MICROSOFT_DELEGATED_SCOPES);
  });

  test("accepts an ID token from Entra's multi-tenant issuer for organizations, and only that one", async () => {
    const r = await resolveProvider(provider({}), { fetch: noFetch });
    const now = Math.floor(Date.now() / 1000);
    const claims = {
      iss: `https://login.microsoftonline.com/${TID}/v2.0`,
      aud: "app-id",
      tid: TID,
      sub: "s",
      iat: now,
      exp: now + 3600,
    };
    const good = tokenResponse(unsignedIdToken(claims));
    const result = await oauth.processRefreshTokenResponse(await r.asForResponse(good), r.client, good);
    assert.equal(oauth.getValidatedIdTokenClaims(result)?.["tid"], TID);

    const plain = tokenResponse(unsignedIdToken(claims));
    await assert.rejects(
      oauth.processRefreshTokenResponse(r.as, r.client, plain),
      { code: oauth.JWT_CLAIM_COMPARISON },
      "without asForResponse oauth4webapi rejects the tenant issuer",
    );

    const forged = tokenResponse(unsignedIdToken({ ...claims, iss: "https://evil.example/v2.0" }));
    await assert.rejects(oauth.processRefreshTokenResponse(await r.asForResponse(forged), r.client, forged), {
      code: oauth.JWT_CLAIM_COMPARISON,
    });
  });

  test("an unusable authority is a clear error naming the provider's line", async () => {
    await assert.rejects(
      resolveProvider(provider({ authority: "not a url" }), { fetch: noFetch }),
      (error: unknown) => {
        assert.ok(error instanceof ProviderResolveError);
        assert.match(error.message, /provider 'Microsoft' \(config line 9\): authority 'not a url\/' is not a URL/);
        return true;
      },
    );
  });
});

describe("resolveProvider with OIDC discovery", () => {
  let auth: AuthServer;
  before(async () => {
    auth = await startAuthServer();
  });
  after(() => auth.stop());

  test("finds the endpoints of any other provider by discovery and allows http only for a loopback issuer", async () => {
    const r = await resolveProvider(provider({ name: "Local", id: "local", kind: "oidc", issuer: auth.issuer }), {
      fetch: globalThis.fetch.bind(globalThis),
    });
    assert.equal(r.as.token_endpoint, auth.tokenEndpoint);
    assert.equal(r.as.device_authorization_endpoint, auth.deviceAuthorizationEndpoint);
    assert.deepEqual(r.delegatedScopes, ["openid", "email", "offline_access"]);
    assert.equal(r.fetchOptions[oauth.allowInsecureRequests], true);
  });

  test("a discovery failure says which issuer and how to fix it", async () => {
    const wrong = `${auth.issuer}nothing/`;
    await assert.rejects(
      resolveProvider(provider({ name: "Local", id: "local", kind: "oidc", issuer: wrong }), {
        fetch: globalThis.fetch.bind(globalThis),
      }),
      (error: unknown) => {
        assert.ok(error instanceof ProviderResolveError);
        assert.ok(error.message.includes(`${wrong}.well-known/openid-configuration`));
        assert.match(error.fix ?? "", /trailing '\/' included/);
        return true;
      },
    );
  });
});

describe("findProvider and providerForSource", () => {
  const config = {
    displayPath: "conf/mps.config",
    oauth: {
      providers: [provider({}), provider({ name: "Local", id: "local", kind: "oidc", issuer: "http://127.0.0.1:1/" })],
    },
  } as unknown as Config;

  test("finds a provider case-insensitively", () => {
    assert.equal(findProvider(config, "MICROSOFT").name, "Microsoft");
    assert.equal(findProvider(config, "local").name, "Local");
  });

  test("an unknown provider is an error listing the defined ones", () => {
    assert.throws(() => findProvider(config, "Okta"), (error: unknown) => {
      assert.ok(error instanceof UnknownProviderError);
      assert.equal(error.code, "ERR_OAUTH_UNKNOWN_PROVIDER");
      assert.equal(
        error.message,
        "OAuth provider 'Okta' is not defined in 'conf/mps.config' (defined: 'Microsoft', 'Local')",
      );
      assert.match(error.fix ?? "", /<provider name="Okta" clientId="…"\/>/);
      return true;
    });
  });

  test("a password source has no provider", () => {
    const source = { name: "plain", line: 4, type: "Imap", provider: undefined } as unknown as EmailSource;
    assert.throws(() => providerForSource(config, source), /does not sign in with OAuth/);
    const ms = { name: "ms", line: 5, type: "ImapOAuthMicrosoft", provider: "microsoft" } as unknown as EmailSource;
    assert.equal(providerForSource(config, ms).id, "microsoft");
  });
});
