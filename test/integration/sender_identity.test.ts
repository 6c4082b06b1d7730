import assert from "node:assert/strict";
import { readFile, writeFile } from "node:fs/promises";
import * as path from "node:path";
import { after, before, describe, test } from "node:test";
import { messageWithAttachment, setUpMailbox, USER } from "../helpers/mailbox_setup.ts";
import type { MailboxSetup } from "../helpers/mailbox_setup.ts";
import { mpsConfigXml } from "../helpers/mps_config_xml.ts";
import { runMps } from "../helpers/run_mps.ts";

const EXCHANGE_PASS = "Authentication-Results: spf=pass (sender IP is 203.0.113.7)\r\n smtp.mailfrom=contoso.com; " +
  "dkim=pass (signature was verified)\r\n header.d=contoso.com;dmarc=pass action=none\r\n " +
  "header.from=contoso.com;compauth=pass reason=100";

describe("the sender of mail from Dovecot", () => {
  let box: MailboxSetup;
  before(async () => {
    box = await setUpMailbox();
    await box.storeLogin();
  });
  after(async () => {
    await box.dispose();
  });

  test("run --once prints only what the receiving server vouches for, under the From structure's address", async () => {
    const config = await box.writeConfig(`requireAuthenticated="true" allowedSenders="*@contoso.com"`);
    const append = (headers: string, from: string, subject: string) =>
      box.dovecot.appendMessage(USER, `${headers}${messageWithAttachment({ from, subject })}`);
    await append(`${EXCHANGE_PASS}\r\n`, "Boss <boss@contoso.com>", "genuine");
    await append(`${EXCHANGE_PASS}\r\n`, "=?utf-8?q?=3Cboss=40contoso=2Ecom=3E?= <attacker@evil.com>", "encoded name");
    await append(`${EXCHANGE_PASS}\r\nFrom: attacker@evil.com\r\n`, "Boss <boss@contoso.com>", "two From");
    await append(
      "Authentication-Results: mx.contoso.com; dmarc=fail header.from=contoso.com\r\n" +
        "Authentication-Results: mx.contoso.com; dmarc=pass header.from=contoso.com\r\n",
      "Boss <boss@contoso.com>",
      "forged lower header",
    );
    await append("", "undisclosed-recipients:;", "empty group");
    const result = await runMps(["run", "--once", "--config", config]);
    assert.equal(result.code, 0, `${result.stderr}\n${await box.log()}`);

    const jobs = await Promise.all((await box.jobs()).map((id) => box.job(id)));
    assert.deepEqual(jobs.map((job) => [job.subject, job.owner]), [["genuine", "boss@contoso.com"]]);
    const records = await Promise.all(
      (await box.failed()).filter((name) => name.endsWith(".json")).map(async (name) =>
        JSON.parse(await readFile(path.join(box.dir, "Failed", name), "utf8")) as Record<string, string | null>
      ),
    );
    assert.deepEqual(records.map((record) => [record["subject"], record["reason"], record["sender"]]).sort(), [
      ["empty group", "no-sender", null],
      ["encoded name", "not-authenticated", "attacker@evil.com"],
      ["forged lower header", "not-authenticated", "boss@contoso.com"],
      ["two From", "ambiguous-sender", null],
    ]);
    const encoded = records.find((record) => record["subject"] === "encoded name");
    assert.equal(
      encoded?.["message"],
      "The topmost Authentication-Results header without an authserv-id vouches for header.from=contoso.com, but the sender is attacker@evil.com",
    );
    assert.deepEqual(await box.dovecot.listMessages(USER), []);
  });

  test("two sources whose names differ only in punctuation make jobs under different ids", async () => {
    const file = path.join(box.dir, "prefix.config");
    const source = (name: string, folder: string) =>
      `name="${name}" type="ImapOAuth" provider="Local" host="localhost" port="${box.dovecot.tlsPort}" ` +
      `userName="${USER}" caFile="${box.dovecot.caFile}" folder="${folder}"`;
    const xml = mpsConfigXml({
      source: [],
      logFile: "prefix.log",
      logLevel: "debug",
      storage: "oauth-storage",
      keyFile: "mps.key",
      issuer: box.auth.issuer,
      clientId: box.auth.clientId,
    }).replace(/<add\s*\/>/, `<add ${source("print a@x", "Left")} />\n    <add ${source("print_a@x", "Right")} />`);
    await writeFile(file, xml);
    const before = new Set(await box.jobs());
    await box.dovecot.appendMessage(USER, messageWithAttachment({ subject: "left" }), "Left");
    await box.dovecot.appendMessage(USER, messageWithAttachment({ subject: "right" }), "Right");
    const result = await runMps(["run", "--once", "--config", file]);
    assert.equal(result.code, 0, `${result.stderr}\n${await box.log("prefix.config")}`);
    const made = (await box.jobs()).filter((id) => !before.has(id));
    const jobs = await Promise.all(made.map((id) => box.job(id)));
    assert.deepEqual(jobs.map((job) => [job.source, job.subject, job.id.replace(/-\d+-\d+$/, "")]).sort(), [
      ["print a@x", "left", "print_a@x_ef99c796"],
      ["print_a@x", "right", "print_a@x"],
    ]);
  });
});
