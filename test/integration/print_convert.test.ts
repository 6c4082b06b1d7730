import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readdir, readFile } from "node:fs/promises";
import * as path from "node:path";
import { test } from "node:test";
import { ROOT, runMps } from "../helpers/run_mps.ts";
import { JPEG, makePng, pdf, setUpPrinting } from "../print/print_kit.ts";
import { startIppPrinter } from "../servers/index.ts";

test("text and PNG become PDFs mps renders, JPEG and PDF go as they are: four IPP jobs", async (t) => {
  const printer = await startIppPrinter({ formats: ["application/pdf", "image/jpeg"] });
  const setup = await setUpPrinting(`uri="${printer.uri}"`);
  t.after(async () => {
    await printer.stop();
    await setup.dispose();
  });
  const report = pdf("four");
  await setup.addJob("in-9", "hana@example.test", "Four kinds", [
    { name: "body.txt", type: "text/plain", content: "Please print these.\nПривет, Γειά σου\n" },
    { name: "report.pdf", type: "application/pdf", content: report },
    { name: "chart.png", type: "image/png", content: makePng(300, 200) },
    { name: "photo.jpg", type: "image/jpeg", content: JPEG },
  ]);
  const result = await runMps(["run", "--once", "--config", setup.config], { timeoutMs: 60_000 });
  assert.equal(result.code, 0, await setup.log());
  const jobs = await printer.jobs();
  assert.deepEqual(jobs.map((job) => [job.user, job.name]), [
    ["hana@example.test", "Four kinds - body.txt [mps:in-9/1]"],
    ["hana@example.test", "Four kinds - report.pdf [mps:in-9/2]"],
    ["hana@example.test", "Four kinds - chart.png [mps:in-9/3]"],
    ["hana@example.test", "Four kinds - photo.jpg [mps:in-9/4]"],
  ]);
  const record = await setup.delivery("in-9");
  assert.deepEqual(record?.documents.map((document) => document.format), [
    "application/pdf",
    "application/pdf",
    "application/pdf",
    "image/jpeg",
  ]);
  const received = printer.received();
  const bytes = await Promise.all(received.map((name) => readFile(path.join(printer.spoolDir, name))));
  assert.equal(bytes.length, 4);
  assert.equal(bytes[0]?.subarray(0, 5).toString(), "%PDF-");
  assert.equal(bytes[1]?.toString(), report);
  assert.equal(bytes[2]?.subarray(0, 5).toString(), "%PDF-");
  assert.deepEqual(bytes[3], JPEG);
});

const DOCX = path.join(ROOT, "test", "print", "fixtures", "letter.docx");
const DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";

test("LibreOffice converts a .docx to PDF for a printer that does not take it", async (t) => {
  const printer = await startIppPrinter({ formats: ["application/pdf"] });
  const setup = await setUpPrinting(`uri="${printer.uri}"`, `<convert soffice="auto" />`);
  t.after(async () => {
    await printer.stop();
    await setup.dispose();
  });
  await setup.addJob("in-10", "ivan@example.test", "Letter", [
    { name: "letter.docx", type: DOCX_TYPE, content: await readFile(DOCX) },
  ]);
  const result = await runMps(["run", "--once", "--config", setup.config], { timeoutMs: 180_000 });
  assert.equal(result.code, 0, await setup.log());
  assert.deepEqual((await printer.jobs()).map((job) => job.name), ["Letter - letter.docx [mps:in-10/1]"]);
  const [received] = printer.received();
  const file = path.join(printer.spoolDir, received ?? "");
  assert.equal((await readFile(file)).subarray(0, 5).toString(), "%PDF-");
  assert.match(execFileSync("pdftotext", [file, "-"]).toString(), /Hello from Writer/);
  assert.deepEqual(await readdir(path.join(setup.spool, ".convert", "work")), [], "a conversion left files behind");
});

test("without LibreOffice an office document is refused as cannot-convert and the job goes to Failed", async (t) => {
  const printer = await startIppPrinter({ formats: ["application/pdf"] });
  const setup = await setUpPrinting(`uri="${printer.uri}"`, `<convert soffice="/nonexistent/soffice" />`);
  t.after(async () => {
    await printer.stop();
    await setup.dispose();
  });
  await setup.addJob("in-11", "ivan@example.test", "Letter", [
    { name: "letter.docx", type: DOCX_TYPE, content: await readFile(DOCX) },
    { name: "note.pdf", type: "application/pdf", content: pdf("note") },
  ]);
  const result = await runMps(["run", "--once", "--config", setup.config], { timeoutMs: 60_000 });
  assert.equal(result.code, 1, await setup.log());
  assert.deepEqual((await printer.jobs()).map((job) => job.name), ["Letter - note.pdf [mps:in-11/2]"]);
  const json = (await readdir(setup.failed)).find((name) => name.endsWith("_in-11.json")) ?? "";
  const record = JSON.parse(await readFile(path.join(setup.failed, json), "utf8"));
  assert.equal(record.reason, "cannot-convert");
  assert.match(
    record.message,
    /letter\.docx: 'letter\.docx' \(application\/vnd\.openxml.*\) needs LibreOffice to become a PDF, and it is not installed/,
  );
  assert.deepEqual(record.documents.map((document: { state: string }) => document.state), ["failed", "sent"]);
});
