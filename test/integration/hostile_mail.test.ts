import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { readdir, readFile, rm, writeFile } from "node:fs/promises";
import * as path from "node:path";
import { after, before, describe, test } from "node:test";
import { messageWithAttachment, setUpMailbox, USER } from "../helpers/mailbox_setup.ts";
import type { MailboxSetup } from "../helpers/mailbox_setup.ts";
import { runMps } from "../helpers/run_mps.ts";

const CRLF = "\r\n";
const sha256 = (bytes: string | Buffer) => createHash("sha256").update(bytes).digest("hex");

interface Seeded {
  readonly label: string;
  readonly raw: string | Buffer;
  /** The addresses the `From` structure holds: the only owners its job may have. */
  readonly owners: readonly string[];
}

function headers(label: string, from: string, subject: string, extra: readonly string[] = []): string[] {
  return [
    `From: ${from}`,
    `To: ${USER}`,
    `Subject: ${subject}`,
    `Message-ID: <${label}@hostile.test>`,
    "Date: Sun, 06 Dec 2026 10:00:00 +0000",
    "MIME-Version: 1.0",
    ...extra,
  ];
}

function pdfPart(nameHeader: string, content: string): string {
  const base64 = (Buffer.from(content).toString("base64").match(/.{1,76}/g) ?? []).join(CRLF);
  return [
    "Content-Type: application/pdf",
    `Content-Disposition: attachment; ${nameHeader}`,
    "Content-Transfer-Encoding: base64",
    "",
    base64,
  ].join(CRLF);
}

function hostileMail(): Seeded[] {
  const cjkSubject = "印刷報告書東京大阪請求見積".repeat(7).slice(0, 90);
  const mails: Seeded[] = [
    {
      label: "cjk-subject",
      raw: [
        ...headers(
          "cjk-subject",
          "Alice <alice@contoso.com>",
          `=?utf-8?b?${Buffer.from(cjkSubject).toString("base64")}?=`,
        ),
        "Content-Type: text/plain; charset=utf-8",
        "",
        "Bitte drucken.",
      ].join(CRLF),
      owners: ["alice@contoso.com"],
    },
    {
      label: "html-flood",
      raw: [
        ...headers("html-flood", "Bob <bob@contoso.com>", "HTML only"),
        "Content-Type: text/html; charset=utf-8",
        "",
        `Print me ${"<".repeat(64 * 1024)}`,
      ].join(CRLF),
      owners: ["bob@contoso.com"],
    },
    {
      label: "long-cjk-name",
      raw: [
        ...headers("long-cjk-name", "carol@contoso.com", "Long name", [
          'Content-Type: multipart/mixed; boundary="b1"',
        ]),
        "",
        "--b1",
        pdfPart(`filename*=utf-8''${encodeURIComponent(`${"請求書".repeat(100)}.pdf`)}`, "%PDF-1.4 long name"),
        "--b1--",
        "",
      ].join(CRLF),
      owners: ["carol@contoso.com"],
    },
    {
      // over 2 MiB: streamed in chunks rather than fetched in a batch
      label: "large-long-name",
      raw: [
        ...headers("large-long-name", "judy@contoso.com", "Large", ['Content-Type: multipart/mixed; boundary="b1"']),
        "",
        "--b1",
        pdfPart(`filename*=utf-8''${encodeURIComponent(`${"見積".repeat(150)}.pdf`)}`, "%PDF-1.4 ".repeat(400_000)),
        "--b1--",
        "",
      ].join(CRLF),
      owners: ["judy@contoso.com"],
    },
    {
      label: "bidi-name",
      raw: [
        ...headers("bidi-name", "dave@contoso.com", "Bidi \u202ename", [
          'Content-Type: multipart/mixed; boundary="b1"',
        ]),
        "",
        "--b1",
        pdfPart('filename="invoice\u202efdp.exe.pdf"', "%PDF-1.4 bidi"),
        "--b1--",
        "",
      ].join(CRLF),
      owners: ["dave@contoso.com"],
    },
    {
      label: "deep",
      raw: (() => {
        let entity = pdfPart('filename="deep.pdf"', "%PDF-1.4 deep");
        for (let n = 0; n < 300; n++) {
          entity =
            `Content-Type: multipart/mixed; boundary="d${n}"${CRLF}${CRLF}--d${n}${CRLF}${entity}${CRLF}--d${n}--`;
        }
        return [...headers("deep", "erin@contoso.com", "Deep"), entity, ""].join(CRLF);
      })(),
      owners: ["erin@contoso.com"],
    },
    {
      label: "huge-header",
      raw: [
        ...headers("huge-header", "frank@contoso.com", "Huge header"),
        ...Array.from({ length: 40_000 }, (_, n) => `X-Junk-${n}: ${"j".repeat(20)}`),
        "Content-Type: text/plain",
        "",
        "text",
      ].join(CRLF),
      owners: ["frank@contoso.com"],
    },
    {
      label: "broken-base64",
      raw: [
        ...headers("broken-base64", "grace@contoso.com", "Broken", ['Content-Type: multipart/mixed; boundary="b1"']),
        "",
        "--b1",
        'Content-Type: application/pdf; name="=?utf-8?B?!!!?=.pdf"',
        "Content-Transfer-Encoding: base64",
        "",
        "JVBER!!*i0xLjQ=====garbage===",
        "--b1",
      ].join(CRLF),
      owners: ["grace@contoso.com"],
    },
    {
      label: "several-from",
      raw: [
        `From: attacker@evil.com`,
        ...headers("several-from", "heidi@contoso.com", "Two senders"),
        "Content-Type: text/plain",
        "",
        "who sent this?",
      ].join(CRLF),
      owners: ["attacker@evil.com", "heidi@contoso.com"],
    },
    {
      label: "comment-from",
      raw: [
        ...headers("comment-from", "attacker@evil.com (boss@contoso.com)", "Comment"),
        "Content-Type: text/plain",
        "",
        "x",
      ].join(CRLF),
      owners: ["attacker@evil.com"],
    },
    {
      label: "quoted-from",
      raw: [
        ...headers("quoted-from", '"boss@contoso.com" <attacker@evil.com>', "Quoted"),
        "Content-Type: text/plain",
        "",
        "x",
      ].join(CRLF),
      owners: ["attacker@evil.com"],
    },
    {
      label: "group-from",
      raw: [...headers("group-from", "Undisclosed recipients:;", "Group"), "Content-Type: text/plain", "", "x"].join(
        CRLF,
      ),
      owners: [],
    },
  ];
  // `<boss@contoso.com>` hidden in an encoded display name: never the owner
  mails.push({
    label: "forged-display-name",
    raw: [
      ...headers("forged-display-name", "=?utf-8?q?=3Cboss=40contoso=2Ecom=3E?= <attacker@evil.com>", "Forged"),
      "Content-Type: text/plain",
      "",
      "I am the boss",
    ].join(CRLF),
    owners: ["attacker@evil.com"],
  });
  mails.push({
    label: "normal",
    raw: messageWithAttachment({
      from: "Ivan <ivan@contoso.com>",
      subject: "Normal PDF",
      messageId: "<normal@hostile.test>",
      content: "%PDF-1.4 the normal one",
    }),
    owners: ["ivan@contoso.com"],
  });
  return mails;
}

describe("hostile mail against Dovecot", () => {
  let box: MailboxSetup;
  before(async () => {
    box = await setUpMailbox();
    await box.storeLogin();
  });
  after(async () => {
    await box.dispose();
  });

  test("one run --once turns every hostile message into a job or a Failed entry, prints the normal mail after them and empties the inbox", async () => {
    const config = await box.writeConfig(`allowedSenders="*@contoso.com"`);
    const mails = hostileMail();
    for (const mail of mails) await box.dovecot.appendMessage(USER, mail.raw);
    const started = Date.now();
    const result = await runMps(["run", "--once", "--config", config], { timeoutMs: 90_000 });
    const took = Date.now() - started;
    const log = await box.log();
    assert.equal(result.code, 0, `${result.stderr}\n${log}`);
    assert.ok(took < 60_000, `run --once took ${took} ms`);
    assert.match(log, /MpsDownloader finished with exit code 0\n/);
    assert.deepEqual(await box.dovecot.listMessages(USER), [], "the inbox is empty");

    const byMessageId = new Map(mails.map((mail) => [`<${mail.label}@hostile.test>`, mail]));
    const jobs = await Promise.all((await box.jobs()).map((id) => box.job(id)));
    const failed = (await box.failed()).filter((name) => name.endsWith(".json"));
    assert.equal(jobs.length + failed.length, mails.length, `jobs ${jobs.length}, Failed ${failed.length}`);
    const outcomes: string[] = [];
    for (const job of jobs) {
      const mail = byMessageId.get(job.messageId);
      assert.ok(mail, `a job for an unknown message ${job.messageId}`);
      assert.ok(mail.owners.includes(job.owner), `${mail.label}: job owned by '${job.owner}', not by ${mail.owners}`);
      for (const document of job.documents) {
        assert.ok(Buffer.byteLength(document.fileName) <= 255, `${mail.label}: ${document.fileName}`);
      }
      outcomes.push(`${mail.label}: job`);
    }
    for (const name of failed) {
      const record = JSON.parse(await readFile(path.join(box.dir, "Failed", name), "utf8")) as {
        reason: string;
        messageId: string | null;
      };
      outcomes.push(`${byMessageId.get(record.messageId ?? "")?.label ?? "(headers unread)"}: ${record.reason}`);
    }
    console.log(`run --once took ${took} ms; ${outcomes.sort().join("; ")}`);
    const normal = jobs.find((job) => job.messageId === "<normal@hostile.test>");
    assert.ok(normal, "the normal mail after the hostile ones was printed");
    assert.equal(normal.owner, "ivan@contoso.com");
    assert.deepEqual(normal.documents.map((document) => document.sha256), [sha256("%PDF-1.4 the normal one")]);
  });
});

describe("a batch whose last message fails the cycle", () => {
  let box: MailboxSetup;
  before(async () => {
    box = await setUpMailbox();
    await box.storeLogin();
  });
  after(async () => {
    await box.dispose();
  });

  test("the jobs published before it still get afterDownload; the failing message stays for the next cycle", async () => {
    const config = await box.writeConfig(`printBody="never"`);
    // a file where the Failed folder must be: the message that needs Failed fails the cycle
    await writeFile(path.join(box.dir, "Failed"), "not a folder");
    await box.dovecot.appendMessage(USER, messageWithAttachment({ subject: "One" }));
    await box.dovecot.appendMessage(USER, messageWithAttachment({ subject: "Two" }));
    await box.dovecot.appendMessage(
      USER,
      messageWithAttachment({ subject: "Zip", fileName: "x.zip", contentType: "application/zip", content: "PK" }),
    );
    const result = await runMps(["run", "--once", "--config", config]);
    const log = await box.log();
    assert.equal(result.code, 1, log);
    assert.match(log, /MpsDownloader finished with exit code 1 cause="Cannot save message .* in the Failed folder/);
    assert.equal((await box.jobs()).length, 2);
    assert.deepEqual((await box.dovecot.listMessages(USER)).map((message) => message.subject), ["Zip"]);
    // once the Failed folder can be written, the next cycle finishes the message
    await rm(path.join(box.dir, "Failed"));
    assert.equal((await runMps(["run", "--once", "--config", config])).code, 0);
    assert.deepEqual(await box.dovecot.listMessages(USER), []);
    assert.equal((await box.jobs()).length, 2);
    assert.equal((await readdir(path.join(box.dir, "Failed"))).filter((name) => name.endsWith(".json")).length, 1);
  });
});
