import assert from "node:assert/strict";
import { createHash, X509Certificate } from "node:crypto";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { after, before, describe, test } from "node:test";
import { decodeJwt, decodeProtectedHeader, importX509, jwtVerify } from "jose";
import type { OAuthProvider } from "../../src/config/index.ts";
import { certificateClientAuth, loadClientCertificate } from "../../src/oauth/index.ts";
import { makeClientCertificate } from "../servers/client_certs.ts";
import type { ClientCertFiles } from "../servers/client_certs.ts";

const provider = (file: string, password?: string): OAuthProvider => ({
  name: "Microsoft",
  id: "microsoft",
  kind: "microsoft",
  line: 7,
  clientId: "11111111-2222-3333-4444-555555555555",
  clientSecret: undefined,
  clientSecretExpiresAt: undefined,
  clientCertificate: file,
  clientCertificatePassword: password,
  tenant: "contoso.onmicrosoft.com",
  authority: undefined,
  issuer: undefined,
  scopes: undefined,
});

describe("client certificates (certificate credentials)", () => {
  let dir = "";
  let good: ClientCertFiles;
  let other: ClientCertFiles;
  let expired: ClientCertFiles;
  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "mps-clientcert-"));
    [good, other, expired] = await Promise.all([
      makeClientCertificate(dir, "good"),
      makeClientCertificate(dir, "other"),
      makeClientCertificate(dir, "expired", { expired: true }),
    ]);
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const thumbprint = (pem: string) => createHash("sha256").update(new X509Certificate(pem).raw).digest("base64url");

  test("a PEM file with certificate and key, a PFX (AES) and a PFX (3DES) give the same key and x5t#S256", async () => {
    const now = Date.now();
    const fromPem = await loadClientCertificate(provider(good.pemFile), now);
    const fromPfx = await loadClientCertificate(provider(good.pfxFile, good.password), now);
    const from3des = await loadClientCertificate(provider(good.pfx3desFile, good.password), now);
    assert.equal(fromPem.x5tS256, thumbprint(good.certPem));
    assert.equal(fromPfx.x5tS256, fromPem.x5tS256);
    assert.equal(from3des.x5tS256, fromPem.x5tS256);
    assert.equal(fromPem.subject, "CN=mps-good");
    assert.match(fromPem.thumbprint, /^[0-9A-F]{40}$/);
    assert.ok(fromPem.notAfter - now > 360 * 86_400_000);
  });

  test("the assertion is signed with the key, names the certificate and is meant for the token endpoint", async () => {
    const certificate = await loadClientCertificate(provider(good.pemFile), Date.now());
    const endpoint = "https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/token";
    const auth = certificateClientAuth(certificate, endpoint);
    const body = new URLSearchParams();
    await auth(
      { issuer: "https://login.microsoftonline.com/contoso.onmicrosoft.com/v2.0", token_endpoint: endpoint },
      { client_id: "app-id" },
      body,
      new Headers(),
    );
    assert.equal(body.get("client_assertion_type"), "urn:ietf:params:oauth:client-assertion-type:jwt-bearer");
    const assertion = body.get("client_assertion") ?? "";
    const header = decodeProtectedHeader(assertion);
    assert.equal(header.alg, "RS256");
    assert.equal(header["x5t#S256"], thumbprint(good.certPem));
    const claims = decodeJwt(assertion);
    assert.equal(claims.aud, endpoint);
    assert.equal(claims.iss, "app-id");
    assert.equal(claims.sub, "app-id");
    await jwtVerify(assertion, await importX509(good.certPem, "RS256"), { audience: endpoint });
    await assert.rejects(jwtVerify(assertion, await importX509(other.certPem, "RS256")));
  });

  test("a wrong PFX password, a key of another certificate and an expired certificate are refused with a fix", async () => {
    await assert.rejects(loadClientCertificate(provider(good.pfxFile, "wrong"), Date.now()), (error: Error) => {
      assert.equal((error as { code?: string }).code, "ERR_OAUTH_CLIENT_CERTIFICATE");
      assert.match((error as { fix?: string }).fix ?? "", /clientCertificatePassword/);
      return true;
    });
    const mixed = path.join(dir, "mixed.pem");
    await writeFile(
      mixed,
      `${good.certPem}${(await readFile(other.pemFile, "utf8")).replace(/^[\s\S]*?(?=-----BEGIN PRIVATE KEY)/, "")}`,
    );
    await assert.rejects(
      loadClientCertificate(provider(mixed), Date.now()),
      /the private key does not belong to the certificate/,
    );
    await assert.rejects(loadClientCertificate(provider(expired.pemFile), Date.now()), (error: Error) => {
      assert.match(error.message, /the certificate expired on 2020-02-01T00:00:00\.000Z/);
      assert.match((error as { fix?: string }).fix ?? "", /Upload certificate/);
      return true;
    });
    await assert.rejects(loadClientCertificate(provider(path.join(dir, "missing.pem")), Date.now()), /cannot be read/);
  });
});
