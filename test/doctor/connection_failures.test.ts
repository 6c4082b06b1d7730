import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import * as path from "node:path";
import { after, describe, test } from "node:test";
import { messageWithAttachment, USER } from "../helpers/mailbox_setup.ts";
import type { MailboxSetup } from "../helpers/mailbox_setup.ts";
import { runMps } from "../helpers/run_mps.ts";
import { check, doctor, doctorJson, editConfig, healthyMailbox, statuses } from "./doctor_helpers.ts";
import { startNotConnectedImap } from "./scripted_imap.ts";

const boxes: MailboxSetup[] = [];
async function mailbox(options: Parameters<typeof healthyMailbox>[0] = {}): Promise<MailboxSetup> {
  const box = await healthyMailbox(options);
  boxes.push(box);
  return box;
}
after(async () => {
  await Promise.all(boxes.map((box) => box.dispose()));
});

describe("mps doctor finds connection and mailbox problems", { concurrency: true }, () => {
  test("Dovecot stopped: network.connect fails with the connect fix, and IMAP is not tried", async () => {
    const box = await mailbox();
    const config = await box.writeConfig();
    await box.dovecot.stop();
    const result = await doctor(config);
    assert.equal(result.code, 2);
    assert.match(
      result.stdout,
      new RegExp(
        `\\n  ✗ network\\.connect +Cannot connect to IMAP server localhost:${box.dovecot.tlsPort}: connect ECONNREFUSED 127\\.0\\.0\\.1:${box.dovecot.tlsPort}\\n` +
          `      Fix: Check host="localhost" and port="${box.dovecot.tlsPort}", that the server is up, and that no firewall or proxy blocks the connection\\n` +
          `  - imap\\.login +Not checked: network\\.connect failed\\n  - mailbox\\.rights +Not checked: imap\\.login was not checked\\n`,
      ),
    );
    assert.match(result.stdout, /\n  ✓ token\.refresh /);
    assert.match(result.stdout, /\nProblems found: 14 passed, 0 warnings, 1 failed, 3 skipped\n$/);
  });

  test("a certificate for another host name: network.connect names the names it is for", async () => {
    const box = await mailbox({ dovecot: { certHosts: ["mail.wrong.example"] } });
    const { code, report } = await doctorJson(await box.writeConfig());
    assert.equal(code, 2);
    const network = check(report, "network.connect");
    assert.equal(network.code, "ERR_IMAP_TLS");
    assert.equal(
      network.finding,
      `Cannot trust the IMAP server localhost:${box.dovecot.tlsPort}: its certificate is for another host name ` +
        "(Host: localhost. is not in the cert's altnames: DNS:mail.wrong.example) (ERR_TLS_CERT_ALTNAME_INVALID)",
    );
    assert.match(network.fix ?? "", /^Use the host name the certificate was issued for in host="…"/);
    assert.deepEqual(
      (network.details?.["certificate"] as Record<string, unknown>)["subjectAltName"],
      "DNS:mail.wrong.example",
    );
    assert.equal(check(report, "imap.login").status, "skip");
  });

  test("a server certificate that expires within 14 days is a warning (exit 1)", async () => {
    const box = await mailbox({ dovecot: { certDays: 5 } });
    const { code, report } = await doctorJson(await box.writeConfig());
    assert.equal(code, 1);
    const network = check(report, "network.connect");
    assert.equal(network.code, "WARN_CERT_EXPIRING");
    assert.match(network.finding, /; it expires in 4 days, on \d{4}-/);
    assert.match(network.fix ?? "", /^Renew the IMAP server's certificate before /);
    assert.equal(check(report, "mailbox.rights").status, "pass");
  });

  test("a server certificate from a private CA without caFile: network.connect says to give caFile", async () => {
    const box = await mailbox();
    const config = await editConfig(await box.writeConfig(), (text) => text.replace(/ caFile="[^"]*"/, ""));
    const { report } = await doctorJson(config);
    const network = check(report, "network.connect");
    assert.equal(network.code, "ERR_IMAP_TLS");
    assert.match(
      network.finding,
      /its certificate is not signed by a trusted authority \(self-signed or a private CA\) \(UNABLE_TO_VERIFY_LEAF_SIGNATURE\)$/,
    );
    assert.match(
      network.fix ?? "",
      /^Give the source caFile="…" with the PEM of the CA that signed the server's certificate/,
    );
  });

  test("a mailbox the account may not change: 'Test connection was not successful', and mps run logs the same words", async () => {
    const box = await mailbox();
    const config = await box.writeConfig();
    await box.dovecot.appendMessage(USER, messageWithAttachment({ subject: "Stuck" }));
    // Dovecot runs mail processes as nobody, so file permissions bite even though the tests run as root.
    for (const part of ["cur", "new", "tmp"]) {
      execFileSync("chmod", ["a-w", path.join(box.dovecot.mailDir(USER), part)]);
    }
    try {
      const { code, report } = await doctorJson(config);
      assert.equal(code, 2);
      const rights = check(report, "mailbox.rights");
      assert.equal(rights.code, "ERR_MAILBOX_RIGHTS");
      assert.equal(
        rights.finding,
        `Test connection was not successful: '${USER}' may not change messages in folder 'INBOX' on localhost:${box.dovecot.tlsPort}: ` +
          "the folder opens read-only ([READ-ONLY])",
      );
      assert.match(
        rights.fix ?? "",
        /^Re-grant the permission: the app registration needs the delegated permission IMAP\.AccessAsUser\.All .* `mps login local print@example\.test`\.$/,
      );
      assert.equal(check(report, "imap.login").status, "pass");
      const noWrite = await doctorJson(config, ["--no-write"]);
      assert.equal(check(noWrite.report, "mailbox.rights").code, "ERR_MAILBOX_RIGHTS");
      // The run-time log line carries the same finding and fix.
      const run = await runMps(["run", "--once", "--config", config]);
      assert.equal(run.code, 1);
      const log = await box.log();
      assert.match(
        log,
        /Test connection was not successful: 'print@example\.test' may not delete messages in folder 'INBOX'/,
      );
      assert.ok(log.includes(rights.fix ?? "?"), log);
    } finally {
      for (const part of ["cur", "new", "tmp"]) {
        execFileSync("chmod", ["u+w", path.join(box.dovecot.mailDir(USER), part)]);
      }
    }
  });

  test("mps run never turns doctor's test message into a print job (it may see it in the moment it exists)", async () => {
    const box = await mailbox();
    const config = await box.writeConfig();
    const test = messageWithAttachment({ subject: "mps doctor test 1" }).replace(
      "MIME-Version:",
      "X-Mps-Doctor: test\r\nMIME-Version:",
    );
    await box.dovecot.appendMessage(USER, test);
    await box.dovecot.appendMessage(USER, messageWithAttachment({ subject: "Real job" }));
    const run = await runMps(["run", "--once", "--config", config]);
    assert.equal(run.code, 0, await box.log());
    assert.equal((await box.jobs()).length, 1);
    assert.equal((await box.job((await box.jobs())[0] ?? "")).subject, "Real job");
    assert.deepEqual((await box.dovecot.listMessages(USER)).map((m) => m.subject), ["mps doctor test 1"]);
  });

  test("Exchange's 'User is authenticated but not connected' (NAMESPACE BAD, from a scripted IMAP responder, not Dovecot)", async () => {
    const box = await mailbox();
    const exchange = await startNotConnectedImap(box.dir);
    try {
      const config = await box.writeConfig(`host="127.0.0.1" port="${exchange.port}" caFile="${exchange.caFile}"`);
      const result = await doctor(config);
      assert.equal(result.code, 2);
      assert.match(
        result.stdout,
        new RegExp(
          `\\n  ✗ imap\\.login +User is authenticated but not connected: 'print@example\\.test' signed in to 127\\.0\\.0\\.1:${exchange.port}, ` +
            "but the server refused the next command \\(IMAP is disabled for this mailbox\\)\\n" +
            "      Fix: Enable IMAP for the mailbox in the Exchange admin center \\(Recipients > Mailboxes > print@example\\.test > " +
            "Email apps > IMAP on, or Set-CASMailbox -ImapEnabled \\$true\\); the change can take hours to reach every server\\n",
        ),
      );
      assert.ok(
        exchange.commands.some((command) => command.startsWith("AUTHENTICATE XOAUTH2")),
        exchange.commands.join("\n"),
      );
      assert.ok(exchange.commands.includes("NAMESPACE"), exchange.commands.join("\n"));
      const { report } = await doctorJson(config);
      assert.equal(check(report, "imap.login").code, "ERR_IMAP_NOT_CONNECTED");
      assert.equal(check(report, "network.connect").status, "pass");
      assert.deepEqual(statuses(report, "print")["mailbox.rights"], "skip");
    } finally {
      await exchange.stop();
    }
  });
});
