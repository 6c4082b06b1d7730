import assert from "node:assert/strict";
import { readFile, writeFile } from "node:fs/promises";
import * as path from "node:path";
import { after, before, describe, test } from "node:test";
import { openTokenStore } from "../../src/storage/index.ts";
import { check, doctorJson } from "../doctor/doctor_helpers.ts";
import { setUpNotifyKit } from "./notify_kit.ts";
import type { NotifyKit } from "./notify_kit.ts";

const SOURCE = "<notifications>";

describe("mps doctor checks replies to senders", () => {
  let kit: NotifyKit;
  before(async () => {
    kit = await setUpNotifyKit();
  });
  after(async () => {
    await kit.dispose();
  });

  test("the SMTP server answers and the stored token signs in to it", async () => {
    const config = await kit.writeConfig({ name: "doctor.config" });
    const { report } = await doctorJson(config, ["--no-write"]);
    assert.equal(check(report, "smtp.connect", SOURCE).status, "pass", JSON.stringify(report.checks, null, 1));
    assert.match(check(report, "smtp.connect", SOURCE).finding, /answers: 220 /);
    assert.equal(check(report, "smtp.login", SOURCE).status, "pass", check(report, "smtp.login", SOURCE).finding);
    assert.equal(check(report, "notify.templates", SOURCE).status, "pass");
  });

  test("a stopped SMTP server fails smtp.connect with the fix, and the sign-in is not tried", async () => {
    const config = await kit.writeConfig({ name: "doctor-down.config" });
    await kit.smtp.stop();
    try {
      const { code, report } = await doctorJson(config, ["--no-write"]);
      assert.equal(code, 2);
      const connect = check(report, "smtp.connect", SOURCE);
      assert.equal(connect.status, "fail");
      assert.equal(connect.code, "ERR_SMTP_CONNECT");
      assert.match(connect.finding, new RegExp(`^Cannot reach SMTP server localhost:${kit.smtp.port}: .*ECONNREFUSED`));
      assert.match(connect.fix ?? "", /reachable from this machine/);
      assert.equal(check(report, "smtp.login", SOURCE).status, "skip");
    } finally {
      await kit.smtp.start();
    }
  });

  test("a Microsoft token stored without SMTP.Send fails smtp.token.scope with the exact login to run", async () => {
    const config = await kit.writeConfig({
      name: "doctor-scope.config",
      notifications: 'provider="Microsoft" userName="Print@Contoso.com"',
    });
    const text = await readFile(config, "utf8");
    await writeFile(
      config,
      text.replace(
        "</oauth>",
        `  <provider name="Microsoft" clientId="GUID" tenant="contoso.onmicrosoft.com" />\n  </oauth>`,
      ),
    );
    const store = openTokenStore({
      storageDir: path.join(kit.box.dir, "oauth-storage"),
      keyFile: path.join(kit.box.dir, "mps.key"),
      env: {},
      now: Date.now,
    });
    await store.write("microsoft", "print@contoso.com", {
      accessToken: "not-used",
      accessTokenExpiresAt: Date.now() + 3_600_000,
      refreshToken: "not-used",
      scopes: ["https://outlook.office.com/IMAP.AccessAsUser.All", "offline_access", "openid", "profile", "email"],
    });
    const { report } = await doctorJson(config, ["--offline"]);
    const scope = check(report, "smtp.token.scope", SOURCE);
    assert.equal(scope.status, "fail");
    assert.equal(scope.code, "ERR_NOTIFY_SCOPE");
    assert.match(scope.finding, /lacks https:\/\/outlook\.office\.com\/SMTP\.Send/);
    assert.equal(scope.details?.["loginCommand"], "mps login Microsoft print@contoso.com");
    // the sign-in only replies use is not reported as unused
    assert.equal(check(report, "token.unused", null).status, "pass", check(report, "token.unused", null).finding);
    await store.write("microsoft", "print@contoso.com", {
      accessToken: "not-used",
      accessTokenExpiresAt: Date.now() + 3_600_000,
      refreshToken: "not-used",
      scopes: ["https://outlook.office.com/IMAP.AccessAsUser.All", "https://outlook.office.com/SMTP.Send"],
    });
    const again = await doctorJson(config, ["--offline"]);
    assert.equal(check(again.report, "smtp.token.scope", SOURCE).status, "pass");
  });
});
