import assert from "node:assert/strict";
import { readdir, readFile, writeFile } from "node:fs/promises";
import * as path from "node:path";
import { after, before, describe, test } from "node:test";
import { runMps } from "../helpers/run_mps.ts";
import { messageWith, setUpNotifyKit, USER } from "./notify_kit.ts";
import type { NotifyKit } from "./notify_kit.ts";

const PDF: readonly [string, string, string] = ["doc.pdf", "application/pdf", "%PDF-1.4 test"];

function header(raw: string, name: string): string | undefined {
  const match = new RegExp(`^${name}:[ \\t]*(.*(?:\\r?\\n[ \\t].*)*)`, "im").exec(raw);
  return match?.[1]?.replace(/\r?\n[ \t]+/g, " ").trim();
}

function decoded(raw: string): string {
  return raw.replace(/=\r?\n/g, "").replace(
    /=([0-9A-F]{2})/g,
    (_, hex: string) => String.fromCharCode(parseInt(hex, 16)),
  );
}

describe("replies to senders through a real SMTP server (Dovecot submission, XOAUTH2)", () => {
  let kit: NotifyKit;
  before(async () => {
    kit = await setUpNotifyKit();
  });
  after(async () => {
    await kit.dispose();
  });

  test("a mail with a PDF and an .exe gets one reply in German listing both with their outcomes", async () => {
    const config = await kit.writeConfig({
      name: "german.config",
      localization: '<localization language="de" default="en" />',
    });
    const from = "anna@example.test";
    await kit.box.dovecot.appendMessage(
      USER,
      messageWith([PDF, ["setup.exe", "application/x-msdownload", "MZ"]], {
        from: `Anna <${from}>`,
        subject: "Quartalsbericht",
        messageId: "<q3-report@example.test>",
        headers: ["References: <earlier@example.test>"],
      }),
    );
    const result = await runMps(["run", "--once", "--config", config]);
    assert.equal(result.code, 0, await kit.box.log("german.config"));
    assert.equal((await kit.box.jobs()).length, 1);
    const replies = await kit.inbox(from);
    assert.equal(replies.length, 1, await kit.box.log("german.config"));
    const reply = replies[0] ?? "";
    assert.equal(header(reply, "Subject"), "Druckauftrag erhalten: Quartalsbericht");
    assert.equal(header(reply, "Auto-Submitted"), "auto-replied");
    assert.equal(header(reply, "In-Reply-To"), "<q3-report@example.test>");
    assert.equal(header(reply, "References"), "<earlier@example.test> <q3-report@example.test>");
    assert.match(header(reply, "Content-Type") ?? "", /^multipart\/alternative/);
    const body = decoded(reply);
    assert.match(body, /- doc\.pdf: zum Drucken eingereiht/);
    assert.match(
      body,
      /- setup\.exe: nicht gedruckt, dieser Dateityp kann nicht gedruckt werden \(application\/x-msdownload\)/,
    );
    assert.match(body, /<li>doc\.pdf: zum Drucken eingereiht<\/li>/);
    assert.match(
      await kit.box.log("german.config"),
      /INFO {2}\[notify\] reply to the sender sent job=print-\d+-\d+ to=anna@example\.test/,
    );
  });

  test("a refused mail from an allowed sender gets the reason; a disallowed sender gets nothing with onRejected=allowed", async () => {
    const config = await kit.writeConfig({
      name: "rejected.config",
      source: 'allowedSenders="*@example.test" printBody="never"',
    });
    await kit.box.dovecot.appendMessage(
      USER,
      messageWith([["archive.zip", "application/zip", "PK"]], { from: "bert@example.test", subject: "Zip please" }),
    );
    await kit.box.dovecot.appendMessage(USER, messageWith([PDF], { from: "mallory@evil.test", subject: "Spoof" }));
    const result = await runMps(["run", "--once", "--config", config]);
    assert.equal(result.code, 0, await kit.box.log("rejected.config"));
    const replies = await kit.inbox("bert@example.test");
    assert.equal(replies.length, 1, await kit.box.log("rejected.config"));
    assert.equal(header(replies[0] ?? "", "Subject"), "Not printed: Zip please");
    assert.match(decoded(replies[0] ?? ""), /It has nothing that can be printed/);
    assert.match(decoded(replies[0] ?? ""), /Attach the documents as PDF/);
    assert.deepEqual(await kit.inbox("mallory@evil.test"), []);
    assert.ok(!kit.smtp.sink.messages.some((message) => message.to.includes("mallory@evil.test")));
  });

  test("automatic mail, lists, bounces and machine addresses get no reply, and their jobs are still made", async () => {
    const config = await kit.writeConfig({ name: "loops.config" });
    const jobsBefore = (await kit.box.jobs()).length;
    const senders = ["auto@example.test", "bulk@example.test", "list@example.test", "bounce@example.test"] as const;
    await kit.box.dovecot.appendMessage(
      USER,
      messageWith([PDF], { from: senders[0], headers: ["Auto-Submitted: auto-generated"] }),
    );
    await kit.box.dovecot.appendMessage(USER, messageWith([PDF], { from: senders[1], headers: ["Precedence: bulk"] }));
    await kit.box.dovecot.appendMessage(
      USER,
      messageWith([PDF], { from: senders[2], headers: ["List-Id: <printers.example.test>"] }),
    );
    await kit.box.dovecot.appendMessage(USER, messageWith([PDF], { from: senders[3], headers: ["Return-Path: <>"] }));
    await kit.box.dovecot.appendMessage(USER, messageWith([PDF], { from: "MAILER-DAEMON@example.test" }));
    await kit.box.dovecot.appendMessage(USER, messageWith([PDF], { from: USER }));
    const result = await runMps(["run", "--once", "--config", config]);
    assert.equal(result.code, 0, await kit.box.log("loops.config"));
    assert.equal((await kit.box.jobs()).length, jobsBefore + 6);
    for (const sender of [...senders, "mailer-daemon@example.test", USER]) {
      assert.deepEqual(await kit.inbox(sender), [], `a reply went to ${sender}`);
    }
    assert.equal([...(await kit.box.log("loops.config")).matchAll(/\[notify\] no reply to the sender/g)].length, 6);
  });

  test("30 mails from one sender give maxPerHour replies, also over several runs", async () => {
    const config = await kit.writeConfig({ name: "flood.config", notifications: 'maxPerHour="4"' });
    const from = "flood@example.test";
    for (let i = 0; i < 20; i++) {
      await kit.box.dovecot.appendMessage(USER, messageWith([PDF], { from, subject: `Flood ${i}` }));
    }
    assert.equal((await runMps(["run", "--once", "--config", config], { timeoutMs: 120_000 })).code, 0);
    for (let i = 20; i < 30; i++) {
      await kit.box.dovecot.appendMessage(USER, messageWith([PDF], { from, subject: `Flood ${i}` }));
    }
    assert.equal((await runMps(["run", "--once", "--config", config], { timeoutMs: 120_000 })).code, 0);
    assert.equal((await kit.inbox(from)).length, 4, await kit.box.log("flood.config"));
    assert.equal([...(await kit.box.log("flood.config")).matchAll(/too many this hour/g)].length, 26);
  });

  test("with the SMTP server stopped jobs are made, and the replies go out once each after it returns", async () => {
    const config = await kit.writeConfig({ name: "down.config" });
    const from = "carla@example.test";
    await kit.smtp.stop();
    try {
      for (const subject of ["One", "Two"]) {
        await kit.box.dovecot.appendMessage(USER, messageWith([PDF], { from, subject }));
      }
      const jobsBefore = (await kit.box.jobs()).length;
      const down = await runMps(["run", "--once", "--config", config]);
      assert.equal(down.code, 0, await kit.box.log("down.config"));
      assert.equal((await kit.box.jobs()).length, jobsBefore + 2);
      const outbox = (await readdir(path.join(kit.box.dir, "Spool", ".outbox"))).filter((name) =>
        name.endsWith(".json")
      );
      assert.equal(outbox.length, 2);
      assert.match(
        await kit.box.log("down.config"),
        /WARN {2}\[notify\] reply to the sender not sent; it stays in the outbox/,
      );
      // each reply tried once in that run: the cycle's send, and run --once's final try skips what it tried
      assert.equal([...(await kit.box.log("down.config")).matchAll(/reply to the sender not sent/g)].length, 2);
    } finally {
      await kit.smtp.start();
    }
    assert.equal((await runMps(["run", "--once", "--config", config])).code, 0);
    assert.equal((await runMps(["run", "--once", "--config", config])).code, 0);
    const replies = await kit.inbox(from);
    assert.deepEqual(replies.map((reply) => header(reply, "Subject")).sort(), [
      "Print job received: One",
      "Print job received: Two",
    ]);
    const outbox = (await readdir(path.join(kit.box.dir, "Spool", ".outbox"))).filter((name) => name.endsWith(".json"));
    assert.deepEqual(outbox, []);
  });

  test('app-only replies sign in with a client credentials token (Microsoft provider, auth="app")', async () => {
    kit.box.auth.setAppMailbox(USER);
    const config = await kit.writeConfig({ name: "app.config", notifications: 'auth="app" provider="Microsoft"' });
    await writeFile(
      config,
      (await readFile(config, "utf8")).replace(
        "  </oauth>",
        `    <provider name="Microsoft" authority="${kit.box.auth.issuer}" clientId="${kit.box.auth.clientId}" clientSecret="${kit.box.auth.clientSecret}" />\n  </oauth>`,
      ),
    );
    const grants = kit.box.auth.counts.client_credentials;
    await kit.box.dovecot.appendMessage(USER, messageWith([PDF], { from: "app@example.test", subject: "App-only" }));
    const result = await runMps(["run", "--once", "--config", config]);
    assert.equal(result.code, 0, await kit.box.log("app.config"));
    const replies = await kit.inbox("app@example.test");
    assert.equal(replies.length, 1, await kit.box.log("app.config"));
    assert.equal(header(replies[0] ?? "", "Subject"), "Print job received: App-only");
    assert.ok(kit.box.auth.counts.client_credentials > grants);
  });
});
