import assert from "node:assert/strict";
import { readFile, writeFile } from "node:fs/promises";
import { after, before, describe, test } from "node:test";
import { messageWithAttachment, setUpMailbox, USER } from "../helpers/mailbox_setup.ts";
import type { MailboxSetup } from "../helpers/mailbox_setup.ts";
import { runMps } from "../helpers/run_mps.ts";
import { startService, waitFor } from "../helpers/service.ts";
import { check, doctorJson } from "../doctor/doctor_helpers.ts";
import { checkMetrics, freePort } from "../servers/index.ts";
import { makeClientCertificate } from "../servers/client_certs.ts";
import type { ClientCertFiles } from "../servers/client_certs.ts";

describe("app-only sign-in with a client certificate (local authorization server checks the assertions)", () => {
  let box: MailboxSetup;
  let uploaded: ClientCertFiles;
  let notUploaded: ClientCertFiles;
  let expiring: ClientCertFiles;
  let expired: ClientCertFiles;
  before(async () => {
    box = await setUpMailbox({ dovecot: { certDays: 90 } });
    box.auth.setAppMailbox(USER);
    [uploaded, notUploaded, expiring, expired] = await Promise.all([
      makeClientCertificate(box.dir, "uploaded"),
      makeClientCertificate(box.dir, "not-uploaded"),
      makeClientCertificate(box.dir, "expiring", { days: 10 }),
      makeClientCertificate(box.dir, "expired", { expired: true }),
    ]);
    box.auth.uploadCertificate(uploaded.certPem);
    box.auth.uploadCertificate(expiring.certPem);
    box.auth.uploadCertificate(expired.certPem);
  });
  after(async () => {
    await box.dispose();
  });

  /** An app-only source whose Microsoft provider (pointed at the local server) uses this certificate file. */
  const configWith = async (certificate: string, name: string, extra = "") => {
    const file = await box.writeConfig(`type="ImapOAuthMicrosoftApp" idle="false"`, name);
    const text = await readFile(file, "utf8");
    await writeFile(
      file,
      text.replace(
        "  </oauth>",
        `    <provider name="Microsoft" authority="${box.auth.issuer}" clientId="${box.auth.clientId}" clientCertificate="${certificate}" ${extra}/>\n  </oauth>`,
      ),
    );
    return file;
  };

  test("doctor passes with a PEM certificate: the assertion is accepted, IMAP opens, the thumbprint is shown", async () => {
    const { report } = await doctorJson(await configWith(uploaded.pemFile, "pem.config"));
    assert.equal(check(report, "token.refresh").status, "pass", JSON.stringify(check(report, "token.refresh")));
    const secret = check(report, "secret.valid");
    assert.equal(secret.status, "pass");
    assert.match(
      secret.finding,
      /The client certificate of provider 'Microsoft' \(CN=mps-uploaded, thumbprint [0-9A-F]{40}\) was accepted/,
    );
    assert.equal(check(report, "imap.login").status, "pass");
    const request = box.auth.requests.token.at(-1) ?? {};
    assert.equal(request["grant_type"], "client_credentials");
    assert.equal(request["client_secret"], undefined, "no secret is sent");
    assert.ok((request["client_assertion"] ?? "").split(".").length === 3);
  });

  test("run --once with a PFX and its password turns the mail into a job", async () => {
    await box.dovecot.appendMessage(USER, messageWithAttachment({ subject: "signed by certificate" }));
    const config = await configWith(
      uploaded.pfxFile,
      "pfx.config",
      `clientCertificatePassword="${uploaded.password}" `,
    );
    const result = await runMps(["run", "--once", "--config", config], { cwd: box.dir });
    const log = await box.log("pfx.config");
    assert.equal(result.code, 0, `${result.stderr}\n${log}`);
    assert.equal((await box.jobs()).length, 1);
    assert.ok(!log.includes(`clientCertificatePassword="${uploaded.password}"`), "the PFX password is not logged");
  });

  test("a certificate not uploaded to the app: token.refresh and secret.valid fail with AADSTS700027 and the upload fix", async () => {
    const { code, report } = await doctorJson(await configWith(notUploaded.pemFile, "other.config"));
    assert.equal(code, 2);
    const refresh = check(report, "token.refresh");
    assert.equal(refresh.status, "fail");
    assert.equal(refresh.code, "ERR_OAUTH_CLIENT_CERTIFICATE");
    assert.match(
      refresh.finding,
      /AADSTS700027: The certificate with identifier used to sign the client assertion is not registered/,
    );
    assert.match(refresh.fix ?? "", /Certificates & secrets > Certificates > Upload certificate/);
    assert.equal(check(report, "secret.valid").code, "ERR_OAUTH_CLIENT_CERTIFICATE");
  });

  test("an expired certificate is refused before any request, with the date", async () => {
    const before = box.auth.requests.token.length;
    const { code, report } = await doctorJson(await configWith(expired.pemFile, "expired.config"));
    assert.equal(code, 2);
    const secret = check(report, "secret.valid");
    assert.equal(secret.code, "ERR_OAUTH_CLIENT_CERTIFICATE");
    assert.match(secret.finding, /the certificate expired on 2020-02-01T00:00:00\.000Z/);
    assert.equal(box.auth.requests.token.length, before, "nothing was sent to the token endpoint");
  });

  test("a certificate that expires in 10 days: a doctor warning, and /health and /metrics show it", async () => {
    const config = await configWith(expiring.pemFile, "expiring.config");
    const { code, report } = await doctorJson(config);
    const secret = check(report, "secret.valid");
    assert.equal(secret.status, "warn");
    assert.equal(secret.code, "WARN_CLIENT_CERTIFICATE_EXPIRING");
    assert.match(secret.finding, /expires on \d{4}-\d{2}-\d{2}, in (9|10) days/);
    assert.ok(code === 1, `exit code ${code}`);

    const port = await freePort();
    await writeFile(config, (await readFile(config, "utf8")).replace('<http port="0" />', `<http port="${port}" />`));
    const stop = startService(["--config", config], box.dir);
    try {
      type Health = {
        sources: Array<{ clientCertificateExpiresAt: string | null; warnings: Array<{ code: string }> }>;
      };
      const source = await waitFor("the certificate in /health", async () => {
        const body = await (await fetch(`http://127.0.0.1:${port}/health`)).json() as Health;
        return body.sources[0]?.clientCertificateExpiresAt ? body.sources[0] : undefined;
      }, 20_000);
      assert.ok(source.warnings.some((warning) => warning.code === "CLIENT_CERTIFICATE_EXPIRING"));
      const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      const value = /^mps_oauth_client_certificate_expiry_timestamp_seconds\{source="print"\} (\S+)$/m.exec(metrics)
        ?.[1];
      assert.ok(value !== undefined, metrics);
      assert.ok(Math.abs(Number(value) * 1000 - Date.parse(source.clientCertificateExpiresAt ?? "")) < 1000);
      const promtool = await checkMetrics(metrics);
      assert.equal(promtool.exitCode, 0, promtool.output);
    } finally {
      assert.equal(await stop(), 0);
    }
  });
});
