import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { createRedactor, REDACTED } from "../../src/log/index.ts";
import {
  ACCESS_TOKEN,
  CLIENT_SECRET,
  MSA_REFRESH_TOKEN,
  OAUTHBEARER,
  OAUTHBEARER_NO_AUTHZID,
  REFRESH_TOKEN,
  STORAGE_KEY,
  XOAUTH2,
} from "./samples.ts";

/** A fresh redactor: no registered secrets, so only the pattern rules act. */
function redact(text: string): string {
  return createRedactor().redact(text);
}

function assertHidden(line: string, secrets: readonly string[], expected?: string): string {
  const out = redact(line);
  for (const secret of secrets) assert.ok(!out.includes(secret), `secret left in: ${out}`);
  assert.ok(out.includes(REDACTED), `nothing redacted: ${out}`);
  if (expected !== undefined) assert.equal(out, expected);
  assert.equal(redact(out), out, "redacting twice changes nothing");
  return out;
}

describe("redact() by shape", () => {
  test("removes a JWT wherever it stands", () => {
    assertHidden(
      `token acquired ${ACCESS_TOKEN} for print@contoso.com`,
      [ACCESS_TOKEN],
      `token acquired ${REDACTED} for print@contoso.com`,
    );
    assertHidden(`id_token_hint=${ACCESS_TOKEN}&x=1`, [ACCESS_TOKEN]);
  });

  test("removes the signature and payload of a JWT, not just a part", () => {
    const [, payload, signature] = ACCESS_TOKEN.split(".");
    const out = assertHidden(`jwt=${ACCESS_TOKEN}`, [ACCESS_TOKEN]);
    assert.ok(!out.includes(payload ?? "?") && !out.includes(signature ?? "?"));
  });

  test("removes the token after Bearer and the value of an Authorization header", () => {
    assertHidden(`Authorization: Bearer ${ACCESS_TOKEN}`, [ACCESS_TOKEN], `Authorization: Bearer ${REDACTED}`);
    assertHidden(
      `{"authorization":"Bearer ${ACCESS_TOKEN}"}`,
      [ACCESS_TOKEN],
      `{"authorization":"Bearer ${REDACTED}"}`,
    );
    assertHidden("Authorization: Basic cHJpbnRAY29udG9zby5jb206aHVudGVyMjI=", ["cHJpbnRAY29udG9zby5jb206aHVudGVyMjI="]);
    assertHidden("auth header bearer abc123opaque456", ["abc123opaque456"]);
  });

  test("removes a SASL XOAUTH2 string built from user and Bearer token", () => {
    assert.ok(XOAUTH2.startsWith("dXNlcj"));
    assertHidden(XOAUTH2, [XOAUTH2.slice(0, 40)], REDACTED);
    assertHidden(`continuation: ${XOAUTH2}`, [XOAUTH2.slice(0, 40)], `continuation: ${REDACTED}`);
  });

  test("removes SASL OAUTHBEARER strings with and without an authorization identity", () => {
    assert.ok(OAUTHBEARER.startsWith("bixhP"));
    assertHidden(OAUTHBEARER, [OAUTHBEARER.slice(0, 40)], REDACTED);
    assertHidden(`C: ${OAUTHBEARER_NO_AUTHZID}`, [OAUTHBEARER_NO_AUTHZID.slice(0, 40)], `C: ${REDACTED}`);
  });

  test("removes the argument of IMAP AUTHENTICATE XOAUTH2 and OAUTHBEARER lines", () => {
    assertHidden(
      `C: A1 AUTHENTICATE XOAUTH2 ${XOAUTH2}`,
      [XOAUTH2.slice(0, 40)],
      `C: A1 AUTHENTICATE XOAUTH2 ${REDACTED}`,
    );
    assertHidden(
      `2 AUTHENTICATE OAUTHBEARER ${OAUTHBEARER}`,
      [OAUTHBEARER.slice(0, 40)],
      `2 AUTHENTICATE OAUTHBEARER ${REDACTED}`,
    );
    assertHidden("a3 authenticate plain AHByaW50QGNvbnRvc28uY29tAGh1bnRlcjIy", [
      "AHByaW50QGNvbnRvc28uY29tAGh1bnRlcjIy",
    ]);
  });

  test("keeps imapflow's own mask of a hidden value", () => {
    const line = "C: 2 AUTHENTICATE XOAUTH2 (* value hidden *)";
    assert.equal(redact(line), line);
  });

  test("removes the password of an IMAP LOGIN command, quoted or not", () => {
    assertHidden(
      'C: A001 LOGIN print@contoso.com "hunter 22"',
      ["hunter"],
      `C: A001 LOGIN print@contoso.com "${REDACTED}"`,
    );
    assertHidden('LOGIN "print@contoso.com" "pa\\"ss"', ["pa\\"], `LOGIN "print@contoso.com" "${REDACTED}"`);
    assertHidden("a2 login print@contoso.com hunter22", ["hunter22"], `a2 login print@contoso.com ${REDACTED}`);
  });

  test("removes the password of an IMAP LOGIN command inside a JSON log record", () => {
    assertHidden(
      String.raw`{"src":"c","msg":"2 LOGIN \"print@contoso.com\" \"hunter22\"","cid":"d1"}`,
      ["hunter22"],
      String.raw`{"src":"c","msg":"2 LOGIN \"print@contoso.com\" \"[redacted]\"","cid":"d1"}`,
    );
    const hidden = String.raw`{"msg":"2 LOGIN \"print@contoso.com\" \"(* value hidden *)\""}`;
    assert.equal(redact(hidden), hidden);
  });

  test("removes Entra refresh tokens of the 0.A and 1.A shapes", () => {
    assertHidden(`refreshed with ${REFRESH_TOKEN}`, [REFRESH_TOKEN.slice(0, 30)], `refreshed with ${REDACTED}`);
    const zeroShape = `0.ARoA${REFRESH_TOKEN.slice(6)}`;
    assertHidden(`rt ${zeroShape} kept`, [zeroShape.slice(0, 30)], `rt ${REDACTED} kept`);
  });

  test("removes Microsoft account refresh tokens of the M.C shape", () => {
    assertHidden(`rt=${MSA_REFRESH_TOKEN} next`, ["CrVj3mTq", "Sf$$"], `rt=${REDACTED} next`);
  });

  test("removes every token of a JSON token response body", () => {
    const body = JSON.stringify({
      token_type: "Bearer",
      scope: "https://outlook.office.com/IMAP.AccessAsUser.All",
      expires_in: 4355,
      ext_expires_in: 4355,
      access_token: ACCESS_TOKEN,
      refresh_token: REFRESH_TOKEN,
      id_token: ACCESS_TOKEN,
    });
    const out = assertHidden(`token response: ${body}`, [ACCESS_TOKEN, REFRESH_TOKEN.slice(0, 20)]);
    assert.match(
      out,
      /"token_type":"Bearer","scope":"https:\/\/outlook\.office\.com\/IMAP\.AccessAsUser\.All","expires_in":4355/,
    );
    assert.match(out, /"access_token":"\[redacted\]","refresh_token":"\[redacted\]","id_token":"\[redacted\]"/);
  });

  test("removes tokens inside JSON that was itself put into a JSON string", () => {
    const nested = JSON.stringify({ body: JSON.stringify({ refresh_token: "opaque-refresh-value-42", ok: true }) });
    assertHidden(nested, ["opaque-refresh-value-42"]);
  });

  test("removes secrets from the form body of a refresh request", () => {
    const form =
      `client_id=9e5f94bc-e8a4-4e73-b8be-63364c29d753&grant_type=refresh_token&refresh_token=${
        encodeURIComponent(REFRESH_TOKEN)
      }` +
      `&client_secret=${
        encodeURIComponent(CLIENT_SECRET)
      }&scope=https%3A%2F%2Foutlook.office.com%2FIMAP.AccessAsUser.All%20offline_access`;
    const out = assertHidden(form, [REFRESH_TOKEN.slice(0, 20), CLIENT_SECRET, encodeURIComponent(CLIENT_SECRET)]);
    assert.ok(
      out.startsWith(
        "client_id=9e5f94bc-e8a4-4e73-b8be-63364c29d753&grant_type=refresh_token&refresh_token=[redacted]&",
      ),
    );
    assert.ok(out.endsWith("&scope=https%3A%2F%2Foutlook.office.com%2FIMAP.AccessAsUser.All%20offline_access"));
  });

  test("removes the code, verifier and device code of OAuth requests but keeps code_challenge", () => {
    assertHidden(
      "GET /?code=0.AXkAabcDEF123&state=Z3Xk9&session_state=5f1c HTTP/1.1",
      ["0.AXkAabcDEF123"],
      `GET /?code=${REDACTED}&state=Z3Xk9&session_state=5f1c HTTP/1.1`,
    );
    assertHidden(
      "grant_type=authorization_code&code=M.C540_abc123&redirect_uri=http%3A%2F%2Flocalhost%3A53682%2F&code_verifier=dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk",
      ["M.C540_abc123", "dBjftJeZ4CVP"],
    );
    assertHidden("code=Sp1lkNzLx9&state=abc", ["Sp1lkNzLx9"], `code=${REDACTED}&state=abc`);
    assertHidden('{"device_code":"GmRhmhcxhwAzkoEqiMEg_DnyEysNkuNhszIySk9eS","user_code":"WDJB-MJHT"}', [
      "GmRhmhcxhwAz",
    ]);
    const authorize =
      "https://login.microsoftonline.com/organizations/oauth2/v2.0/authorize?response_type=code&code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM&code_challenge_method=S256";
    assert.equal(redact(authorize), authorize);
  });

  test("removes passwords and client secrets from XML attributes", () => {
    assertHidden(
      '<add type="Imap" host="imap.contoso.com" userName="print@contoso.com" password="hunter22" port="993" />',
      ["hunter22"],
      `<add type="Imap" host="imap.contoso.com" userName="print@contoso.com" password="${REDACTED}" port="993" />`,
    );
    assertHidden(
      `<provider name="Microsoft" clientId="9e5f94bc" clientSecret="${CLIENT_SECRET}" clientSecretExpires="2027-01-31" />`,
      [CLIENT_SECRET],
      `<provider name="Microsoft" clientId="9e5f94bc" clientSecret="${REDACTED}" clientSecretExpires="2027-01-31" />`,
    );
  });

  test("keeps an empty password attribute as it is", () => {
    const line = '<add host="127.0.0.1" userName="" password="" downloadInterval="1000" />';
    assert.equal(redact(line), line);
  });

  test("removes a client secret from a URL", () => {
    assertHidden(
      `POST https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/token?client_id=9e5f94bc&client_secret=${CLIENT_SECRET}&grant_type=client_credentials`,
      [CLIENT_SECRET],
      `POST https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/token?client_id=9e5f94bc&client_secret=${REDACTED}&grant_type=client_credentials`,
    );
  });

  test("removes secret values written as key: value, key=value and logfmt fields", () => {
    assertHidden("password: hunter22", ["hunter22"], `password: ${REDACTED}`);
    assertHidden("passwd=s3cret! user=print", ["s3cret"], `passwd=${REDACTED} user=print`);
    assertHidden(`storage key: ${STORAGE_KEY}`, [STORAGE_KEY]);
    assertHidden(`MPS_STORAGE_KEY=${STORAGE_KEY}`, [STORAGE_KEY]);
    assertHidden(`storageKey="${STORAGE_KEY}"`, [STORAGE_KEY]);
    assertHidden('client_secret="two words"', ["two words"], `client_secret="${REDACTED}"`);
    assertHidden("{ refreshToken: 'abc.def.ghi-123', user: 'print' }", ["abc.def.ghi-123"]);
    assertHidden("client_assertion=eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln", ["eyJhbGciOiJSUzI1NiJ9"]);
    assertHidden("assertion: opaque-saml-assertion", ["opaque-saml-assertion"]);
  });

  test("removes an Entra client secret value and Google tokens by their shape", () => {
    assertHidden(`secret ${CLIENT_SECRET} expires soon`, [CLIENT_SECRET], `secret ${REDACTED} expires soon`);
    assertHidden("google ya29.a0AfB_byC3kLm9Qx2Zt8Rw1Yv5Ns7Pq4Hj6Gd0Fe3", ["ya29.a0AfB"]);
    assertHidden("google 1//0gYkT3mQx9Lw2ZpC8Rv5Hn7Js4Df6Ga1Eb0", ["1//0gYkT3"]);
    assertHidden("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", ["GOCSPX-1a2B"]);
  });

  test("removes the password of a URL with user info", () => {
    assertHidden(
      "imap://print%40contoso.com:hunter22@imap.contoso.com:993/INBOX",
      ["hunter22"],
      `imap://print%40contoso.com:${REDACTED}@imap.contoso.com:993/INBOX`,
    );
  });

  test("removes a PEM private key", () => {
    assertHidden(
      "key=-----BEGIN PRIVATE KEY-----\\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\\n-----END PRIVATE KEY----- next",
      ["MIIEvQIBADAN"],
    );
  });
});

describe("redact() leaves ordinary text alone", () => {
  const ordinary = [
    "2026-11-27T19:29:45.123Z INFO  [downloader/print@contoso.com] MpsDownloader finished with exit code 0",
    "2026-11-27T19:29:45.123Z ERROR [oauth] Cannot refresh access token: AADSTS700082: The refresh token has expired due to inactivity. code=ERR_OAUTH_REFRESH",
    "Client secret could not be retrieved: AADSTS7000215: Invalid client secret provided.",
    'Needs admin approval (AADSTS65001) fix="Ask an admin to consent for the organisation"',
    "Saved message to 'C:\\ProgramData\\mps\\Failed\\2026-11-27T192945Z_4711.eml'",
    "Wrote job /var/spool/mps/Spool/src1-987654321-4711/job.json (2 documents, 81234 bytes)",
    "token file /var/lib/mps/oauth-storage/microsoft/print@contoso.com.json",
    "Could not retrieve an access token from the OAuth storage; users with tokens: print@contoso.com, scan@contoso.com",
    "Run `mps login microsoft print@contoso.com` to sign in again",
    "No token: try mps login Microsoft print@contoso.com --device-code",
    'token_type=Bearer expires_in=3599 scope="https://outlook.office.com/IMAP.AccessAsUser.All offline_access"',
    "clientSecretExpires=2027-01-31 refreshTokenExpiresAt=2027-02-25T10:00:00.000Z tokenExpiresAt=2026-11-27T20:29:45.000Z",
    "the Bearer token expired at 2026-11-27T20:29:45Z",
    'WWW-Authenticate: Bearer realm="", error="invalid_token", error_description="The access token expired"',
    "* OK The Microsoft Exchange IMAP4 service is ready. [TABFADEAOAAuAFAAUgBPAEQA]",
    "A1 NO LOGIN failed.",
    "* BAD LOGIN command disabled by policy",
    "A2 NO [AUTHENTICATIONFAILED] Authentication failed.",
    "User is authenticated but not connected (NAMESPACE BAD)",
    "Failed to authenticate print@contoso.com with XOAUTH2 after 3 tries",
    "mps 0.1.0 on Node v24.21.0 (linux x64), config conf/mps.config line 7",
    'Message <CAF=Yz8x3q@mail.gmail.com> uid=4711 uidvalidity=987654321 from anna.meier@contoso.com subject="Quarterly report"',
    "listening on http://127.0.0.1:5556/health and /metrics",
    "Open https://microsoft.com/devicelogin and enter the code WDJB-MJHT",
    "error_codes=[700082] trace_id=0f3c1a2b-9d8e-4f7a-b6c5-1e2d3c4b5a69 correlation_id=8a7b6c5d-4e3f-2a1b-0c9d-8e7f6a5b4c3d",
    "Enter the password:",
    "attribute 'password' must be a string: got 3",
    "1.Annual_report_final.pdf 0.Appendix.docx M.Sc thesis.pdf",
  ];
  for (const line of ordinary) {
    test(`keeps: ${line}`, () => {
      assert.equal(redact(line), line);
    });
  }
});
