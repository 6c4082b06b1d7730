import assert from "node:assert/strict";
import { describe, test } from "node:test";
import * as oauth from "oauth4webapi";
import type { OAuthProvider } from "../../src/config/index.ts";
import {
  aadstsOf,
  adminConsentUrl,
  ERR_OAUTH,
  ERR_OAUTH_ACCESS_DENIED,
  ERR_OAUTH_ACCOUNT_DISABLED,
  ERR_OAUTH_ACCOUNT_NOT_IN_TENANT,
  ERR_OAUTH_APP_NOT_FOUND,
  ERR_OAUTH_CLIENT_SECRET,
  ERR_OAUTH_CODE_REUSED,
  ERR_OAUTH_CONDITIONAL_ACCESS,
  ERR_OAUTH_CONSENT_REQUIRED,
  ERR_OAUTH_DEVICE_CODE_EXPIRED,
  ERR_OAUTH_INVALID_RESPONSE,
  ERR_OAUTH_MALFORMED_REQUEST,
  ERR_OAUTH_MFA_REQUIRED,
  ERR_OAUTH_NETWORK,
  ERR_OAUTH_PASSWORD_EXPIRED,
  ERR_OAUTH_PUBLIC_CLIENT_FLOWS_OFF,
  ERR_OAUTH_REDIRECT_URI,
  ERR_OAUTH_REFRESH_FAILED,
  ERR_OAUTH_RESOURCE_NOT_IN_TENANT,
  ERR_OAUTH_SERVER,
  ERR_OAUTH_SESSION_ENDED,
  ERR_OAUTH_TENANT_NOT_FOUND,
  OAuthError,
  toOAuthError,
} from "../../src/oauth/index.ts";
import type { OAuthErrorContext } from "../../src/oauth/index.ts";
import { MpsError } from "../../src/shared/errors.ts";

const microsoft: OAuthProvider = {
  name: "Microsoft",
  id: "microsoft",
  kind: "microsoft",
  line: 12,
  clientId: "11111111-2222-3333-4444-555555555555",
  clientSecret: undefined,
  clientSecretExpiresAt: undefined,
  tenant: "contoso.onmicrosoft.com",
  authority: undefined,
  issuer: undefined,
  scopes: undefined,
};
const ctx: OAuthErrorContext = {
  provider: microsoft,
  username: "print@contoso.com",
  endpoint: "https://login.microsoftonline.com/x/oauth2/v2.0/token",
};
const as: oauth.AuthorizationServer = {
  issuer: "https://login.example/",
  token_endpoint: "https://login.example/token",
};
const client: oauth.Client = { client_id: "mps" };

function tokenErrorResponse(error: string, description: string, status = 400): Response {
  const codes = [...description.matchAll(/AADSTS(\d+)/g)].map((m) => Number(m[1]));
  return new Response(JSON.stringify({ error, error_description: description, error_codes: codes }), {
    status,
    headers: { "content-type": "application/json" },
  });
}

/** A real ResponseBodyError from oauth4webapi for this answer of the token endpoint. */
async function responseBodyError(error: string, description: string, status = 400): Promise<unknown> {
  return oauth.processRefreshTokenResponse(as, client, tokenErrorResponse(error, description, status)).then(
    () => assert.fail("expected an error"),
    (e: unknown) => e,
  );
}

const CASES: Array<[string, string, string, number | undefined, string]> = [
  [
    "consent_required",
    "AADSTS65001: The user or administrator has not consented to use the application.",
    ERR_OAUTH_CONSENT_REQUIRED,
    65001,
    "Needs admin approval",
  ],
  [
    "invalid_request",
    "AADSTS90094: The grant requires admin permission.",
    ERR_OAUTH_CONSENT_REQUIRED,
    90094,
    "Needs admin approval",
  ],
  [
    "invalid_request",
    "AADSTS90095: Admin consent is required for the permissions requested by this application.",
    ERR_OAUTH_CONSENT_REQUIRED,
    90095,
    "Needs admin approval",
  ],
  [
    "invalid_grant",
    "AADSTS700082: The refresh token has expired due to inactivity.",
    ERR_OAUTH_REFRESH_FAILED,
    700082,
    "Cannot refresh access token",
  ],
  [
    "invalid_grant",
    "AADSTS50173: The provided grant has expired due to it being revoked.",
    ERR_OAUTH_REFRESH_FAILED,
    50173,
    "Cannot refresh access token",
  ],
  [
    "invalid_grant",
    "AADSTS70043: The refresh token has expired or is invalid due to sign-in frequency checks by conditional access.",
    ERR_OAUTH_REFRESH_FAILED,
    70043,
    "Cannot refresh access token",
  ],
  [
    "invalid_grant",
    "Token has been expired or revoked.",
    ERR_OAUTH_REFRESH_FAILED,
    undefined,
    "Cannot refresh access token",
  ],
  [
    "invalid_client",
    "AADSTS7000215: Invalid client secret provided.",
    ERR_OAUTH_CLIENT_SECRET,
    7000215,
    "Client secret could not be retrieved",
  ],
  [
    "invalid_client",
    "AADSTS7000222: The provided client secret keys for app are expired.",
    ERR_OAUTH_CLIENT_SECRET,
    7000222,
    "Client secret could not be retrieved",
  ],
  [
    "unauthorized_client",
    "AADSTS700016: Application with identifier 'x' was not found in the directory 'contoso'.",
    ERR_OAUTH_APP_NOT_FOUND,
    700016,
    "The app registration was not found",
  ],
  [
    "interaction_required",
    "AADSTS50076: Due to a configuration change made by your administrator, you must use multi-factor authentication.",
    ERR_OAUTH_MFA_REQUIRED,
    50076,
    "Multi-factor authentication is required",
  ],
  [
    "interaction_required",
    "AADSTS50079: Due to a configuration change, the user is required to use multi-factor authentication.",
    ERR_OAUTH_MFA_REQUIRED,
    50079,
    "Multi-factor authentication is required",
  ],
  [
    "invalid_grant",
    "AADSTS53003: Access has been blocked by Conditional Access policies.",
    ERR_OAUTH_CONDITIONAL_ACCESS,
    53003,
    "A Conditional Access policy blocked the sign-in",
  ],
  [
    "invalid_request",
    "AADSTS50011: The redirect URI 'http://localhost:5000/' does not match the redirect URIs configured for the application.",
    ERR_OAUTH_REDIRECT_URI,
    50011,
    "The redirect URI is not registered",
  ],
  [
    "invalid_client",
    "AADSTS70004: The request contains an invalid redirect URI.",
    ERR_OAUTH_REDIRECT_URI,
    70004,
    "The redirect URI is not registered",
  ],
  [
    "invalid_grant",
    "AADSTS54005: OAuth2 Authorization code was already redeemed.",
    ERR_OAUTH_CODE_REUSED,
    54005,
    "The authorization code was already used",
  ],
  [
    "access_denied",
    "The user denied the request.",
    ERR_OAUTH_ACCESS_DENIED,
    undefined,
    "The sign-in was cancelled or access was denied",
  ],
  [
    "expired_token",
    "AADSTS70019: Verification code expired.",
    ERR_OAUTH_DEVICE_CODE_EXPIRED,
    70019,
    "The device code expired",
  ],
  [
    "invalid_client",
    "AADSTS7000218: The request body must contain the following parameter: 'client_assertion' or 'client_secret'.",
    ERR_OAUTH_PUBLIC_CLIENT_FLOWS_OFF,
    7000218,
    "The app registration does not allow public client flows",
  ],
  [
    "invalid_resource",
    "AADSTS500011: The resource principal named https://outlook.office365.com was not found in the tenant named Contoso.",
    ERR_OAUTH_RESOURCE_NOT_IN_TENANT,
    500011,
    "Exchange Online is not available in this tenant",
  ],
  [
    "invalid_request",
    "AADSTS90002: Tenant 'contoso.onmicrosoft.co' not found.",
    ERR_OAUTH_TENANT_NOT_FOUND,
    90002,
    "The tenant does not exist",
  ],
  [
    "invalid_grant",
    "AADSTS50020: User account 'print@fabrikam.com' from identity provider 'live.com' does not exist in tenant 'Contoso'.",
    ERR_OAUTH_ACCOUNT_NOT_IN_TENANT,
    50020,
    "The account does not exist in this tenant",
  ],
  [
    "invalid_grant",
    "AADSTS50034: The user account {EUII Hidden} does not exist in the contoso.com directory.",
    ERR_OAUTH_ACCOUNT_NOT_IN_TENANT,
    50034,
    "The account does not exist in this tenant",
  ],
  [
    "invalid_grant",
    "AADSTS50057: The user account is disabled.",
    ERR_OAUTH_ACCOUNT_DISABLED,
    50057,
    "The account is disabled",
  ],
  [
    "invalid_grant",
    "AADSTS50055: The password is expired.",
    ERR_OAUTH_PASSWORD_EXPIRED,
    50055,
    "The account's password has expired",
  ],
  [
    "invalid_grant",
    "AADSTS70044: The session has expired or is invalid due to sign-in frequency checks by conditional access.",
    ERR_OAUTH_SESSION_ENDED,
    70044,
    "The sign-in session has ended",
  ],
  [
    "invalid_grant",
    "AADSTS50132: The session has been revoked due to password expiry or recent password change.",
    ERR_OAUTH_SESSION_ENDED,
    50132,
    "The sign-in session has ended",
  ],
  [
    "invalid_grant",
    "AADSTS50133: Session is invalid due to expiration or recent password change.",
    ERR_OAUTH_SESSION_ENDED,
    50133,
    "The sign-in session has ended",
  ],
  [
    "invalid_request",
    "AADSTS9002313: Invalid request. Request is malformed or invalid.",
    ERR_OAUTH_MALFORMED_REQUEST,
    9002313,
    "The identity provider rejected the request as malformed",
  ],
];

describe("toOAuthError maps provider answers to known failures", () => {
  for (const [error, description, code, aadsts, title] of CASES) {
    test(`maps ${error} ${aadsts === undefined ? "without an AADSTS number" : `AADSTS${aadsts}`} to ${code}`, async () => {
      const mapped = toOAuthError(await responseBodyError(error, description), ctx);
      assert.ok(mapped instanceof OAuthError && mapped instanceof MpsError);
      assert.equal(mapped.code, code);
      assert.equal(mapped.aadsts, aadsts);
      assert.equal(mapped.error, error);
      assert.equal(mapped.status, 400);
      assert.ok(mapped.message.startsWith(title), mapped.message);
      assert.ok(mapped.message.includes("'print@contoso.com'"));
      assert.ok(mapped.cause instanceof oauth.ResponseBodyError, "the cause is kept");
      assert.ok((mapped.fix ?? "").length > 20, "a fix sentence is given");
      assert.equal(mapped.retryable, false);
    });
  }

  test("the consent fix gives the three admin options and the admin consent URL of the tenant", () => {
    const mapped = toOAuthError({ error: "consent_required", error_description: "AADSTS65001: not consented" }, ctx);
    assert.equal(mapped.code, ERR_OAUTH_CONSENT_REQUIRED);
    const fix = mapped.fix ?? "";
    assert.ok(
      fix.includes(
        "https://login.microsoftonline.com/contoso.onmicrosoft.com/adminconsent?client_id=11111111-2222-3333-4444-555555555555",
      ),
      fix,
    );
    assert.match(fix, /\(1\).*consents for the whole organisation/);
    assert.match(fix, /\(2\).*admin role/);
    assert.match(fix, /\(3\).*admin consent request workflow/);
  });

  test("the admin consent URL follows a sovereign-cloud authority and defaults to organizations", () => {
    assert.equal(
      adminConsentUrl({
        ...microsoft,
        tenant: undefined,
        authority: "https://login.microsoftonline.us/contoso/oauth2/v2.0/",
      }),
      "https://login.microsoftonline.us/organizations/adminconsent?client_id=11111111-2222-3333-4444-555555555555",
    );
  });

  test("the refresh fix names reset-storage for the user and the login command", () => {
    const mapped = toOAuthError({ error: "invalid_grant", error_description: "AADSTS700082: expired" }, ctx);
    assert.equal(
      mapped.fix,
      "The stored refresh token was revoked or expired (password change, admin revocation, 90 days unused). " +
        "Run `mps reset-storage --user print@contoso.com`, then `mps login Microsoft print@contoso.com`.",
    );
  });

  test("the redirect fix prints the URI to register and the one the login used", () => {
    const mapped = toOAuthError({ error: "invalid_request", error_description: "AADSTS50011: mismatch" }, {
      ...ctx,
      redirectUri: "http://localhost:53123/",
    });
    assert.match(
      mapped.fix ?? "",
      /redirect URI 'http:\/\/localhost' \(Entra ignores the port for localhost\); this login used 'http:\/\/localhost:53123\/'/,
    );
  });

  test("a plain invalid_grant during a login is shown verbatim, not as a refresh failure", () => {
    const mapped = toOAuthError({
      error: "invalid_grant",
      error_description: "AADSTS501481: The Code_Verifier does not match.",
    }, { ...ctx, operation: "login" });
    assert.equal(mapped.code, ERR_OAUTH);
    assert.equal(mapped.aadsts, 501481);
  });

  test("an unknown error shows error and error_description verbatim", () => {
    const description = "AADSTS9999999: Something new happened.\r\nTrace ID: abc\r\nCorrelation ID: def";
    const mapped = toOAuthError({ error: "weird_error", error_description: description }, ctx);
    assert.equal(mapped.code, ERR_OAUTH);
    assert.ok(mapped.message.includes(`error 'weird_error', error_description '${description}'`), mapped.message);
    assert.equal(mapped.aadsts, 9999999);
  });

  test("maps an authorization response error from the redirect", () => {
    let thrown: unknown;
    try {
      oauth.validateAuthResponse(
        as,
        client,
        new URLSearchParams({
          error: "consent_required",
          error_description: "AADSTS65001: The user or administrator has not consented.",
          state: "s1",
        }),
        "s1",
      );
    } catch (error) {
      thrown = error;
    }
    assert.ok(thrown instanceof oauth.AuthorizationResponseError);
    const mapped = toOAuthError(thrown, { ...ctx, operation: "login" });
    assert.equal(mapped.code, ERR_OAUTH_CONSENT_REQUIRED);
    assert.equal(mapped.aadsts, 65001);
  });

  test("maps a WWW-Authenticate challenge from the token endpoint", async () => {
    const response = new Response(JSON.stringify({ error: "invalid_client" }), {
      status: 401,
      headers: {
        "content-type": "application/json",
        "www-authenticate":
          'Basic error="invalid_client", error_description="AADSTS7000215: Invalid client secret provided."',
      },
    });
    const thrown = await oauth.processClientCredentialsResponse(as, client, response).then(
      () => undefined,
      (e: unknown) => e,
    );
    assert.ok(thrown instanceof oauth.WWWAuthenticateChallengeError);
    const mapped = toOAuthError(thrown, ctx);
    assert.equal(mapped.code, ERR_OAUTH_CLIENT_SECRET);
    assert.equal(mapped.status, 401);
    assert.equal(mapped.aadsts, 7000215);
  });

  test("a 5xx answer is a retryable server error", async () => {
    const mapped = toOAuthError(
      await responseBodyError("temporarily_unavailable", "AADSTS90033: A transient error.", 503),
      ctx,
    );
    assert.equal(mapped.code, ERR_OAUTH_SERVER);
    assert.equal(mapped.retryable, true);
    const html = await oauth.processRefreshTokenResponse(
      as,
      client,
      new Response("<html>Bad gateway</html>", { status: 502 }),
    )
      .then(() => undefined, (e: unknown) => e);
    const fromHtml = toOAuthError(html, ctx);
    assert.equal(fromHtml.code, ERR_OAUTH_SERVER);
    assert.equal(fromHtml.status, 502);
    assert.equal(fromHtml.retryable, true);
  });

  test("an answer that is not an OAuth response is ERR_OAUTH_INVALID_RESPONSE", async () => {
    const thrown = await oauth.processRefreshTokenResponse(
      as,
      client,
      new Response("not json", { status: 200, headers: { "content-type": "text/plain" } }),
    )
      .then(() => undefined, (e: unknown) => e);
    assert.ok(thrown instanceof oauth.OperationProcessingError);
    const mapped = toOAuthError(thrown, ctx);
    assert.equal(mapped.code, ERR_OAUTH_INVALID_RESPONSE);
    assert.equal(mapped.cause, thrown);
  });

  test("a fetch failure is ERR_OAUTH_NETWORK naming the token endpoint host", () => {
    const failure = new TypeError("fetch failed", {
      cause: Object.assign(new Error("connect ECONNREFUSED 1.2.3.4:443"), { code: "ECONNREFUSED" }),
    });
    const mapped = toOAuthError(failure, ctx);
    assert.equal(mapped.code, ERR_OAUTH_NETWORK);
    assert.equal(mapped.retryable, true);
    assert.match(mapped.message, /at login\.microsoftonline\.com .*ECONNREFUSED/);
    assert.equal(
      mapped.fix,
      "Check the network, proxy and firewall between this machine and login.microsoftonline.com (HTTPS, port 443).",
    );
    const deno = toOAuthError(
      new TypeError("error sending request for url (https://x/token): connection refused"),
      ctx,
    );
    assert.equal(deno.code, ERR_OAUTH_NETWORK);
    const timeout = toOAuthError(new DOMException("The operation was aborted due to timeout", "TimeoutError"), ctx);
    assert.equal(timeout.code, ERR_OAUTH_NETWORK);
  });

  test("anything else is ERR_OAUTH with the cause kept", () => {
    const cause = new Error("boom");
    const mapped = toOAuthError(cause, ctx);
    assert.equal(mapped.code, ERR_OAUTH);
    assert.equal(mapped.cause, cause);
    assert.equal(toOAuthError(mapped, ctx), mapped, "an OAuthError is passed through");
  });

  test("reads the AADSTS number from error_codes or the description", () => {
    assert.equal(aadstsOf([50173], undefined), 50173);
    assert.equal(aadstsOf(undefined, "AADSTS700082: x"), 700082);
    assert.equal(aadstsOf(undefined, "no number"), undefined);
  });
});

describe("the fixes of the sign-in failures name what the admin changes", () => {
  const fixOf = (description: string, error = "invalid_grant") =>
    toOAuthError({ error, error_description: description }, ctx).fix ?? "";

  test("public client flows off says where the switch is", () => {
    assert.match(
      fixOf("AADSTS7000218: client_assertion or client_secret", "invalid_client"),
      /Allow public client flows' to Yes/,
    );
  });

  test('a disabled account points a shared mailbox\'s admin to mailbox="…" with a delegate', () => {
    const fix = fixOf("AADSTS50057: The user account is disabled.");
    assert.match(fix, /Block sign-in off/);
    assert.match(fix, /mailbox="print@contoso\.com"/);
  });

  test("tenant and resource failures name the configured tenant", () => {
    assert.match(fixOf("AADSTS90002: Tenant not found.", "invalid_request"), /tenant 'contoso\.onmicrosoft\.com'/);
    assert.match(
      fixOf("AADSTS500011: not found in the tenant", "invalid_resource"),
      /Tenant 'contoso\.onmicrosoft\.com'/,
    );
  });

  test("an ended session asks for a new login and mentions the sign-in frequency policy", () => {
    const fix = fixOf("AADSTS50133: Session is invalid due to expiration or recent password change.");
    assert.match(fix, /mps reset-storage --user print@contoso\.com/);
    assert.match(fix, /sign-in frequency/);
  });
});
