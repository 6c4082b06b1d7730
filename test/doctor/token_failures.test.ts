import assert from "node:assert/strict";
import { readFile, writeFile } from "node:fs/promises";
import * as path from "node:path";
import { after, describe, test } from "node:test";
import { USER } from "../helpers/mailbox_setup.ts";
import type { MailboxSetup } from "../helpers/mailbox_setup.ts";
import { openTokenStore } from "../../src/storage/index.ts";
import { scriptedLogin } from "../servers/index.ts";
import { check, doctor, doctorJson, editConfig, healthyMailbox, statuses } from "./doctor_helpers.ts";

// Each test has its own Dovecot and authorization server, so they run side by side.
const boxes: MailboxSetup[] = [];
async function mailbox(): Promise<MailboxSetup> {
  const box = await healthyMailbox();
  boxes.push(box);
  return box;
}
after(async () => {
  await Promise.all(boxes.map((box) => box.dispose()));
});

const OTHER = "scan@example.test";

describe("mps doctor finds token problems", { concurrency: true }, () => {
  test("a source whose userName differs from the stored sign-in: names the users that have tokens and the exact login command", async () => {
    const box = await mailbox();
    const config = await box.writeConfig(`userName="Printer@Example.test"`);
    const result = await doctor(config);
    assert.equal(result.code, 2);
    assert.ok(
      result.stdout.includes(
        "  ✗ token.present        Could not retrieve an access token from the OAuth storage: no token for provider 'Local' and user 'printer@example.test'",
      ),
      result.stdout,
    );
    assert.ok(
      result.stdout.includes(
        `      Fix: Tokens for provider 'Local' exist only for '${USER}'. Run \`mps login Local printer@example.test\`, ` +
          "or set userName of the email source to the name used at login.\n",
      ),
      result.stdout,
    );
    const { report } = await doctorJson(config);
    const present = check(report, "token.present");
    assert.equal(present.code, "ERR_TOKEN_NOT_FOUND");
    assert.deepEqual(present.details?.["knownUsers"], [USER]);
    assert.equal(present.details?.["loginCommand"], "mps login Local printer@example.test");
    assert.deepEqual(statuses(report, "print"), {
      "token.present": "fail",
      "token.decrypt": "skip",
      "token.account": "skip",
      "token.refresh": "skip",
      "secret.valid": "skip",
      "network.connect": "pass",
      "imap.login": "skip",
      "mailbox.rights": "skip",
    });
    assert.equal(check(report, "imap.login").finding, "Not checked: token.refresh was not checked");
    const unused = check(report, "token.unused");
    assert.equal(unused.status, "warn");
    assert.equal(unused.finding, `Stored sign-in that no email source uses: local/${USER}`);
    assert.match(unused.fix ?? "", /`mps reset-storage --provider local --user print@example\.test`/);
  });

  test("a matching userName in other letter case is the same user", async () => {
    const box = await mailbox();
    const { code, report } = await doctorJson(await box.writeConfig(`userName="PRINT@example.TEST"`), ["--offline"]);
    assert.equal(check(report, "token.present").status, "pass");
    assert.equal(check(report, "token.unused").status, "pass");
    assert.equal(code, 0);
  });

  test("a stored sign-in of another account is 'Signed in as a different account' and IMAP refuses it", async () => {
    const box = await mailbox();
    const tokens = await scriptedLogin(box.auth, { username: OTHER, scope: "openid email offline_access" });
    const store = openTokenStore({
      storageDir: path.join(box.dir, "oauth-storage"),
      keyFile: path.join(box.dir, "mps.key"),
      env: {},
      now: Date.now,
    });
    await store.write("local", USER, {
      accessToken: tokens.access_token,
      accessTokenExpiresAt: Date.now() + 3_600_000,
      refreshToken: tokens.refresh_token ?? "",
      idTokenClaims: { email: OTHER, preferred_username: OTHER },
    });
    const { code, report } = await doctorJson(await box.writeConfig());
    assert.equal(code, 2);
    const account = check(report, "token.account");
    assert.equal(account.status, "fail");
    assert.equal(account.code, "ERR_OAUTH_WRONG_ACCOUNT");
    assert.equal(
      account.finding,
      `Signed in as a different account: the sign-in stored for '${USER}' is the account '${OTHER}'`,
    );
    assert.match(
      account.fix ?? "",
      /^Run `mps reset-storage --provider Local --user print@example\.test`, then `mps login Local print@example\.test`/,
    );
    assert.equal(check(report, "imap.login").code, "ERR_IMAP_AUTH");
  });

  test("a revoked refresh token: 'Cannot refresh access token' with the AADSTS code and the fix", async () => {
    const box = await mailbox();
    box.auth.revokeRefreshTokens(USER);
    const result = await doctor(await box.writeConfig());
    assert.equal(result.code, 2);
    assert.match(
      result.stdout,
      /\n  ✗ token\.refresh +Cannot refresh access token \(provider 'Local', user 'print@example\.test'\): invalid_grant: AADSTS50173: /,
    );
    assert.ok(
      result.stdout.includes(
        "      Fix: The stored refresh token was revoked or expired (password change, admin revocation, 90 days unused). " +
          "Run `mps reset-storage --user print@example.test`, then `mps login Local print@example.test`.\n",
      ),
      result.stdout,
    );
    assert.match(result.stdout, /\n  - imap\.login +Not checked: token\.refresh failed\n/);
    assert.match(result.stdout, /\n  ✓ network\.connect /);
  });

  test("an unreachable token endpoint: 'Cannot refresh access token' with the network fix", async () => {
    const box = await mailbox();
    const config = await editConfig(
      await box.writeConfig(),
      (text) => text.replace(box.auth.issuer, "http://127.0.0.1:1/"),
    );
    const { code, report } = await doctorJson(config);
    assert.equal(code, 2);
    const refresh = check(report, "token.refresh");
    assert.equal(refresh.code, "ERR_OAUTH_NETWORK");
    assert.match(
      refresh.finding,
      /^Cannot refresh access token \(provider 'Local', user 'print@example\.test'\): cannot reach the OAuth server of provider 'Local' at 127\.0\.0\.1:1: /,
    );
    assert.match(refresh.fix ?? "", /^Check the network, proxy and firewall between this machine and 127\.0\.0\.1:1/);
  });

  test("a tenant that needs admin consent (AADSTS65001): 'Needs admin approval' with the three ways", async () => {
    const box = await mailbox();
    box.auth.failNext("token", {
      error: "invalid_grant",
      error_description:
        "AADSTS65001: The user or administrator has not consented to use the application with ID 'mps' named 'mps'.",
    });
    const { code, report } = await doctorJson(await box.writeConfig());
    assert.equal(code, 2);
    const refresh = check(report, "token.refresh");
    assert.equal(refresh.code, "ERR_OAUTH_CONSENT_REQUIRED");
    assert.match(
      refresh.finding,
      /^Needs admin approval \(provider 'Local', user 'print@example\.test'\): invalid_grant: AADSTS65001: /,
    );
    assert.match(
      refresh.fix ?? "",
      /\(1\) an administrator opens .*adminconsent\?client_id=mps .*\(2\) give the account .*\(3\) enable the admin consent request workflow/,
    );
    assert.equal(refresh.details?.["aadsts"], 65001);
  });

  test("an expired client secret (AADSTS7000222): 'Client secret could not be retrieved' with the renewal fix", async () => {
    const box = await mailbox();
    const config = await editConfig(
      await box.writeConfig(),
      (text) =>
        text.replace(
          `<provider name="Local" `,
          `<provider name="Local" clientSecret="${box.auth.clientSecret}" clientSecretExpires="2099-12-31" `,
        ),
    );
    box.auth.failNext("token", {
      error: "invalid_client",
      error_description:
        "AADSTS7000222: The provided client secret keys for app 'mps' are expired. Visit the Azure portal to create new keys for your app.",
    });
    const { code, report } = await doctorJson(config);
    assert.equal(code, 2);
    const secret = check(report, "secret.valid");
    assert.equal(secret.status, "fail");
    assert.equal(secret.code, "ERR_OAUTH_CLIENT_SECRET");
    assert.match(
      secret.finding,
      /^Client secret could not be retrieved \(provider 'Local', user 'print@example\.test'\): invalid_client: AADSTS7000222: /,
    );
    assert.match(
      secret.fix ?? "",
      /create a new secret in the app registration \(Certificates & secrets\), copy its Value/,
    );
    assert.equal(secret.details?.["aadsts"], 7000222);
    const refresh = check(report, "token.refresh");
    assert.equal(
      refresh.finding,
      "Cannot refresh access token: the client secret of provider 'Local' was not accepted (see secret.valid)",
    );
    // Once the secret works again, the same config passes and the secret's expiry is reported.
    const again = await doctorJson(config);
    assert.equal(again.code, 0);
    assert.match(
      check(again.report, "secret.valid").finding,
      /was accepted by the token endpoint; it expires on 2099-12-31/,
    );
  });

  test("an app-only source (client credentials) passes every check, and a wrong secret (AADSTS7000215) fails secret.valid", async () => {
    const box = await mailbox();
    box.auth.setAppMailbox(USER);
    const appConfig = (secret: string, name: string) =>
      box.writeConfig(`type="ImapOAuthMicrosoftApp"`, name).then((file) =>
        editConfig(
          file,
          (text) =>
            text.replace(
              "  </oauth>",
              `    <provider name="Microsoft" authority="${box.auth.issuer}" clientId="${box.auth.clientId}" clientSecret="${secret}" clientSecretExpires="2099-12-31" />\n  </oauth>`,
            ),
        )
      );
    const good = await doctorJson(await appConfig(box.auth.clientSecret, "app.config"));
    // The one warning: the delegated sign-in stored for the mailbox is not used by an app-only source.
    assert.equal(good.code, 1, JSON.stringify(good.report.checks.filter((c) => c.status === "fail")));
    assert.deepEqual(good.report.checks.filter((c) => c.status === "warn").map((c) => c.id), ["token.unused"]);
    assert.equal(check(good.report, "mailbox.rights").status, "pass");
    assert.match(
      check(good.report, "token.refresh").finding,
      /^Got an app-only access token from provider 'Microsoft' \(client credentials\)/,
    );
    assert.match(
      check(good.report, "secret.valid").finding,
      /was accepted by the token endpoint; it expires on 2099-12-31/,
    );
    assert.match(check(good.report, "token.present").finding, /^Not needed: app-only source/);
    const bad = await doctorJson(await appConfig("wrong-secret", "bad.config"));
    assert.equal(bad.code, 2);
    const secret = check(bad.report, "secret.valid");
    assert.equal(secret.code, "ERR_OAUTH_CLIENT_SECRET");
    assert.match(
      secret.finding,
      /^Client secret could not be retrieved \(provider 'Microsoft', user 'print@example\.test'\): invalid_client: AADSTS7000215: /,
    );
    assert.equal(
      check(bad.report, "token.refresh").finding,
      "Cannot get an app-only access token: the client secret of provider 'Microsoft' was not accepted (see secret.valid)",
    );
    assert.equal(check(bad.report, "imap.login").finding, "Not checked: token.refresh failed");
  });

  test("a storage key other than the one used at login: token.decrypt fails with the key fix", async () => {
    const box = await mailbox();
    const otherKey = Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString("base64");
    const { code, report } = await doctorJson(await box.writeConfig(), ["--offline"], { MPS_STORAGE_KEY: otherKey });
    assert.equal(code, 2);
    const decrypt = check(report, "token.decrypt");
    assert.equal(decrypt.code, "ERR_STORAGE_DECRYPT");
    assert.match(
      decrypt.finding,
      /^Cannot decrypt token file '.+print@example\.test\.json': it was changed or written with another storage key/,
    );
    assert.match(
      decrypt.fix ?? "",
      /Restore the storage key used at login .* or run `mps reset-storage --user print@example\.test` and log in again/,
    );
    assert.equal(check(report, "token.account").finding, "Not checked: token.decrypt failed");
  });

  test("a tampered token file (one byte flipped): token.decrypt fails, nothing crashes", async () => {
    const box = await mailbox();
    const file = path.join(box.dir, "oauth-storage", "local", `${USER}.json`);
    const envelope = JSON.parse(await readFile(file, "utf8")) as { ciphertext: string };
    const bytes = Buffer.from(envelope.ciphertext, "base64");
    bytes[5] = (bytes[5] ?? 0) ^ 0x01;
    await writeFile(file, JSON.stringify({ ...envelope, ciphertext: bytes.toString("base64") }, null, 2));
    const { code, report } = await doctorJson(await box.writeConfig());
    assert.equal(code, 2);
    const decrypt = check(report, "token.decrypt");
    assert.equal(decrypt.status, "fail");
    assert.equal(decrypt.code, "ERR_STORAGE_DECRYPT");
    assert.equal(check(report, "token.refresh").status, "skip");
  });
});
