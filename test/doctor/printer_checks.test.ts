import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { parseConfig } from "../../src/config/index.ts";
import { checkPrinters } from "../../src/doctor/printer_checks.ts";
import { freePort, startIppPrinter } from "../servers/index.ts";
import type { IppPrinter } from "../servers/index.ts";

let pdfPrinter: IppPrinter;
let rasterPrinter: IppPrinter;
before(async () => {
  [pdfPrinter, rasterPrinter] = await Promise.all([
    startIppPrinter({ formats: ["application/pdf", "image/jpeg"] }),
    startIppPrinter({ formats: ["image/pwg-raster"] }),
  ]);
});
after(async () => {
  await Promise.all([pdfPrinter?.stop(), rasterPrinter?.stop()]);
});

function config(printers: string, soffice: string): ReturnType<typeof parseConfig> {
  return parseConfig(
    `<mps><printers>${printers}</printers><convert soffice="${soffice}" />
<folderSources><add name="in" path="in" printer="floor" /></folderSources></mps>`,
    "/tmp/mps-doctor-printers/mps.config",
    { env: {} },
  );
}

const byId = (results: Awaited<ReturnType<typeof checkPrinters>>, id: string, printer: string) =>
  results.find((result) => result.id === id && result.details?.["printer"] === printer);

test("a reachable printer passes; what mps renders and that LibreOffice is missing are named", async () => {
  const results = await checkPrinters(config(`<add name="floor" uri="${pdfPrinter.uri}" />`, "/nonexistent/soffice"), {
    env: {},
    now: Date.now,
    offline: false,
  });
  assert.equal(byId(results, "printer.used", "floor")?.status, "pass");
  assert.equal(byId(results, "printer.ipp", "floor")?.status, "pass");
  assert.equal(byId(results, "printer.state", "floor")?.finding, "Printer 'floor' is idle");
  const formats = byId(results, "printer.formats", "floor");
  assert.equal(formats?.status, "warn");
  assert.equal(formats?.code, "WARN_LIBREOFFICE_MISSING");
  assert.equal(
    formats?.finding,
    "Printer 'floor' takes application/pdf, image/jpeg; mps renders text/plain, image/png, image/gif, image/tiff, image/bmp as PDF on letter; office documents cannot be converted (LibreOffice not found)",
  );
  assert.match(formats?.fix ?? "", /<convert soffice="\/nonexistent\/soffice"\/> names no program/);
});

test("a printer without PDF, an unused printer and one that does not answer are each reported with a fix", async () => {
  const port = await freePort();
  const results = await checkPrinters(
    config(
      `<add name="floor" uri="${rasterPrinter.uri}" /><add name="gone" uri="ipp://127.0.0.1:${port}/ipp/print" />`,
      "auto",
    ),
    { env: {}, now: Date.now, offline: false },
  );
  assert.equal(byId(results, "printer.formats", "floor")?.code, "WARN_PRINTER_NO_PDF");
  assert.equal(byId(results, "printer.used", "gone")?.code, "WARN_PRINTER_UNUSED");
  const gone = byId(results, "printer.ipp", "gone");
  assert.equal(gone?.status, "fail");
  assert.equal(gone?.code, "ERR_PRINTER_UNREACHABLE");
  assert.match(gone?.finding ?? "", /ECONNREFUSED/);
  assert.equal(
    results.find((result) => result.id === "printer.state" && result.status === "skip")?.finding,
    "Not checked: printer.ipp failed",
  );
});

test("--offline checks no printer over the network", async () => {
  const results = await checkPrinters(config(`<add name="floor" uri="${pdfPrinter.uri}" />`, "auto"), {
    env: {},
    now: Date.now,
    offline: true,
  });
  assert.deepEqual(results.map((result) => [result.id, result.status]), [
    ["printer.used", "pass"],
    ["printer.ipp", "skip"],
    ["printer.state", "skip"],
    ["printer.formats", "skip"],
  ]);
});
