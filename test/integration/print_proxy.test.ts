import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { after, before, describe, test } from "node:test";
import { parseConfig } from "../../src/config/index.ts";
import { checkPrinters } from "../../src/doctor/printer_checks.ts";
import { resolveProxies } from "../../src/shared/proxy.ts";
import { runMps } from "../helpers/run_mps.ts";
import { pdf, setUpPrinting } from "../print/print_kit.ts";
import { makeTestCerts, startIppPrinter } from "../servers/index.ts";
import type { IppPrinter } from "../servers/index.ts";
import { startTinyproxy } from "../servers/tinyproxy.ts";
import type { Tinyproxy } from "../servers/tinyproxy.ts";

describe("printers through an HTTP proxy (tinyproxy, ippeveprinter)", () => {
  let printer: IppPrinter;
  let securePrinter: IppPrinter;
  let proxy: Tinyproxy;
  let certDir: string;
  let caFile: string;
  before(async () => {
    certDir = await mkdtemp(path.join(tmpdir(), "mps-ipps-proxy-"));
    const certs = await makeTestCerts(certDir);
    caFile = certs.caFile;
    [printer, securePrinter] = await Promise.all([
      startIppPrinter({ formats: ["application/pdf"] }),
      startIppPrinter({ formats: ["application/pdf"], tls: certs }),
    ]);
    proxy = await startTinyproxy({ connectPorts: [portOf(printer.uri), portOf(securePrinter.uri)] });
  });
  after(async () => {
    await proxy?.dispose();
    await Promise.all([printer?.stop(), securePrinter?.stop()]);
    await rm(certDir, { recursive: true, force: true });
  });

  const connects = async (uri: string) =>
    (await proxy.requests()).filter((line) => line.startsWith(`CONNECT localhost:${portOf(uri)} `));

  test("with <proxy> an ipp:// job goes through a CONNECT tunnel to the printer's port", async (t) => {
    const setup = await setUpPrinting(`uri="${printer.uri}"`, `<proxy url="${proxy.url}" />`);
    t.after(() => setup.dispose());
    await setup.addJob("px-1", "alice@example.test", "Proxied", [
      { name: "p.pdf", type: "application/pdf", content: pdf("p") },
    ]);
    const result = await runMps(["run", "--once", "--config", setup.config], { timeoutMs: 60_000 });
    assert.equal(result.code, 0, await setup.log());
    assert.ok(
      (await printer.jobs()).some((job) => job.name === "Proxied - p.pdf [mps:px-1/1]"),
      await setup.log(),
    );
    assert.notEqual((await connects(printer.uri)).length, 0, `no CONNECT to the printer:\n${await proxy.log()}`);
  });

  test("an ipps:// printer is reached with TLS inside the tunnel, its caFile trusted", async (t) => {
    const setup = await setUpPrinting(
      `uri="${securePrinter.uri}" caFile="${caFile}"`,
      `<proxy url="${proxy.url}" />`,
    );
    t.after(() => setup.dispose());
    await setup.addJob("px-2", "gina@example.test", "Secure", [
      { name: "s.pdf", type: "application/pdf", content: pdf("s") },
    ]);
    const result = await runMps(["run", "--once", "--config", setup.config], { timeoutMs: 60_000 });
    assert.equal(result.code, 0, await setup.log());
    assert.ok(
      (await securePrinter.jobs()).some((job) => job.name === "Secure - s.pdf [mps:px-2/1]"),
      await setup.log(),
    );
    assert.notEqual((await connects(securePrinter.uri)).length, 0, `no CONNECT to the printer:\n${await proxy.log()}`);
  });

  test("a printer host in noProxy is reached directly: no CONNECT to it", async (t) => {
    const before = (await connects(printer.uri)).length;
    const setup = await setUpPrinting(`uri="${printer.uri}"`, `<proxy url="${proxy.url}" noProxy="localhost" />`);
    t.after(() => setup.dispose());
    await setup.addJob("px-3", "bob@example.test", "Direct", [
      { name: "d.pdf", type: "application/pdf", content: pdf("d") },
    ]);
    const result = await runMps(["run", "--once", "--config", setup.config], { timeoutMs: 60_000 });
    assert.equal(result.code, 0, await setup.log());
    assert.ok((await printer.jobs()).some((job) => job.name === "Direct - d.pdf [mps:px-3/1]"), await setup.log());
    assert.equal((await connects(printer.uri)).length, before, await proxy.log());
  });

  test("with the proxy stopped the job waits in the spool and the log names the proxy, not the printer", async (t) => {
    const setup = await setUpPrinting(`uri="${printer.uri}"`, `<proxy url="${proxy.url}" />`);
    t.after(() => setup.dispose());
    await setup.addJob("px-4", "dora@example.test", "Waits", [
      { name: "w.pdf", type: "application/pdf", content: pdf("w") },
    ]);
    await proxy.stop();
    try {
      const result = await runMps(["run", "--once", "--config", setup.config], { timeoutMs: 60_000 });
      assert.equal(result.code, 1, await setup.log());
    } finally {
      await proxy.start();
    }
    const log = await setup.log();
    assert.match(
      log,
      new RegExp(
        `printer cannot take jobs now; trying again in \\d+ s .*error="Cannot reach the proxy http://127\\.0\\.0\\.1:${proxy.port} \\(<proxy> \\(config line \\d+\\)\\) to connect to localhost:${
          portOf(printer.uri)
        }`,
      ),
    );
    assert.deepEqual(await setup.jobs(), ["px-4"]);
    assert.ok(!(await printer.jobs()).some((job) => job.name.includes("px-4")));
  });

  test("doctor's printer check goes through the proxy, and a stopped proxy is reported as the proxy's failure", async () => {
    const config = parseConfig(
      `<mps><printers><add name="floor" uri="${printer.uri}" /></printers>
<folderSources><add name="in" path="in" printer="floor" /></folderSources></mps>`,
      "/tmp/mps-doctor-printer-proxy/mps.config",
      { env: {} },
    );
    const proxies = resolveProxies({ url: proxy.url, noProxy: [], line: 1 }, {});
    const options = { env: {}, now: Date.now, offline: false, proxies };
    const before = (await connects(printer.uri)).length;
    const reached = (await checkPrinters(config, options)).find((result) => result.id === "printer.ipp");
    assert.equal(reached?.status, "pass", reached?.finding);
    assert.ok((await connects(printer.uri)).length > before, await proxy.log());

    await proxy.stop();
    try {
      const down = (await checkPrinters(config, options)).find((result) => result.id === "printer.ipp");
      assert.equal(down?.status, "fail");
      assert.equal(down?.code, "ERR_PROXY_UNREACHABLE");
      assert.match(down?.finding ?? "", new RegExp(`Cannot reach the proxy http://127\\.0\\.0\\.1:${proxy.port} `));
      assert.match(down?.fix ?? "", /Check that the proxy .* is up/);
    } finally {
      await proxy.start();
    }
  });
});

function portOf(uri: string): number {
  return Number(new URL(uri).port);
}
