import assert from "node:assert/strict";
import { connect as tcpConnect } from "node:net";
import type { Socket } from "node:net";
import { after, before, describe, test } from "node:test";
import type { Notifications } from "../../src/config/index.ts";
import { sendOverSmtp, SmtpSendError, verifySmtp } from "../../src/notify/index.ts";
import type { OutgoingReply } from "../../src/notify/index.ts";
import { setUpMailbox, USER } from "../helpers/mailbox_setup.ts";
import type { MailboxSetup } from "../helpers/mailbox_setup.ts";
import { freePort, scriptedLogin, startSubmission } from "../servers/index.ts";
import type { SubmissionServer } from "../servers/index.ts";

const REPLY: OutgoingReply = {
  from: USER,
  to: "dora@example.test",
  subject: "Print job received: test",
  text: "Hello\n",
  html: "<p>Hello</p>",
  messageId: "<mps-reply.1@example.test>",
  inReplyTo: undefined,
  references: undefined,
};

describe("SMTP through Dovecot's submission service", () => {
  let box: MailboxSetup;
  let smtp: SubmissionServer;
  let settings: Notifications;
  before(async () => {
    box = await setUpMailbox();
    smtp = await startSubmission({
      introspectionUrl: box.auth.introspectionUrl,
      mailbox: box.dovecot,
      users: { "relay@example.test": "relay-password" },
    });
    settings = {
      line: 1,
      from: USER,
      host: "localhost",
      port: smtp.port,
      secure: "starttls",
      caFile: smtp.caFile,
      auth: "oauth",
      provider: "local",
      userName: USER,
      password: "",
      onAccepted: true,
      onRejected: "allowed",
      templates: undefined,
      maxPerHour: 20,
    };
  });
  after(async () => {
    await smtp.dispose();
    await box.dispose();
  });

  test("a token far over Dovecot's 1,000-byte command line signs in with XOAUTH2 after the 334 continuation", async () => {
    const scope = ["openid email offline_access", ...Array.from({ length: 30 }, (_, i) => `api://mps/Scope${i}.All`)]
      .join(" ");
    const tokens = await scriptedLogin(box.auth, { username: USER, scope });
    assert.ok(tokens.access_token.length > 1500, `token of ${tokens.access_token.length} characters`);
    const before = smtp.sink.messages.length;
    await sendOverSmtp({ ...REPLY, subject: "long token" }, {
      settings,
      caPem: smtp.caPem,
      auth: { user: USER, accessToken: tokens.access_token },
    });
    assert.equal(smtp.sink.messages.length, before + 1);
    const raw = smtp.sink.messages.at(-1)?.raw.toString("utf8") ?? "";
    assert.match(raw, /^Auto-Submitted: auto-replied\r?$/m);
    assert.match(raw, /^Subject: long token\r?$/m);
    assert.match(await readLog(smtp.logPath), /method=XOAUTH2/);
  });

  test("a password signs in over TLS from the start (port 465)", async () => {
    const before = smtp.sink.messages.length;
    await sendOverSmtp(REPLY, {
      settings: { ...settings, port: smtp.tlsPort, secure: "tls", auth: "password", userName: "relay@example.test" },
      caPem: smtp.caPem,
      auth: { user: "relay@example.test", pass: "relay-password" },
    });
    assert.equal(smtp.sink.messages.length, before + 1);
  });

  test("a connection the caller opens (as a proxy tunnel would) carries STARTTLS and TLS sessions", async () => {
    const opened: string[] = [];
    const connect = (host: string, port: number) =>
      new Promise<Socket>((resolve, reject) => {
        opened.push(`${host}:${port}`);
        const socket = tcpConnect(port, "127.0.0.1", () => resolve(socket));
        socket.once("error", reject);
      });
    const before = smtp.sink.messages.length;
    const auth = { user: "relay@example.test", pass: "relay-password" };
    await sendOverSmtp(REPLY, { settings: { ...settings, auth: "password" }, caPem: smtp.caPem, auth, connect });
    await sendOverSmtp(REPLY, {
      settings: { ...settings, port: smtp.tlsPort, secure: "tls", auth: "password" },
      caPem: smtp.caPem,
      auth,
      connect,
    });
    assert.deepEqual(opened, [`localhost:${smtp.port}`, `localhost:${smtp.tlsPort}`]);
    assert.equal(smtp.sink.messages.length, before + 2);
  });

  test("a token the server refuses is a sign-in error with the fix, not a permanent refusal of the reply", async () => {
    const tokens = await scriptedLogin(box.auth, { username: USER, scope: "openid email offline_access" });
    const forged = `${tokens.access_token.slice(0, -4)}AAAA`;
    await assert.rejects(
      verifySmtp({ settings, caPem: smtp.caPem, auth: { user: USER, accessToken: forged } }),
      (error: unknown) => {
        assert.ok(error instanceof SmtpSendError, String(error));
        assert.equal(error.permanent, false);
        assert.match(error.message, /^Cannot sign in to SMTP server localhost:\d+ as 'print@example\.test': /);
        assert.match(error.fix ?? "", /mps login local print@example\.test/);
        assert.ok(!error.message.includes(forged), "the token is in the message");
        return true;
      },
    );
  });

  test("a server that is not there is a connection error that names host, port and how to check", async () => {
    const port = await freePort();
    await assert.rejects(
      verifySmtp({
        settings: { ...settings, port },
        caPem: smtp.caPem,
        auth: { user: USER, pass: "x" },
        timeoutMs: 5000,
      }),
      (error: unknown) => {
        assert.ok(error instanceof SmtpSendError, String(error));
        assert.equal(error.permanent, false);
        assert.match(
          error.message,
          new RegExp(`^Cannot sign in through SMTP server localhost:${port}: .*ECONNREFUSED`),
        );
        assert.match(error.fix ?? "", /reachable from this machine/);
        return true;
      },
    );
  });
});

async function readLog(file: string): Promise<string> {
  const { readFile } = await import("node:fs/promises");
  return await readFile(file, "utf8");
}
