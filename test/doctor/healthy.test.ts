import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { messageWithAttachment, USER } from "../helpers/mailbox_setup.ts";
import type { MailboxSetup } from "../helpers/mailbox_setup.ts";
import { check, doctor, doctorJson, healthyMailbox, statuses } from "./doctor_helpers.ts";

/** The mailbox as a client sees it, without \Recent (which only says which session saw a message first). */
async function mailbox(box: MailboxSetup) {
  return (await box.dovecot.listMessages(USER)).map((m) => ({
    ...m,
    flags: m.flags.filter((f) => f !== "\\Recent").sort(),
  }));
}

const SOURCE_CHECKS = [
  "token.present",
  "token.decrypt",
  "token.account",
  "token.refresh",
  "secret.valid",
  "network.connect",
  "imap.login",
  "mailbox.rights",
];

describe("mps doctor on a healthy setup (Dovecot and the local authorization server)", () => {
  let box: MailboxSetup;
  let config = "";
  before(async () => {
    box = await healthyMailbox();
    config = await box.writeConfig();
    await box.dovecot.appendMessage(USER, messageWithAttachment({ subject: "Waiting to print" }), "INBOX", [
      "\\Answered",
    ]);
  });
  after(async () => {
    await box.dispose();
  });

  test("passes every check, exits 0 and leaves the mailbox as it found it", async () => {
    const before = await mailbox(box);
    const result = await doctor(config);
    assert.equal(result.code, 0, result.stdout + result.stderr);
    assert.equal(result.stderr, "");
    const lines = result.stdout.trimEnd().split("\n");
    assert.match(lines[0] ?? "", /^mps doctor \S+: config '.+mps\.config'$/);
    assert.deepEqual(lines.slice(1, 4).map((line) => line.replace(/ {2,}.*/, "")), [
      "",
      "Installation",
      "✓ config.load",
    ]);
    assert.ok(
      lines.includes(
        "Source 'print' (ImapOAuth print@example.test at localhost:" + box.dovecot.tlsPort + ", folder 'INBOX')",
      ),
    );
    assert.match(
      result.stdout,
      /\n  ✓ mailbox\.rights +Folder 'INBOX' opens read-write; appended, flagged, deleted and expunged a test message/,
    );
    assert.match(result.stdout, /\n  - secret\.valid +Not needed: provider 'Local' is a public client/);
    assert.doesNotMatch(result.stdout, /[✗!] |Fix:|\u001b\[/, "no problem and no colour without a terminal");
    assert.equal(lines.at(-1), "All checks passed: 17 passed, 0 warnings, 0 failed, 1 skipped");
    // The test message is gone and the waiting message kept its flags.
    assert.deepEqual(await mailbox(box), before);
    assert.equal((await box.jobs()).length, 0);
  });

  test("--json prints one object with every check, in order, and the same exit code", async () => {
    const { code, report, stderr } = await doctorJson(config);
    assert.equal(code, 0);
    assert.equal(stderr, "");
    assert.deepEqual(Object.keys(report), ["version", "config", "ok", "exitCode", "counts", "options", "checks"]);
    assert.equal(report.ok, true);
    assert.equal(report.exitCode, 0);
    assert.equal(report.config, config);
    assert.deepEqual(report.counts, { pass: 17, warn: 0, fail: 0, skip: 1 });
    assert.deepEqual(report.options, { source: null, offline: false, noWrite: false });
    assert.deepEqual(report.checks.map((c) => c.id), [
      "config.load",
      "paths.spool",
      "paths.failed",
      "paths.storage",
      "paths.log",
      "disk.free",
      "secrets.access",
      ...SOURCE_CHECKS,
      "config.communicator",
      "http.port",
      "token.unused",
    ]);
    for (const c of report.checks) {
      assert.deepEqual(Object.keys(c).slice(0, 6), ["id", "source", "status", "finding", "fix", "code"], c.id);
      assert.equal(c.source, SOURCE_CHECKS.includes(c.id) ? "print" : null, c.id);
      assert.ok(!c.finding.includes("\n"), `${c.id}: one line`);
      if (c.status === "pass" || c.status === "skip") assert.equal(c.fix, null, c.id);
    }
    assert.deepEqual(check(report, "network.connect").details?.["addresses"], ["127.0.0.1"]);
    assert.equal(check(report, "mailbox.rights").details?.["testMessage"] !== undefined, true);
  });

  test("--no-write sets and clears a flag on a message there, and appends nothing", async () => {
    const before = await mailbox(box);
    const { code, report } = await doctorJson(config, ["--no-write"]);
    assert.equal(code, 0);
    const rights = check(report, "mailbox.rights");
    assert.equal(rights.status, "pass");
    assert.match(
      rights.finding,
      /set and cleared \\Flagged on message UID \d+; append and delete not tried \(--no-write\)/,
    );
    assert.deepEqual(report.options, { source: null, offline: false, noWrite: true });
    assert.deepEqual(await mailbox(box), before);
  });

  test("--source checks that source only and still checks the installation", async () => {
    const two = await box.writeConfig(`name="second"`, "two.config");
    const { code, report } = await doctorJson(two, ["--source", "SECOND"]);
    assert.equal(code, 0);
    assert.equal(report.options.source, "SECOND");
    assert.deepEqual(Object.keys(statuses(report, "second")), SOURCE_CHECKS);
    assert.equal(check(report, "config.load").status, "pass");
  });

  test("--source with a name that is not in the config is a usage error (exit 2)", async () => {
    const result = await doctor(config, ["--source", "nope"]);
    assert.equal(result.code, 2);
    assert.equal(result.stdout, "");
    assert.match(
      result.stderr,
      /^mps: option '--source': there is no source named 'nope' in '.+' \(sources: 'print'\)\n$/,
    );
  });
});
