import assert from "node:assert/strict";
import { writeFile } from "node:fs/promises";
import * as path from "node:path";
import { after, before, describe, test } from "node:test";
import { messageWithAttachment, setUpMailbox, USER } from "../helpers/mailbox_setup.ts";
import type { MailboxSetup } from "../helpers/mailbox_setup.ts";
import { mpsConfigXml } from "../helpers/mps_config_xml.ts";
import { runMps } from "../helpers/run_mps.ts";
import { check, doctorJson } from "../doctor/doctor_helpers.ts";

const SHARED = "shared@example.test";
const OUTSIDER = "outsider@example.test";

describe("a shared mailbox opened with a delegate's sign-in (Dovecot with a Full Access table)", () => {
  let box: MailboxSetup;
  before(async () => {
    // USER has Full Access to SHARED; OUTSIDER has not. XOAUTH2 only, as Outlook offers it.
    box = await setUpMailbox({
      dovecot: { mechanisms: "plain xoauth2", fullAccess: { [SHARED]: [USER] }, certDays: 90 },
    });
    await box.storeLogin(USER);
    await box.storeLogin(OUTSIDER);
  });
  after(async () => {
    await box.dispose();
  });

  /** A config whose source signs in as `userName` and opens the shared mailbox; no name="…". */
  const writeConfig = async (userName: string, file: string) => {
    const config = path.join(box.dir, file);
    await writeFile(
      config,
      mpsConfigXml({
        source: [
          ["type", "ImapOAuth"],
          ["provider", "Local"],
          ["host", "localhost"],
          ["port", String(box.dovecot.tlsPort)],
          ["userName", userName],
          ["mailbox", SHARED],
          ["caFile", box.dovecot.caFile],
          ["idle", "false"],
        ],
        logFile: file.replace(/\.config$/, ".log"),
        logLevel: "debug",
        storage: "oauth-storage",
        keyFile: "mps.key",
        issuer: box.auth.issuer,
        clientId: box.auth.clientId,
      }),
    );
    return config;
  };

  test("mps run --once makes the shared mailbox's mail into jobs named after the mailbox", async () => {
    await box.dovecot.appendMessage(SHARED, messageWithAttachment({ subject: "For the team printer" }));
    const config = await writeConfig(USER, "delegate.config");
    const result = await runMps(["run", "--once", "--config", config], { cwd: box.dir });
    assert.equal(result.code, 0, `${result.stderr}\n${await box.log("delegate.config")}`);
    const jobs = await box.jobs();
    assert.equal(jobs.length, 1);
    assert.match(jobs[0] ?? "", /^shared@example\.test-\d+-1$/);
    const job = await box.job(jobs[0] ?? "");
    assert.equal(job.source, SHARED);
    assert.equal(job.subject, "For the team printer");
    assert.deepEqual(await box.dovecot.listMessages(SHARED), [], "the message left the shared mailbox");
    // The login was XOAUTH2 with user= the shared mailbox and the delegate's token.
    const logins = await box.dovecot.logins();
    assert.ok(logins.some((login) => login.user === SHARED && login.method === "XOAUTH2"), JSON.stringify(logins));
    assert.match(await box.log("delegate.config"), /\[downloader\/shared@example\.test\]/);
  });

  test("doctor passes and says whose sign-in opens the shared mailbox", async () => {
    const config = await writeConfig(USER, "delegate.config");
    const { report } = await doctorJson(config);
    const login = check(report, "imap.login", SHARED);
    assert.equal(login.status, "pass", JSON.stringify(login));
    assert.match(login.finding, new RegExp(`as '${USER}' \\(OAuth\\) to the shared mailbox '${SHARED}'`));
    assert.equal(check(report, "mailbox.rights", SHARED).status, "pass");
  });

  test("without Full Access: run --once fails and doctor explains which permission to give", async () => {
    const config = await writeConfig(OUTSIDER, "outsider.config");
    const result = await runMps(["run", "--once", "--config", config], { cwd: box.dir });
    assert.equal(result.code, 1);
    assert.match(await box.log("outsider.config"), /ERR_IMAP_SHARED_MAILBOX/);

    const { code, report } = await doctorJson(config);
    assert.equal(code, 2);
    const login = check(report, "imap.login", SHARED);
    assert.equal(login.status, "fail");
    assert.equal(login.code, "ERR_IMAP_SHARED_MAILBOX");
    assert.match(login.finding, new RegExp(`refused '${OUTSIDER}' access to the shared mailbox '${SHARED}'`));
    assert.match(
      login.fix ?? "",
      new RegExp(`Add-MailboxPermission -Identity ${SHARED} -User ${OUTSIDER} -AccessRights FullAccess`),
    );
  });
});
