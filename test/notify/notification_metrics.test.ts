import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { startService, waitFor } from "../helpers/service.ts";
import { checkMetrics } from "../servers/index.ts";
import { messageWith, setUpNotifyKit, USER } from "./notify_kit.ts";
import type { NotifyKit } from "./notify_kit.ts";

let kit: NotifyKit;
before(async () => {
  kit = await setUpNotifyKit();
});
after(async () => {
  await kit.dispose();
});

test("the service replies while it runs and counts it in mps_notifications_total, which promtool accepts", async () => {
  const config = await kit.writeConfig({ name: "service.config", source: 'idle="False"' });
  await kit.box.dovecot.appendMessage(
    USER,
    messageWith([["doc.pdf", "application/pdf", "%PDF-1.4"]], {
      from: "erik@example.test",
      subject: "While running",
    }),
  );
  await kit.box.dovecot.appendMessage(
    USER,
    messageWith([["doc.pdf", "application/pdf", "%PDF-1.4"]], {
      from: "list@example.test",
      headers: ["Precedence: list"],
    }),
  );
  const stop = startService(["--config", config]);
  try {
    const url = await waitFor("the metrics address in the log", async () => {
      return /serving \/health and \/metrics on (\S+)/.exec(await kit.box.log("service.config"))?.[1];
    }, 30_000);
    await waitFor(
      "the reply",
      async () => ((await kit.inbox("erik@example.test")).length === 1 ? true : undefined),
      30_000,
    );
    const body = await waitFor("the sent reply in /metrics", async () => {
      const text = await (await fetch(`${url}metrics`)).text();
      return /^mps_notifications_total\{result="sent"\} 1$/m.test(text) ? text : undefined;
    }, 10_000);
    assert.match(body, /^mps_notifications_total\{result="suppressed"\} 1$/m);
    assert.match(body, /^mps_notifications_total\{result="queued"\} 1$/m);
    assert.match(body, /^mps_notifications_total\{result="rate-limited"\} 0$/m);
    assert.match(body, /^mps_notifications_waiting 0$/m);
    const promtool = await checkMetrics(body);
    assert.ok(promtool.ok, promtool.output);
  } finally {
    const code = await stop();
    // Deno's node:child_process reports this child's end after SIGTERM as null; Node gives the exit code
    if (!("Deno" in globalThis)) assert.equal(code, 0);
  }
});
