import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import * as path from "node:path";
import { after, before, describe, test } from "node:test";
import { messageWithAttachment, setUpMailbox, USER } from "../helpers/mailbox_setup.ts";
import type { MailboxSetup } from "../helpers/mailbox_setup.ts";
import { runMps } from "../helpers/run_mps.ts";
import { startService, waitFor } from "../helpers/service.ts";

const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

describe("the downloader against Dovecot with OAuth tokens", () => {
  let box: MailboxSetup;
  before(async () => {
    box = await setUpMailbox();
    await box.storeLogin();
  });
  after(async () => {
    await box.dispose();
  });

  test("run --once turns each message into a job, saves the unprintable one in Failed and empties the inbox", async () => {
    const config = await box.writeConfig(`printBody="never"`);
    await box.dovecot.appendMessage(USER, messageWithAttachment({ subject: "First", content: "%PDF-1.4 first" }));
    await box.dovecot.appendMessage(
      USER,
      messageWithAttachment({ subject: "Second", fileName: "b.png", contentType: "image/png", content: "PNG!" }),
    );
    await box.dovecot.appendMessage(
      USER,
      messageWithAttachment({ subject: "Zip", fileName: "x.zip", contentType: "application/zip", content: "PK" }),
    );
    const result = await runMps(["run", "--once", "--config", config]);
    assert.equal(result.code, 0, `${result.stderr}\n${await box.log()}`);
    const jobs = await box.jobs();
    assert.equal(jobs.length, 2);
    const first = await box.job(jobs[0] ?? "");
    assert.equal(first.owner, "alice@example.test");
    assert.equal(first.subject, "First");
    assert.equal(first.source, "print");
    assert.deepEqual(first.documents.map((doc) => [doc.fileName, doc.sha256]), [["doc.pdf", sha256("%PDF-1.4 first")]]);
    assert.equal(await readFile(path.join(box.dir, "Spool", first.id, "doc.pdf"), "utf8"), "%PDF-1.4 first");
    const failed = await box.failed();
    assert.equal(failed.length, 2, failed.join(", "));
    assert.ok(failed.some((name) => name.endsWith(".eml")) && failed.some((name) => name.endsWith(".json")));
    assert.deepEqual(await box.dovecot.listMessages(USER), []);
    assert.match(await box.log(), /INFO  \[downloader\/print\] MpsDownloader finished with exit code 0\n/);
  });

  test("afterDownload=seen keeps the messages, flags them and never makes a job twice", async () => {
    const config = await box.writeConfig(`afterDownload="seen"`, "seen.config");
    const before = (await box.jobs()).length;
    await box.dovecot.appendMessage(USER, messageWithAttachment({ subject: "Keep me" }));
    assert.equal((await runMps(["run", "--once", "--config", config])).code, 0);
    assert.equal((await runMps(["run", "--once", "--config", config])).code, 0);
    assert.equal((await box.jobs()).length, before + 1);
    const left = await box.dovecot.listMessages(USER);
    assert.equal(left.length, 1);
    assert.ok(left[0]?.flags.includes("\\Seen"));
  });

  test("afterDownload=move:Printed moves the message once its job is made", async () => {
    const config = await box.writeConfig(`afterDownload="move:Printed" folder="Jobs"`, "move.config");
    await box.dovecot.appendMessage(USER, messageWithAttachment({ subject: "Move me" }), "Jobs");
    await box.dovecot.appendMessage(USER, messageWithAttachment({ subject: "placeholder" }), "Printed");
    const result = await runMps(["run", "--once", "--config", config]);
    assert.equal(result.code, 0, await box.log());
    assert.deepEqual(await box.dovecot.listMessages(USER, "Jobs"), []);
    assert.deepEqual((await box.dovecot.listMessages(USER, "Printed")).map((m) => m.subject).sort(), [
      "Move me",
      "placeholder",
    ]);
  });

  test("a stopped server fails the cycle with exit code 1 and loses nothing", async () => {
    const config = await box.writeConfig("", "down.config");
    await box.dovecot.appendMessage(USER, messageWithAttachment({ subject: "While down" }));
    const count = (await box.jobs()).length;
    await box.dovecot.stop();
    try {
      const result = await runMps(["run", "--once", "--config", config]);
      assert.equal(result.code, 1);
      assert.match(
        await box.log("down.config"),
        /MpsDownloader finished with exit code 1 cause="Cannot connect to IMAP server localhost:\d+/,
      );
    } finally {
      await box.dovecot.start();
    }
    assert.equal((await box.jobs()).length, count);
    assert.equal((await runMps(["run", "--once", "--config", config])).code, 0);
    assert.equal((await box.jobs()).length, count + 1);
  });

  test("a source whose user has no stored token fails with the storage message and the login command", async () => {
    const config = await box.writeConfig(`name="other" userName="someone@example.test"`, "other.config");
    const result = await runMps(["run", "--once", "--config", config]);
    assert.equal(result.code, 1);
    const log = await box.log("other.config");
    assert.match(log, /Could not retrieve an access token from the OAuth storage/);
    assert.match(log, /mps login Local someone@example\.test/);
  });

  test("the service makes a job for a new mail as soon as IDLE announces it, long before the next poll", async () => {
    const config = await box.writeConfig(`pollInterval="60000" idle="true"`, "idle.config");
    const stop = startService(["--config", config]);
    try {
      await waitFor(
        "the first cycle",
        async () => (/MpsDownloader finished with exit code 0/.test(await box.log("idle.config")) ? true : undefined),
      );
      const before = (await box.jobs()).length;
      await new Promise((resolve) => setTimeout(resolve, 300));
      const sent = Date.now();
      await box.dovecot.appendMessage(USER, messageWithAttachment({ subject: "Idle" }));
      await waitFor("the IDLE job", async () => ((await box.jobs()).length > before ? true : undefined), 20_000)
        .catch(async (error) => assert.fail(`${error}\n${await box.log("idle.config")}`));
      // The heartbeat is 60 s away: a job this early can only come from IDLE. (How early is a
      // benchmark's business: scripts/bench-downloader.ts.)
      const waited = Date.now() - sent;
      assert.ok(waited < 20_000, `took ${waited} ms`);
    } finally {
      assert.equal(await stop(), 0);
    }
  });
});

describe("the downloader on an Outlook-like server that offers XOAUTH2 only", () => {
  let box: MailboxSetup;
  before(async () => {
    box = await setUpMailbox({ dovecot: { mechanisms: "plain xoauth2" } });
    await box.storeLogin();
  });
  after(async () => {
    await box.dispose();
  });

  test("signs in with XOAUTH2 and downloads", async () => {
    const config = await box.writeConfig();
    await box.dovecot.appendMessage(USER, messageWithAttachment());
    const result = await runMps(["run", "--once", "--config", config]);
    assert.equal(result.code, 0, await box.log());
    assert.equal((await box.jobs()).length, 1);
    const logins = await box.dovecot.logins();
    assert.ok(logins.some((login) => login.user === USER && login.method === "XOAUTH2"), JSON.stringify(logins));
  });
});

describe("the downloader with short-lived access tokens", () => {
  let box: MailboxSetup;
  before(async () => {
    box = await setUpMailbox({ accessTokenLifetime: 4 });
    await box.storeLogin();
  });
  after(async () => {
    await box.dispose();
  });

  test("refreshes a token that expires while the service runs, without a failed cycle", async () => {
    const config = await box.writeConfig(`pollInterval="1000" idle="false"`);
    const stop = startService(["--config", config]);
    try {
      for (let n = 0; n < 3; n++) {
        await box.dovecot.appendMessage(USER, messageWithAttachment({ subject: `n${n}` }));
        await new Promise((resolve) => setTimeout(resolve, 2_500));
      }
      await waitFor("three jobs", async () => ((await box.jobs()).length === 3 ? true : undefined));
    } finally {
      assert.equal(await stop(), 0);
    }
    const log = await box.log();
    assert.doesNotMatch(log, /exit code 1/);
    assert.ok(box.auth.counts.refresh_token > 0, JSON.stringify(box.auth.counts));
  });
});

describe("the downloader with a password (Imap) source", () => {
  let box: MailboxSetup;
  before(async () => {
    box = await setUpMailbox({ dovecot: { users: { [USER]: "s3cret-pass" } } });
  });
  after(async () => {
    await box.dispose();
  });

  test("signs in with the password and downloads", async () => {
    const config = await box.writeConfig(`type="Imap" password="s3cret-pass"`);
    await box.dovecot.appendMessage(USER, messageWithAttachment());
    const result = await runMps(["run", "--once", "--config", config]);
    assert.equal(result.code, 0, await box.log());
    assert.equal((await box.jobs()).length, 1);
    assert.doesNotMatch(await box.log(), /s3cret-pass/);
  });

  test("with secure=False it upgrades the plain port with STARTTLS before signing in", async () => {
    const config = await box.writeConfig(
      `type="Imap" password="s3cret-pass" secure="False" port="${box.dovecot.port}"`,
      "starttls.config",
    );
    await box.dovecot.appendMessage(USER, messageWithAttachment());
    const result = await runMps(["run", "--once", "--config", config]);
    const log = await box.log("starttls.config");
    assert.equal(result.code, 0, log);
    assert.match(log, /STARTTLS/);
    assert.equal((await box.jobs()).length, 2);
  });
});

describe("keeping an idle mailbox's refresh token alive", () => {
  let box: MailboxSetup;
  before(async () => {
    box = await setUpMailbox();
    await box.storeLogin(USER, { refreshedAt: Date.now() - 2 * 86_400_000 });
  });
  after(async () => {
    await box.dispose();
  });

  test("a run refreshes a refresh token unused for longer than refreshEveryDays, though the access token is still valid", async () => {
    const config = await box.writeConfig("", "keepalive.config");
    const { readFile, writeFile } = await import("node:fs/promises");
    await writeFile(
      config,
      (await readFile(config, "utf8")).replace('keyFile="mps.key">', 'keyFile="mps.key" refreshEveryDays="1">'),
    );
    const before = box.auth.counts.refresh_token;
    const result = await runMps(["run", "--once", "--config", config]);
    assert.equal(result.code, 0, await box.log("keepalive.config"));
    assert.equal(box.auth.counts.refresh_token, before + 1);
    assert.match(await box.log("keepalive.config"), /refreshed the stored token to keep it alive everyDays=1/);
    const again = await runMps(["run", "--once", "--config", config]);
    assert.equal(again.code, 0);
    assert.equal(box.auth.counts.refresh_token, before + 1, "a token refreshed just now needs no keep-alive");
  });
});
