import { createHash } from "node:crypto";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import { type Context, Hono } from "hono";
import { E, oauthError, type OAuthErrorReply, randomUserCode, redirectWith, replyFailure } from "./auth_http.ts";
import { devicePage, loginPage, messagePage } from "./auth_pages.ts";
import { checkClientAssertion } from "./auth_assertion.ts";
import { createTokenSigner, randomToken } from "./auth_tokens.ts";

export type { OAuthErrorReply } from "./auth_http.ts";
export type FailEndpoint = "authorize" | "token" | "device";

export type AuthServerOptions = {
  /** The one registered application; default `mps`. Other ids get AADSTS700016. */
  clientId?: string;
  /** Its secret for client_credentials (and for confidential use); default `mps-test-secret`. */
  clientSecret?: string;
  /** Access token lifetime in seconds; default 3600. */
  accessTokenLifetime?: number;
  /** A refresh token unused this long (seconds) expires (AADSTS700082); default 90 days. */
  refreshTokenInactiveLifetime?: number;
  /** `aud` of access tokens; default `https://outlook.office.com`. */
  audience?: string;
  /** Device flow polling interval in seconds (default 5) and code lifetime (default 900). */
  deviceInterval?: number;
  deviceCodeLifetime?: number;
  /** Refuse authorization requests without PKCE S256 (default true). */
  requirePkce?: boolean;
  /** The mailbox app-only (client_credentials) tokens are good for; see `setAppMailbox`. */
  appMailbox?: string;
  /** Certificates (PEM) uploaded to the app: client assertions signed with their keys are accepted. */
  clientCertificates?: string[];
};

export type AuthServerCounts = {
  authorize: number;
  authorization_code: number;
  refresh_token: number;
  client_credentials: number;
  device_code: number;
  device_authorization: number;
  introspect: number;
};

export type AuthServer = {
  /** `http://127.0.0.1:PORT/` (ends with `/`). Endpoints are relative to it. */
  issuer: string;
  port: number;
  clientId: string;
  clientSecret: string;
  authorizationEndpoint: string;
  tokenEndpoint: string;
  deviceAuthorizationEndpoint: string;
  introspectionUrl: string;
  /** Requests seen so far, per endpoint and grant type (live object). */
  counts: AuthServerCounts;
  /** Parameters of every authorize and token request, in order (secrets included). */
  requests: { authorize: Array<Record<string, string>>; token: Array<Record<string, string>> };
  /** The next response of that endpoint is this error (authorize: redirect back with it). */
  failNext(endpoint: FailEndpoint, error: OAuthErrorReply): void;
  /** Revokes every refresh token of the user (next use: invalid_grant AADSTS50173). */
  revokeRefreshTokens(user: string): void;
  /** Introspection answers inactive for every access token issued so far to the user. */
  revokeAccessTokens(user: string): void;
  setAccessTokenLifetime(seconds: number): void;
  /**
   * Dovecot's introspection request carries only the token, not the login name, so
   * app-only tokens are reported as belonging to this mailbox (like an Exchange mailbox
   * permission for the app). Undefined: app-only tokens are inactive.
   */
  setAppMailbox(mailbox: string | undefined): void;
  approveDevice(userCode: string, username: string): void;
  denyDevice(userCode: string): void;
  /** Uploads a certificate (PEM) to the app: assertions signed with its key are accepted from now on. */
  uploadCertificate(pem: string): void;
  /** A signed access token for `user` without any flow (a token from another user, say). */
  issueAccessToken(user: string, lifetimeSeconds?: number): Promise<string>;
  stop(): Promise<void>;
};

type CodeGrant = {
  user: string;
  clientId: string;
  redirectUri: string;
  scope: string;
  nonce: string | undefined;
  challenge: string | undefined;
  expiresAt: number;
  used: boolean;
};
type RefreshGrant = {
  user: string;
  clientId: string;
  scope: string;
  lastUsedAt: number;
  state: "active" | "rotated" | "revoked";
};
type DeviceGrant = {
  deviceCode: string;
  clientId: string;
  scope: string;
  expiresAt: number;
  interval: number;
  lastPollAt: number | undefined;
  state: "pending" | "approved" | "denied" | "redeemed";
  user: string | undefined;
};

const DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code";

/** Starts a local OAuth 2.0 / OIDC authorization server that behaves like Entra where it matters. */
export async function startAuthServer(options: AuthServerOptions = {}): Promise<AuthServer> {
  const clientId = options.clientId ?? "mps";
  const clientSecret = options.clientSecret ?? "mps-test-secret";
  const audience = options.audience ?? "https://outlook.office.com";
  const requirePkce = options.requirePkce ?? true;
  const refreshInactiveMs = (options.refreshTokenInactiveLifetime ?? 90 * 86400) * 1000;
  let accessLifetime = options.accessTokenLifetime ?? 3600;
  let appMailbox = options.appMailbox;
  const uploaded = [...(options.clientCertificates ?? [])];
  const codes = new Map<string, CodeGrant>();
  const refreshTokens = new Map<string, RefreshGrant>();
  const devices = new Map<string, DeviceGrant>(); // by user code
  const transactions = new Map<string, Record<string, string>>(); // login form → authorize params
  const accessTokens = new Map<string, string>(); // jti → user
  const revokedJtis = new Set<string>();
  const failures = new Map<FailEndpoint, OAuthErrorReply>();
  const counts: AuthServerCounts = {
    authorize: 0,
    authorization_code: 0,
    refresh_token: 0,
    client_credentials: 0,
    device_code: 0,
    device_authorization: 0,
    introspect: 0,
  };
  const requests: AuthServer["requests"] = { authorize: [], token: [] };
  const same = (a: string, b: string): boolean => a.toLowerCase() === b.toLowerCase();

  const app = new Hono();
  // Set once the server listens (the issuer needs the port), before any request can come.
  let issuer = "";
  // deno-lint-ignore prefer-const -- assigned once the server listens (the issuer needs the port)
  let signer: Awaited<ReturnType<typeof createTokenSigner>>;

  /** `refresh`: issue a refresh token (default: when the scope has offline_access, as Entra does). */
  const tokenResponse = async (
    c: Context,
    user: string | undefined,
    scope: string,
    extra: { nonce?: string | undefined; refresh?: boolean } = {},
  ): Promise<Response> => {
    const at = await signer.accessToken({ user, clientId, scope, audience, lifetimeSeconds: accessLifetime });
    accessTokens.set(at.jti, user ?? "");
    const body: Record<string, string | number> = {
      token_type: "Bearer",
      scope,
      expires_in: accessLifetime,
      ext_expires_in: accessLifetime,
      access_token: at.token,
    };
    const scopes = scope.split(/\s+/);
    if (user !== undefined && (extra.refresh ?? scopes.includes("offline_access"))) {
      const rt = randomToken(48);
      refreshTokens.set(rt, { user, clientId, scope, lastUsedAt: Date.now(), state: "active" });
      body["refresh_token"] = rt;
    }
    if (user !== undefined && scopes.includes("openid")) {
      body["id_token"] = await signer.idToken(user, clientId, extra.nonce);
    }
    c.header("Cache-Control", "no-store");
    return c.json(body);
  };

  app.get("/.well-known/openid-configuration", (c) =>
    c.json({
      issuer,
      authorization_endpoint: `${issuer}authorize`,
      token_endpoint: `${issuer}token`,
      device_authorization_endpoint: `${issuer}devicecode`,
      introspection_endpoint: `${issuer}introspect`,
      jwks_uri: `${issuer}discovery/keys`,
      response_types_supported: ["code"],
      response_modes_supported: ["query"],
      grant_types_supported: ["authorization_code", "refresh_token", "client_credentials", DEVICE_GRANT],
      code_challenge_methods_supported: ["S256"],
      token_endpoint_auth_methods_supported: ["none", "client_secret_post", "client_secret_basic", "private_key_jwt"],
      subject_types_supported: ["pairwise"],
      id_token_signing_alg_values_supported: ["RS256"],
      scopes_supported: ["openid", "profile", "email", "offline_access"],
      claims_supported: [
        "sub",
        "iss",
        "aud",
        "exp",
        "iat",
        "nonce",
        "email",
        "preferred_username",
        "name",
        "oid",
        "tid",
      ],
    }));
  app.get("/discovery/keys", (c) => c.json(signer.jwks));

  app.get("/authorize", (c) => {
    counts.authorize++;
    const p = c.req.query();
    requests.authorize.push(p);
    if (p["client_id"] !== clientId) {
      return c.html(
        messagePage(
          "Sign in failed",
          `AADSTS700016: Application with identifier '${p["client_id"] ?? ""}' was not found in the directory.`,
        ),
        400,
      );
    }
    const redirectUri = p["redirect_uri"];
    if (redirectUri === undefined || !URL.canParse(redirectUri)) {
      return c.html(messagePage("Sign in failed", "AADSTS900971: No reply address provided."), 400);
    }
    const back = (error: string, description: string): Response =>
      redirectWith(c, redirectUri, { error, error_description: description, state: p["state"] });
    const failure = failures.get("authorize");
    if (failure !== undefined) {
      failures.delete("authorize");
      return back(failure.error, failure.error_description);
    }
    if (p["response_type"] !== "code") {
      return back(
        "unsupported_response_type",
        `AADSTS700054: response_type '${p["response_type"] ?? ""}' is not enabled for the application.`,
      );
    }
    if (p["code_challenge"] !== undefined && p["code_challenge_method"] !== "S256") {
      return back("invalid_request", "AADSTS501491: Invalid code_challenge_method: only S256 is accepted here.");
    }
    if (requirePkce && p["code_challenge"] === undefined) {
      return back(
        "invalid_request",
        "AADSTS9002325: Proof Key for Code Exchange is required for cross-origin authorization code redemption.",
      );
    }
    const txn = randomToken(16);
    transactions.set(txn, p);
    return c.html(loginPage({ txn, loginHint: p["login_hint"] ?? "", clientId, scope: p["scope"] ?? "" }));
  });

  app.post("/authorize", async (c) => {
    const form = await c.req.parseBody();
    const txn = String(form["txn"] ?? "");
    const p = transactions.get(txn);
    if (p === undefined) {
      return c.html(messagePage("Sign in failed", "AADSTS90015: The sign-in session expired. Start again."), 400);
    }
    const redirectUri = p["redirect_uri"] ?? "";
    if (form["action"] === "cancel") {
      transactions.delete(txn);
      return redirectWith(c, redirectUri, {
        error: "access_denied",
        error_description: "AADSTS65004: User declined to consent to access the app.",
        state: p["state"],
      });
    }
    const user = String(form["username"] ?? "").trim();
    if (user === "") {
      return c.html(
        loginPage({ txn, loginHint: "", clientId, scope: p["scope"] ?? "", error: "Enter a user name." }),
        400,
      );
    }
    transactions.delete(txn);
    const code = randomToken(32);
    codes.set(code, {
      user,
      clientId,
      redirectUri,
      scope: p["scope"] ?? "",
      nonce: p["nonce"],
      challenge: p["code_challenge"],
      expiresAt: Date.now() + 600_000,
      used: false,
    });
    return redirectWith(c, redirectUri, { code, state: p["state"], session_state: randomToken(8) });
  });

  /** Client authentication; returns the error response, or the secret sent and whether an assertion was. */
  const authenticateClient = async (
    c: Context,
    p: Record<string, string>,
  ): Promise<Response | { secret: string | undefined; assertion: boolean }> => {
    let id = p["client_id"];
    let secret = p["client_secret"];
    const basic = /^Basic\s+(.+)$/i.exec(c.req.header("authorization") ?? "");
    if (basic?.[1] !== undefined) {
      const [bid = "", bsecret = ""] = Buffer.from(basic[1], "base64").toString().split(":");
      id = decodeURIComponent(bid);
      secret = decodeURIComponent(bsecret);
    }
    if (id !== clientId) {
      return oauthError(
        c,
        "unauthorized_client",
        `AADSTS700016: Application with identifier '${id ?? ""}' was not found in the directory.`,
      );
    }
    if (secret !== undefined && secret !== clientSecret) {
      return oauthError(c, "invalid_client", `${E.badSecret} '${clientId}'.`, 401);
    }
    if (p["client_assertion"] !== undefined) {
      const refused = await checkClientAssertion(p, uploaded, clientId, `${issuer}token`);
      if (refused !== undefined) return oauthError(c, "invalid_client", refused, 401);
      return { secret, assertion: true };
    }
    return { secret, assertion: false };
  };

  app.post("/token", async (c) => {
    const p = Object.fromEntries(new URLSearchParams(await c.req.text()));
    requests.token.push(p);
    const grant = p["grant_type"] ?? "";
    if (grant === "authorization_code" || grant === "refresh_token" || grant === "client_credentials") counts[grant]++;
    if (grant === DEVICE_GRANT) counts.device_code++;
    const failure = failures.get("token");
    if (failure !== undefined) {
      failures.delete("token");
      return replyFailure(c, failure);
    }
    const client = await authenticateClient(c, p);
    if (client instanceof Response) return client;
    const now = Date.now();

    if (grant === "authorization_code") {
      const g = codes.get(p["code"] ?? "");
      if (g === undefined) return oauthError(c, "invalid_grant", E.badRequest);
      if (g.used) return oauthError(c, "invalid_grant", E.codeRedeemed);
      if (now > g.expiresAt) return oauthError(c, "invalid_grant", E.expired);
      if (p["redirect_uri"] !== g.redirectUri) {
        return oauthError(
          c,
          "invalid_grant",
          `AADSTS50011: The redirect URI '${
            p["redirect_uri"] ?? ""
          }' does not match the one of the authorization request.`,
        );
      }
      if (g.challenge !== undefined) {
        const verifier = p["code_verifier"];
        const hashed = verifier === undefined ? undefined : createHash("sha256").update(verifier).digest("base64url");
        if (hashed !== g.challenge) return oauthError(c, "invalid_grant", E.pkce);
      }
      g.used = true;
      return tokenResponse(c, g.user, g.scope, { nonce: g.nonce });
    }

    if (grant === "refresh_token") {
      const old = p["refresh_token"] ?? "";
      const g = refreshTokens.get(old);
      if (g === undefined || g.clientId !== clientId) return oauthError(c, "invalid_grant", E.badRequest);
      if (g.state === "revoked") return oauthError(c, "invalid_grant", E.revoked);
      if (g.state === "rotated") return oauthError(c, "invalid_grant", E.expired);
      if (now - g.lastUsedAt > refreshInactiveMs) return oauthError(c, "invalid_grant", E.refreshInactive);
      g.state = "rotated";
      return tokenResponse(c, g.user, p["scope"] ?? g.scope, { refresh: true });
    }

    if (grant === "client_credentials") {
      if (client.secret === undefined && !client.assertion) return oauthError(c, "invalid_client", E.noSecret, 401);
      const scope = p["scope"] ?? "";
      if (scope === "") {
        return oauthError(
          c,
          "invalid_request",
          "AADSTS90014: The required field 'scope' is missing from the credential.",
        );
      }
      if (!scope.split(/\s+/).every((s) => s.endsWith("/.default"))) {
        return oauthError(
          c,
          "invalid_scope",
          `AADSTS1002012: The provided value for scope ${scope} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).`,
        );
      }
      return tokenResponse(c, undefined, scope);
    }

    if (grant === DEVICE_GRANT) {
      const g = [...devices.values()].find((d) => d.deviceCode === p["device_code"]);
      if (g === undefined) return oauthError(c, "invalid_grant", E.badRequest);
      if (g.state === "redeemed") return oauthError(c, "invalid_grant", E.codeRedeemed);
      if (now > g.expiresAt) return oauthError(c, "expired_token", "AADSTS70019: Verification code expired.");
      if (g.state === "denied") {
        return oauthError(c, "access_denied", "AADSTS70000: The user denied the authorization request.");
      }
      if (g.state === "pending") {
        const tooSoon = g.lastPollAt !== undefined && now - g.lastPollAt < g.interval * 1000 - 50;
        g.lastPollAt = now;
        if (tooSoon) {
          g.interval += 5; // RFC 8628 section 3.5
          return oauthError(c, "slow_down", "AADSTS70016: OAuth 2.0 device flow error. Polling too fast: slow down.");
        }
        return oauthError(
          c,
          "authorization_pending",
          "AADSTS70016: OAuth 2.0 device flow error. Authorization is pending. Continue polling.",
        );
      }
      g.state = "redeemed";
      return tokenResponse(c, g.user, g.scope);
    }
    return oauthError(
      c,
      "unsupported_grant_type",
      `AADSTS70003: The app requested an unsupported grant type '${grant}'.`,
    );
  });

  app.post("/devicecode", async (c) => {
    counts.device_authorization++;
    const p = Object.fromEntries(new URLSearchParams(await c.req.text()));
    const failure = failures.get("device");
    if (failure !== undefined) {
      failures.delete("device");
      return replyFailure(c, failure);
    }
    const client = await authenticateClient(c, p);
    if (client instanceof Response) return client;
    const lifetime = options.deviceCodeLifetime ?? 900;
    const interval = options.deviceInterval ?? 5;
    const userCode = randomUserCode();
    const deviceCode = randomToken(48);
    devices.set(userCode, {
      deviceCode,
      clientId,
      scope: p["scope"] ?? "",
      expiresAt: Date.now() + lifetime * 1000,
      interval,
      lastPollAt: undefined,
      state: "pending",
      user: undefined,
    });
    const verificationUri = `${issuer}device`;
    return c.json({
      device_code: deviceCode,
      user_code: userCode,
      verification_uri: verificationUri,
      expires_in: lifetime,
      interval,
      message:
        `To sign in, use a web browser to open the page ${verificationUri} and enter the code ${userCode} to authenticate.`,
    });
  });

  const decideDevice = (userCode: string, user: string | undefined): DeviceGrant => {
    const g = devices.get(userCode.trim().toUpperCase());
    if (g === undefined || g.state !== "pending" || Date.now() > g.expiresAt) {
      throw new Error(`No pending device sign-in has the code '${userCode}'`);
    }
    g.state = user === undefined ? "denied" : "approved";
    g.user = user;
    return g;
  };

  app.get("/device", (c) => c.html(devicePage({ userCode: c.req.query("user_code") ?? "" })));
  app.post("/device", async (c) => {
    const form = await c.req.parseBody();
    const userCode = String(form["user_code"] ?? "");
    const user = String(form["username"] ?? "").trim();
    const deny = form["action"] === "deny";
    if (!deny && user === "") return c.html(devicePage({ userCode, error: "Enter a user name." }), 400);
    try {
      decideDevice(userCode, deny ? undefined : user);
    } catch (error) {
      return c.html(devicePage({ userCode, error: (error as Error).message }), 400);
    }
    return c.html(
      messagePage(
        deny ? "Sign-in denied" : "Signed in",
        deny
          ? "You have denied the sign-in. You can close this window."
          : `You have signed in as ${user} to the application on your device. You may now close this window.`,
      ),
    );
  });

  // RFC 7662 introspection, used by Dovecot's oauth2 passdb.
  app.post("/introspect", async (c) => {
    counts.introspect++;
    const token = new URLSearchParams(await c.req.text()).get("token") ?? "";
    const payload = await signer.verify(token);
    const jti = typeof payload?.jti === "string" ? payload.jti : "";
    if (payload === undefined || revokedJtis.has(jti) || !accessTokens.has(jti)) return c.json({ active: false });
    const isApp = payload["idtyp"] === "app";
    const owner = isApp ? appMailbox : String(payload["email"] ?? "");
    if (owner === undefined) return c.json({ active: false });
    // Dovecot's passdb of a shared mailbox asks with ?mailbox=…&fullAccess=a,b: the token then
    // counts as the mailbox's when its owner is one of the users with Full Access to it.
    const mailbox = c.req.query("mailbox");
    const delegates = (c.req.query("fullAccess") ?? "").split(",").filter((name) => name !== "");
    const email = mailbox !== undefined && delegates.some((delegate) => same(delegate, owner)) ? mailbox : owner;
    return c.json({
      active: true,
      email,
      username: email,
      sub: String(payload.sub ?? ""),
      client_id: String(payload["appid"] ?? ""),
      scope: String(payload["scp"] ?? ""),
      token_type: "Bearer",
      exp: payload.exp ?? 0,
      iat: payload.iat ?? 0,
      iss: issuer,
    });
  });

  const server = serve({ fetch: app.fetch, hostname: "127.0.0.1", port: 0 }) as Server;
  await new Promise<void>((resolve, reject) => {
    if (server.listening) resolve();
    server.once("listening", () => resolve());
    server.once("error", reject);
  });
  const port = (server.address() as AddressInfo).port;
  issuer = `http://127.0.0.1:${port}/`;
  signer = await createTokenSigner(issuer);

  return {
    issuer,
    port,
    clientId,
    clientSecret,
    counts,
    requests,
    authorizationEndpoint: `${issuer}authorize`,
    tokenEndpoint: `${issuer}token`,
    deviceAuthorizationEndpoint: `${issuer}devicecode`,
    introspectionUrl: `${issuer}introspect`,
    failNext: (endpoint, error) => {
      failures.set(endpoint, error);
    },
    revokeRefreshTokens(user) {
      for (const g of refreshTokens.values()) if (same(g.user, user) && g.state === "active") g.state = "revoked";
    },
    revokeAccessTokens(user) {
      for (const [jti, owner] of accessTokens) if (same(owner, user)) revokedJtis.add(jti);
    },
    setAccessTokenLifetime: (seconds) => {
      accessLifetime = seconds;
    },
    uploadCertificate: (pem) => {
      uploaded.push(pem);
    },
    setAppMailbox: (mailbox) => {
      appMailbox = mailbox;
    },
    approveDevice: (userCode, username) => {
      decideDevice(userCode, username);
    },
    denyDevice: (userCode) => {
      decideDevice(userCode, undefined);
    },
    async issueAccessToken(user, lifetimeSeconds = accessLifetime) {
      const at = await signer.accessToken({
        user,
        clientId,
        scope: "https://outlook.office.com/IMAP.AccessAsUser.All",
        audience,
        lifetimeSeconds,
      });
      accessTokens.set(at.jti, user);
      return at.token;
    },
    stop: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}
