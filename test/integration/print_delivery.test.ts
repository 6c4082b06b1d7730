import assert from "node:assert/strict";
import { createServer, request as httpRequest } from "node:http";
import type { AddressInfo } from "node:net";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { test } from "node:test";
import { writeDeliveryRecord } from "../../src/print/delivery_record.ts";
import { IppClient } from "../../src/print/ipp_client.ts";
import { runMps } from "../helpers/run_mps.ts";
import { JPEG, pdf, setUpPrinting } from "../print/print_kit.ts";
import { makeTestCerts, startCups, startIppPrinter } from "../servers/index.ts";

test("mps run --once delivers each document once as its sender, tagged, the PDF byte for byte", async (t) => {
  const printer = await startIppPrinter({ formats: ["application/pdf", "image/jpeg"] });
  const setup = await setUpPrinting(`uri="${printer.uri}"`);
  t.after(async () => {
    await printer.stop();
    await setup.dispose();
  });
  const report = pdf("quarterly report");
  await setup.addJob("in-1", "alice@example.test", "Quarterly report", [
    { name: "report.pdf", type: "application/pdf", content: report },
    { name: "photo.jpg", type: "image/jpeg", content: JPEG },
  ]);

  const first = await runMps(["run", "--once", "--config", setup.config], { timeoutMs: 60_000 });
  assert.equal(first.code, 0, await setup.log());
  const jobs = await printer.jobs();
  assert.deepEqual(jobs.map((job) => [job.user, job.name]), [
    ["alice@example.test", "Quarterly report - report.pdf [mps:in-1/1]"],
    ["alice@example.test", "Quarterly report - photo.jpg [mps:in-1/2]"],
  ]);
  const received = printer.received();
  assert.equal(received.length, 2);
  assert.equal(await readFile(path.join(printer.spoolDir, received[0] ?? ""), "utf8"), report);
  assert.deepEqual(await readFile(path.join(printer.spoolDir, received[1] ?? "")), JPEG);
  const record = await setup.delivery("in-1");
  assert.deepEqual(record?.documents.map((document) => [document.state, document.ippJobId, document.format]), [
    ["sent", jobs[0]?.id, "application/pdf"],
    ["sent", jobs[1]?.id, "image/jpeg"],
  ]);
  assert.match(
    await setup.log(),
    /\[print\/eve\] document sent to the printer job=in-1 document=report\.pdf printer=eve ippJob=\d+ format=application\/pdf user=alice@example\.test/,
  );

  const second = await runMps(["run", "--once", "--config", setup.config], { timeoutMs: 60_000 });
  assert.equal(second.code, 0, await setup.log());
  assert.equal((await printer.jobs()).length, 2, "the second run printed again");
  assert.deepEqual(await setup.jobs(), ["in-1"], "the job left the spool before keepPrinted");
});

test('owner="localpart" prints as the part of the address before @, and keepPrinted="0" clears the spool', async (t) => {
  const printer = await startIppPrinter({ formats: ["application/pdf"] });
  const setup = await setUpPrinting(`uri="${printer.uri}" owner="localpart" keepPrinted="0"`);
  t.after(async () => {
    await printer.stop();
    await setup.dispose();
  });
  await setup.addJob("in-2", "Bob.Smith@example.test", "", [{
    name: "a.pdf",
    type: "application/pdf",
    content: pdf("a"),
  }]);
  const result = await runMps(["run", "--once", "--config", setup.config], { timeoutMs: 60_000 });
  assert.equal(result.code, 0, await setup.log());
  assert.deepEqual((await printer.jobs()).map((job) => [job.user, job.name]), [["Bob.Smith", "a.pdf [mps:in-2/1]"]]);
  assert.deepEqual(await setup.jobs(), []);
});

test("a printer that takes none of the formats mps can make refuses cleanly: the job goes to Failed, exit code 1", async (t) => {
  const printer = await startIppPrinter({ formats: ["image/pwg-raster"] });
  const setup = await setUpPrinting(`uri="${printer.uri}"`);
  t.after(async () => {
    await printer.stop();
    await setup.dispose();
  });
  await setup.addJob("in-3", "carol@example.test", "Contract", [
    { name: "contract.pdf", type: "application/pdf", content: pdf("contract") },
  ]);
  const result = await runMps(["run", "--once", "--config", setup.config], { timeoutMs: 60_000 });
  assert.equal(result.code, 1, await setup.log());
  assert.deepEqual(await printer.jobs(), []);
  assert.deepEqual(await setup.jobs(), []);
  const failed = await readdir(setup.failed);
  const json = failed.find((name) => name.endsWith("_in-3.json"));
  assert.ok(json, failed.join(", "));
  assert.ok(failed.includes(json.replace(/\.json$/, ".job")));
  const record = JSON.parse(await readFile(path.join(setup.failed, json), "utf8"));
  assert.equal(record.reason, "cannot-convert");
  assert.equal(record.sender, "carol@example.test");
  assert.match(
    record.message,
    /^contract\.pdf: The printer takes none of the formats mps can make from application\/pdf/,
  );
});

test("a printer that is down keeps the job and exits 1; once it is back the job prints once", async (t) => {
  const printer = await startIppPrinter({ formats: ["application/pdf"] });
  const port = printer.port;
  await printer.stop();
  const setup = await setUpPrinting(`uri="ipp://localhost:${port}/ipp/print"`);
  t.after(() => setup.dispose());
  await setup.addJob("in-4", "dave@example.test", "Later", [{
    name: "l.pdf",
    type: "application/pdf",
    content: pdf("l"),
  }]);
  const down = await runMps(["run", "--once", "--config", setup.config], { timeoutMs: 60_000 });
  assert.equal(down.code, 1, await setup.log());
  assert.match(
    await setup.log(),
    /printer cannot take jobs now; trying again in \d+ s.*ERR_PRINTER_UNREACHABLE|ECONNREFUSED/,
  );
  assert.deepEqual(await setup.jobs(), ["in-4"]);

  const back = await startIppPrinter({ formats: ["application/pdf"], port });
  t.after(() => back.stop());
  const up = await runMps(["run", "--once", "--config", setup.config], { timeoutMs: 60_000 });
  assert.equal(up.code, 0, await setup.log());
  assert.deepEqual((await back.jobs()).map((job) => job.name), ["Later - l.pdf [mps:in-4/1]"]);
});

test("a document left in 'sending' is looked up by its tag: found, it is not sent again; not found, it is sent", async (t) => {
  const printer = await startIppPrinter({ formats: ["application/pdf"] });
  const setup = await setUpPrinting(`uri="${printer.uri}"`);
  t.after(async () => {
    await printer.stop();
    await setup.dispose();
  });
  const job = await setup.addJob("in-5", "erin@example.test", "Crash", [
    { name: "one.pdf", type: "application/pdf", content: pdf("one") },
    { name: "two.pdf", type: "application/pdf", content: pdf("two") },
  ]);
  // As a crash right after Print-Job leaves it: the printer has document 1, the record says `sending`.
  const client = new IppClient({ name: "eve", uri: printer.uri, ca: undefined, userName: "", password: "" });
  const { jobId } = await client.printJob({
    userName: "erin@example.test",
    jobName: "Crash - one.pdf [mps:in-5/1]",
    format: "application/pdf",
    file: path.join(setup.spool, "in-5", "one.pdf"),
    size: job.documents[0]?.size ?? 0,
  });
  // a hostile subject quoting document 2's tag must not pass for it
  await new Promise((resolve) => setTimeout(resolve, 1500)); // ippeveprinter is busy while it prints
  await client.printJob({
    userName: "erin@example.test",
    jobName: "Re: [mps:in-5/2] - decoy.pdf [mps:in-99/1]",
    format: "application/pdf",
    file: path.join(setup.spool, "in-5", "one.pdf"),
    size: job.documents[0]?.size ?? 0,
  });
  const at = new Date().toISOString();
  await writeDeliveryRecord(path.join(setup.spool, "in-5"), {
    printer: "eve",
    documents: [
      { n: 1, fileName: "one.pdf", state: "sending", format: "application/pdf", updatedAt: at },
      { n: 2, fileName: "two.pdf", state: "sending", format: "application/pdf", updatedAt: at },
    ],
  });
  await new Promise((resolve) => setTimeout(resolve, 1500)); // ippeveprinter is busy while it prints

  const result = await runMps(["run", "--once", "--config", setup.config], { timeoutMs: 60_000 });
  assert.equal(result.code, 0, await setup.log());
  const jobs = await printer.jobs();
  assert.deepEqual(jobs.map((printed) => printed.name), [
    "Crash - one.pdf [mps:in-5/1]",
    "Re: [mps:in-5/2] - decoy.pdf [mps:in-99/1]",
    "Crash - two.pdf [mps:in-5/2]",
  ]);
  const record = await setup.delivery("in-5");
  assert.deepEqual(record?.documents.map((document) => [document.state, document.ippJobId]), [
    ["sent", jobId],
    ["sent", jobs[2]?.id],
  ]);
  assert.match(
    await setup.log(),
    /document was already on the printer \(found by its tag after a restart\) job=in-5 document=one\.pdf/,
  );
});

test("a CUPS print server queue gets each document as a job of the sender, read back with ipptool", async (t) => {
  const cups = await startCups("office");
  const setup = await setUpPrinting(`uri="${cups.uri}"`);
  t.after(async () => {
    await cups.stop();
    await setup.dispose();
  });
  await setup.addJob("in-6", "frank@example.test", "Minutes", [
    { name: "minutes.pdf", type: "application/pdf", content: pdf("minutes") },
    { name: "photo.jpg", type: "image/jpeg", content: JPEG },
  ]);
  const result = await runMps(["run", "--once", "--config", setup.config], { timeoutMs: 60_000 });
  assert.equal(result.code, 0, await setup.log());
  const jobs = await cups.jobs();
  assert.deepEqual(jobs.map((job) => [job.user, job.name]), [
    ["frank@example.test", "Minutes - minutes.pdf [mps:in-6/1]"],
    ["frank@example.test", "Minutes - photo.jpg [mps:in-6/2]"],
  ]);
  const again = await runMps(["run", "--once", "--config", setup.config], { timeoutMs: 60_000 });
  assert.equal(again.code, 0, await setup.log());
  assert.equal((await cups.jobs()).length, 2);
});

test("an ipps:// printer is reached with the private CA in caFile, and without it mps says why and keeps the job", async (t) => {
  const certDir = await mkdtemp(path.join(tmpdir(), "mps-ipps-"));
  const certs = await makeTestCerts(certDir);
  const printer = await startIppPrinter({ formats: ["application/pdf"], tls: certs });
  const setup = await setUpPrinting(`uri="${printer.uri}"`);
  t.after(async () => {
    await printer.stop();
    await setup.dispose();
    await rm(certDir, { recursive: true, force: true });
  });
  assert.match(printer.uri, /^ipps:\/\/localhost:\d+\/ipp\/print$/);
  await setup.addJob("in-7", "gina@example.test", "Secure", [{
    name: "s.pdf",
    type: "application/pdf",
    content: pdf("s"),
  }]);
  const untrusted = await runMps(["run", "--once", "--config", setup.config], { timeoutMs: 60_000 });
  assert.equal(untrusted.code, 1);
  assert.match(
    await setup.log(),
    /unable to verify the first certificate.*fix=.*caFile holds the CA that signed its certificate/,
  );

  const trusted = await setUpPrinting(`uri="${printer.uri}" caFile="${certs.caFile}"`);
  t.after(() => trusted.dispose());
  await trusted.addJob("in-8", "gina@example.test", "Secure", [{
    name: "s.pdf",
    type: "application/pdf",
    content: pdf("s"),
  }]);
  const result = await runMps(["run", "--once", "--config", trusted.config], { timeoutMs: 60_000 });
  assert.equal(result.code, 0, await trusted.log());
  assert.deepEqual((await printer.jobs()).map((job) => [job.user, job.name]), [
    ["gina@example.test", "Secure - s.pdf [mps:in-8/1]"],
  ]);
});

/**
 * A fake front that asks for HTTP Basic authentication, as print servers do, and passes what it
 * accepts to the real printer behind it (no printer here checks passwords without PAM accounts).
 */
async function basicAuthFront(
  target: string,
  user: string,
  password: string,
): Promise<{ uri: string; close: () => void }> {
  const expected = `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}`;
  const behind = new URL(target.replace(/^ipp:/, "http:"));
  const server = createServer((request, response) => {
    if (request.headers.authorization !== expected) {
      response.writeHead(401, { "WWW-Authenticate": 'Basic realm="print"' }).end();
      request.resume();
      return;
    }
    const forward = httpRequest(
      { host: behind.hostname, port: behind.port, path: behind.pathname, method: "POST", headers: request.headers },
      (answer) => {
        response.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(response);
      },
    );
    request.pipe(forward);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return { uri: `ipp://127.0.0.1:${port}/ipp/print`, close: () => server.close() };
}

test("HTTP Basic: the right userName and password print; a wrong password keeps the job and is never logged", async (t) => {
  const printer = await startIppPrinter({ formats: ["application/pdf"] });
  const front = await basicAuthFront(printer.uri, "mps", "s3cret-pass");
  const wrong = await setUpPrinting(`uri="${front.uri}" userName="mps" password="wrong-pass"`);
  const right = await setUpPrinting(`uri="${front.uri}" userName="mps" password="s3cret-pass"`);
  t.after(async () => {
    front.close();
    await printer.stop();
    await wrong.dispose();
    await right.dispose();
  });
  for (const setup of [wrong, right]) {
    await setup.addJob("in-12", "jo@example.test", "Auth", [{
      name: "a.pdf",
      type: "application/pdf",
      content: pdf("a"),
    }]);
  }
  const refused = await runMps(["run", "--once", "--config", wrong.config], { timeoutMs: 60_000 });
  assert.equal(refused.code, 1);
  const log = await wrong.log();
  assert.match(log, /HTTP 401.*fix="The printer refused the userName and password in mps.config: correct them"/);
  assert.doesNotMatch(log + refused.stdout + refused.stderr, /wrong-pass/);
  assert.deepEqual(await wrong.jobs(), ["in-12"]);

  const accepted = await runMps(["run", "--once", "--config", right.config], { timeoutMs: 60_000 });
  assert.equal(accepted.code, 0, await right.log());
  assert.deepEqual((await printer.jobs()).map((job) => [job.user, job.name]), [[
    "jo@example.test",
    "Auth - a.pdf [mps:in-12/1]",
  ]]);
});

test("a document whose file is gone from the spool fails alone: the rest prints and the job goes to Failed", async (t) => {
  const printer = await startIppPrinter({ formats: ["application/pdf"] });
  const setup = await setUpPrinting(`uri="${printer.uri}"`);
  t.after(async () => {
    await printer.stop();
    await setup.dispose();
  });
  await setup.addJob("in-13", "kim@example.test", "Gone", [
    { name: "gone.pdf", type: "application/pdf", content: pdf("gone") },
    { name: "here.pdf", type: "application/pdf", content: pdf("here") },
  ]);
  await rm(path.join(setup.spool, "in-13", "gone.pdf"));
  const result = await runMps(["run", "--once", "--config", setup.config], { timeoutMs: 60_000 });
  assert.equal(result.code, 1, await setup.log());
  assert.deepEqual((await printer.jobs()).map((job) => job.name), ["Gone - here.pdf [mps:in-13/2]"]);
  const json = (await readdir(setup.failed)).find((name) => name.endsWith("_in-13.json")) ?? "";
  assert.equal(JSON.parse(await readFile(path.join(setup.failed, json), "utf8")).reason, "missing-document");
});
