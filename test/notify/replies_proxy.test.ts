import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
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
});
