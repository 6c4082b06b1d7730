import assert from "node:assert/strict";
import { mkdir, writeFile } from "node:fs/promises";
import * as path from "node:path";
import { test } from "node:test";
import { startService, waitFor } from "../helpers/service.ts";
import { pdf, setUpPrinting } from "../print/print_kit.ts";
import { checkMetrics, startIppPrinter } from "../servers/index.ts";

test("mps run delivers what a source publishes, shows printers in /health and /metrics, and waits out a printer that is down", async (t) => {
  let printer = await startIppPrinter({ formats: ["application/pdf"] });
  const port = printer.port;
  const setup = await setUpPrinting(`uri="${printer.uri}"`);
  const stop = startService(["--config", setup.config]);
  t.after(async () => {
    await stop();
    await printer.stop();
    await setup.dispose();
  });
  const base = await waitFor(
    "the HTTP server",
    async () => /serving \/health and \/metrics on (\S+)/.exec(await setup.log())?.[1],
  );

  // a file dropped in a sub-folder of the folder source: its owner is the sub-folder's name
  await mkdir(path.join(setup.dir, "in", "alice"), { recursive: true });
  await writeFile(path.join(setup.dir, "in", "alice", "first.pdf"), pdf("first"));
  const printed = await waitFor("the first job on the printer", async () => {
    const jobs = await printer.jobs();
    return jobs.length > 0 ? jobs : undefined;
  }, 30_000);
  assert.equal(printed[0]?.user, "alice");
  assert.match(printed[0]?.name ?? "", /^first\.pdf - first\.pdf \[mps:in-[0-9a-f]{20}\/1\]$/);

  // once the printer reports the job completed, its document is marked printed
  const [first] = await setup.jobs();
  const record = await waitFor("the document marked printed", async () => {
    const delivery = await setup.delivery(first ?? "");
    return delivery?.documents[0]?.state === "printed" ? delivery : undefined;
  }, 30_000);
  assert.equal(record.documents[0]?.ippJobId, printed[0]?.id);

  const health = await waitFor("a healthy printer in /health", async () => {
    const body = await (await fetch(`${base}health`)).json();
    return body.printers?.[0]?.documents.sent === 1 ? body : undefined;
  });
  assert.equal(health.status, "ok");
  assert.deepEqual(health.printers[0].lastError, null);
  const metrics = await (await fetch(`${base}metrics`)).text();
  assert.match(metrics, /^mps_print_documents_total\{printer="eve",result="sent"\} 1$/m);
  assert.match(metrics, /^mps_print_pending_documents\{printer="eve"\} 0$/m);
  assert.match(metrics, /^mps_print_oldest_pending_seconds\{printer="eve"\} 0$/m);
  const lint = await checkMetrics(metrics);
  assert.ok(lint.ok, lint.output);

  await printer.stop();
  await writeFile(path.join(setup.dir, "in", "second.pdf"), pdf("second"));
  const down = await waitFor("the printer reported down", async () => {
    const answer = await fetch(`${base}health`);
    const body = await answer.json();
    return answer.status === 503 && body.printers[0].lastError !== null ? body : undefined;
  }, 30_000);
  assert.equal(down.status, "fail");
  assert.equal(down.printers[0].lastError.code, "ERR_PRINTER_UNREACHABLE");
  assert.equal(down.printers[0].pendingDocuments, 1);
  assert.match(await (await fetch(`${base}metrics`)).text(), /^mps_print_pending_documents\{printer="eve"\} 1$/m);

  printer = await startIppPrinter({ formats: ["application/pdf"], port });
  const after = await waitFor("the second job after the printer is back", async () => {
    const jobs = await printer.jobs();
    return jobs.length > 0 ? jobs : undefined;
  }, 60_000);
  assert.deepEqual(after.map((job) => [job.user, /^second\.pdf - second\.pdf \[mps:in-/.test(job.name)]), [[
    "mps",
    true,
  ]]);
  await waitFor(
    "a healthy printer again",
    async () => (await fetch(`${base}health`)).status === 200 ? true : undefined,
  );
});
