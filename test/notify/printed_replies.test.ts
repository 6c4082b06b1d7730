import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { runMps } from "../helpers/run_mps.ts";
import { pdf } from "../print/print_kit.ts";
import { startIppPrinter } from "../servers/index.ts";
import type { IppPrinter } from "../servers/index.ts";
import { messageWith, setUpNotifyKit, USER } from "./notify_kit.ts";
import type { NotifyKit } from "./notify_kit.ts";

let kit: NotifyKit;
let printer: IppPrinter;
before(async () => {
  [kit, printer] = await Promise.all([setUpNotifyKit(), startIppPrinter({ formats: ["application/pdf"] })]);
});
after(async () => {
  await Promise.all([kit?.dispose(), printer?.stop()]);
});

test("with a printer, the reply waits for delivery and says on which printer each document printed", async () => {
  const config = await kit.writeConfig({
    name: "printed.config",
    source: 'printer="floor2"',
    extra: `  <printers><add name="floor2" uri="${printer.uri}" /></printers>\n`,
  });
  await kit.box.dovecot.appendMessage(
    USER,
    messageWith([["report.pdf", "application/pdf", pdf("printed report")], [
      "tool.exe",
      "application/x-msdownload",
      "MZ",
    ]], { from: "fritz@example.test", subject: "To the printer" }),
  );
  const result = await runMps(["run", "--once", "--config", config], { timeoutMs: 120_000 });
  assert.equal(result.code, 0, await kit.box.log("printed.config"));
  assert.equal((await printer.jobs()).length, 1);
  const replies = await kit.inbox("fritz@example.test");
  assert.equal(replies.length, 1, await kit.box.log("printed.config"));
  const text = (replies[0] ?? "").replace(/=\r?\n/g, "");
  assert.match(text, /- report\.pdf: printed on floor2/);
  assert.match(text, /- tool\.exe: not printed, this file type cannot be printed \(application\/x-msdownload\)/);
});
