import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import * as path from "node:path";
import { after, before, test } from "node:test";
import { messageWithAttachment, setUpMailbox, USER } from "../helpers/mailbox_setup.ts";
import type { MailboxSetup } from "../helpers/mailbox_setup.ts";
import { runMps } from "../helpers/run_mps.ts";
import { JPEG, makePng, pdf } from "../print/print_kit.ts";
import { startIppPrinter } from "../servers/index.ts";
import type { IppPrinter } from "../servers/index.ts";

let box: MailboxSetup;
let printer: IppPrinter;
before(async () => {
  [box, printer] = await Promise.all([setUpMailbox(), startIppPrinter({ formats: ["application/pdf", "image/jpeg"] })]);
  await box.storeLogin();
});
after(async () => {
  await Promise.all([box?.dispose(), printer?.stop()]);
});

function textOnly(subject: string): string {
  return [
    "From: Bob <bob@example.test>",
    `To: ${USER}`,
    `Subject: ${subject}`,
    "Message-ID: <text-only@example.test>",
    "Date: Fri, 27 Nov 2026 10:00:00 +0000",
    "MIME-Version: 1.0",
    "Content-Type: text/plain; charset=utf-8",
    "",
    "Please print this note.",
    "",
  ].join("\r\n");
}

test("mail to printer: a PDF, a text-only mail, a PNG and a JPEG are printed once each as their senders", async () => {
  const report = pdf("mailed report");
  await box.dovecot.appendMessage(
    USER,
    messageWithAttachment({ subject: "Report", fileName: "report.pdf", content: report }),
  );
  await box.dovecot.appendMessage(USER, textOnly("Note"));
  await box.dovecot.appendMessage(
    USER,
    messageWithAttachment({
      subject: "Chart",
      fileName: "chart.png",
      contentType: "image/png",
      content: makePng(60, 40),
    }),
  );
  await box.dovecot.appendMessage(
    USER,
    messageWithAttachment({ subject: "Photo", fileName: "photo.jpg", contentType: "image/jpeg", content: JPEG }),
  );
  const config = await box.writeConfig(
    `printer="office"`,
    "mps.config",
    `<printers><add name="office" uri="${printer.uri}" /></printers>`,
  );

  const first = await runMps(["run", "--once", "--config", config], { timeoutMs: 120_000 });
  assert.equal(first.code, 0, await box.log());
  const jobs = await printer.jobs();
  const names = jobs.map((job) => [job.user, job.name.replace(/\[mps:print-\d+-\d+\/(\d)\]$/, "[mps:<job>/$1]")]);
  assert.deepEqual(names, [
    ["alice@example.test", "Report - report.pdf [mps:<job>/1]"],
    ["bob@example.test", "Note - Note.txt [mps:<job>/1]"],
    ["alice@example.test", "Chart - chart.png [mps:<job>/1]"],
    ["alice@example.test", "Photo - photo.jpg [mps:<job>/1]"],
  ]);
  const received = printer.received();
  assert.equal(await readFile(path.join(printer.spoolDir, received[0] ?? ""), "utf8"), report);
  for (const index of [1, 2]) {
    assert.equal(
      (await readFile(path.join(printer.spoolDir, received[index] ?? ""))).subarray(0, 5).toString(),
      "%PDF-",
    );
  }
  assert.deepEqual(await readFile(path.join(printer.spoolDir, received[3] ?? "")), JPEG);

  const second = await runMps(["run", "--once", "--config", config], { timeoutMs: 120_000 });
  assert.equal(second.code, 0, await box.log());
  assert.equal((await printer.jobs()).length, 4, "the second run printed again");
});
