import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { check, doctorJson } from "../doctor/doctor_helpers.ts";
import { runMps } from "../helpers/run_mps.ts";
import { startTinyproxy } from "../servers/tinyproxy.ts";
import type { Tinyproxy } from "../servers/tinyproxy.ts";
import { messageWith, setUpNotifyKit, USER } from "./notify_kit.ts";
import type { NotifyKit } from "./notify_kit.ts";

describe("replies to senders through an HTTP proxy (tinyproxy, Dovecot submission)", () => {
  let kit: NotifyKit;
  let proxy: Tinyproxy;
  before(async () => {
    kit = await setUpNotifyKit();
    proxy = await startTinyproxy({ connectPorts: [kit.box.dovecot.tlsPort, kit.smtp.port] });
  });
  after(async () => {
    await proxy.dispose();
    await kit.dispose();
  });

  test("with <proxy> the reply goes out through a CONNECT tunnel to the SMTP server", async () => {
    const config = await kit.writeConfig({
      name: "proxied.config",
      extra: `  <proxy url="${proxy.url}" />\n`,
    });
    const from = "petra@example.test";
    await kit.box.dovecot.appendMessage(
      USER,
      messageWith([["doc.pdf", "application/pdf", "%PDF-1.4 test"]], { from: `Petra <${from}>`, subject: "Plan" }),
    );
    const result = await runMps(["run", "--once", "--config", config]);
    assert.equal(result.code, 0, await kit.box.log("proxied.config"));
    assert.equal((await kit.inbox(from)).length, 1, await kit.box.log("proxied.config"));
    const requests = await proxy.requests();
    assert.ok(
      requests.some((line) => line.startsWith(`CONNECT localhost:${kit.smtp.port} `)),
      `no CONNECT to the SMTP port in the proxy's log:\n${requests.join("\n")}`,
    );
  });

  test("mps doctor reaches the SMTP server through the proxy, and a stopped proxy is the proxy's finding", async () => {
    const config = await kit.writeConfig({ name: "doctor-proxied.config", extra: `  <proxy url="${proxy.url}" />\n` });
    const smtpConnects = async () =>
      (await proxy.requests()).filter((line) => line.startsWith(`CONNECT localhost:${kit.smtp.port} `)).length;
    const before = await smtpConnects();
    const { report } = await doctorJson(config, ["--no-write"]);
    assert.equal(
      check(report, "smtp.connect", "<notifications>").status,
      "pass",
      JSON.stringify(report.checks, null, 1),
    );
    assert.equal(check(report, "smtp.login", "<notifications>").status, "pass", JSON.stringify(report.checks, null, 1));
    // One tunnel for the greeting, one for the sign-in.
    assert.ok((await smtpConnects()) >= before + 2, await proxy.log());

    await proxy.stop();
    try {
      const down = check((await doctorJson(config, ["--no-write"])).report, "smtp.connect", "<notifications>");
      assert.equal(down.status, "fail");
      assert.equal(down.code, "ERR_PROXY_UNREACHABLE");
      assert.match(
        down.finding,
        new RegExp(`^Cannot reach the proxy http://127\\.0\\.0\\.1:${proxy.port} .* localhost:${kit.smtp.port}`),
      );
    } finally {
      await proxy.start();
    }
  });
});
