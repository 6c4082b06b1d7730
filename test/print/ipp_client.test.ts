import assert from "node:assert/strict";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { after, before, test } from "node:test";
import { IppClient } from "../../src/print/ipp_client.ts";
import { PrinterRefusedError, PrinterUnreachableError } from "../../src/print/index.ts";
import { freePort, startIppPrinter } from "../servers/index.ts";
import type { IppPrinter } from "../servers/index.ts";

let printer: IppPrinter;
let dir: string;
before(async () => {
  printer = await startIppPrinter({ formats: ["application/pdf", "image/jpeg"] });
  dir = await mkdtemp(path.join(tmpdir(), "mps-ipp-client-"));
});
after(async () => {
  await printer?.stop();
  await rm(dir, { recursive: true, force: true });
});

const client = () => new IppClient({ name: "eve", uri: printer.uri, ca: undefined, userName: "", password: "" });
const PDF = "%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n" +
  "trailer<</Root 1 0 R>>\n%%EOF\n";

test("reads the formats, the default media and the state of a real IPP Everywhere printer", async () => {
  const attributes = await client().getPrinterAttributes([
    "document-format-supported",
    "media-default",
    "printer-state",
  ]);
  assert.deepEqual(attributes.get("document-format-supported"), [
    "application/octet-stream",
    "application/pdf",
    "image/jpeg",
  ]);
  assert.deepEqual(attributes.get("media-default"), ["na_letter_8.5x11in"]);
  assert.equal(attributes.get("printer-state")?.[0], 3);
});

test("prints a document as the owner with its tag in the job name, as ipptool reads it back", async () => {
  const file = path.join(dir, "report.pdf");
  await writeFile(file, PDF);
  const { jobId } = await client().printJob({
    userName: "alice@example.test",
    jobName: "Quarterly report - report.pdf [mps:print-1-7/1]",
    format: "application/pdf",
    file,
    size: Buffer.byteLength(PDF),
  });
  const job = (await printer.jobs()).find((candidate) => candidate.id === jobId);
  assert.equal(job?.user, "alice@example.test");
  assert.equal(job?.name, "Quarterly report - report.pdf [mps:print-1-7/1]");
  const received = printer.received().find((name) => name.startsWith(`${jobId}-`));
  assert.ok(received, `no document of job ${jobId} in ${printer.received().join(", ")}`);
  assert.equal(await readFile(path.join(printer.spoolDir, received), "utf8"), PDF);
  const listed = await client().getJobs("alice@example.test");
  assert.ok(listed.some((candidate) => candidate.id === jobId && candidate.name.includes("[mps:print-1-7/1]")));
});

test("a format the printer does not take is a lasting refusal with the printer's own message", async () => {
  const file = path.join(dir, "note.txt");
  await writeFile(file, "hello\n");
  await assert.rejects(
    client().printJob({ userName: "bob", jobName: "note [mps:x/1]", format: "text/plain", file, size: 6 }),
    (error: unknown) => {
      assert.ok(error instanceof PrinterRefusedError, String(error));
      assert.equal(error.temporary, false);
      assert.equal(error.code, "ERR_PRINTER_REFUSED");
      assert.match(
        error.message,
        /^Printer 'eve' refused Print-Job: client-error-(attributes-or-values|document-format)-not-supported/,
      );
      assert.notEqual(error.printerMessage, "");
      return true;
    },
  );
});

test("a printer that is not listening is unreachable, a reason to try again later", async () => {
  const port = await freePort();
  const away = new IppClient({
    name: "gone",
    uri: `ipp://127.0.0.1:${port}/ipp/print`,
    ca: undefined,
    userName: "",
    password: "",
  });
  await assert.rejects(away.getPrinterAttributes(["printer-state"]), (error: unknown) => {
    assert.ok(error instanceof PrinterUnreachableError, String(error));
    assert.match(
      error.message,
      /^Cannot send Get-Printer-Attributes to printer 'gone' \(http:\/\/127\.0\.0\.1:\d+\/ipp\/print\): .*ECONNREFUSED/,
    );
    return true;
  });
});
