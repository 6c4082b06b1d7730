import assert from "node:assert/strict";
import { copyFile, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { after, before, describe, test } from "node:test";
import { freePort } from "../servers/index.ts";
import { checkMetrics } from "../servers/index.ts";
import { messageWithAttachment, setUpMailbox, USER } from "../helpers/mailbox_setup.ts";
import type { MailboxSetup } from "../helpers/mailbox_setup.ts";
import { ROOT } from "../helpers/run_mps.ts";
import { startService, waitFor } from "../helpers/service.ts";

describe("mps run on the shipped default config", () => {
  let dir = "";
  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "mps-shipped-"));
    await mkdir(path.join(dir, "conf"));
    await copyFile(path.join(ROOT, "conf", "mps.config"), path.join(dir, "conf", "mps.config"));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  test("serves /health and /metrics on 127.0.0.1:5556 over real HTTP, and the metrics pass promtool", async () => {
    const stop = startService([], dir);
    try {
      const health = await waitFor("/health", async () => {
        const response = await fetch("http://127.0.0.1:5556/health");
        const body = await response.json() as {
          status: string;
          sources: Array<{ name: string; lastExitCode: number | null }>;
        };
        return body.sources[0]?.lastExitCode === 0 ? { response, body } : undefined;
      });
      assert.equal(health.response.status, 200);
      assert.equal(health.response.headers.get("cache-control"), "no-store");
      assert.equal(health.body.status, "ok");
      assert.deepEqual(health.body.sources.map((source) => source.name), ["incoming"]);
      const metrics = await fetch("http://127.0.0.1:5556/metrics");
      assert.equal(metrics.status, 200);
      const text = await metrics.text();
      assert.match(text, /^mps_downloader_last_exit_code\{source="incoming"\} 0$/m);
      assert.match(text, /^mps_build_info\{version="[\d.]+"\} 1$/m);
      const promtool = await checkMetrics(text);
      assert.equal(promtool.exitCode, 0, promtool.output);
      assert.equal((await fetch("http://127.0.0.1:5556/other")).status, 404);
    } finally {
      assert.equal(await stop(), 0);
    }
  });
});

describe("/health of a mailbox whose server goes away", () => {
  let box: MailboxSetup;
  let port = 0;
  let config = "";
  before(async () => {
    box = await setUpMailbox();
    await box.storeLogin();
    port = await freePort();
    config = await box.writeConfig(`pollInterval="1000"`, "health.config");
    // The mailbox helper binds port 0; this test needs to know the port.
    const { readFile } = await import("node:fs/promises");
    await writeFile(config, (await readFile(config, "utf8")).replace('<http port="0" />', `<http port="${port}" />`));
  });
  after(async () => {
    await box.dispose();
  });

  test("turns 503 with exit code 1 within 3 poll intervals after Dovecot stops, and 200 again once it is back", async () => {
    const stop = startService(["--config", config], box.dir);
    const url = `http://127.0.0.1:${port}`;
    const state = async () => {
      const response = await fetch(`${url}/health`);
      const body = await response.json() as {
        sources: Array<{ lastExitCode: number | null; lastError: { code: string } | null }>;
      };
      const metrics = await (await fetch(`${url}/metrics`)).text();
      const exitCode = /^mps_downloader_last_exit_code\{source="print"\} (\d+)$/m.exec(metrics)?.[1];
      return { status: response.status, source: body.sources[0], exitCode };
    };
    try {
      await box.dovecot.appendMessage(USER, messageWithAttachment());
      await waitFor(
        "a healthy first cycle",
        async () => ((await state()).status === 200 && (await box.jobs()).length === 1 ? true : undefined),
      );
      await box.dovecot.stop();
      const stoppedAt = Date.now();
      const down = await waitFor("503", async () => {
        const now = await state();
        return now.status === 503 ? now : undefined;
      });
      assert.ok(Date.now() - stoppedAt < 3_000 + 1_500, `took ${Date.now() - stoppedAt} ms`);
      assert.equal(down.exitCode, "1");
      assert.equal(down.source?.lastExitCode, 1);
      assert.equal(down.source?.lastError?.code, "ERR_IMAP_CONNECT");
      await box.dovecot.start();
      const back = await waitFor("200 again", async () => {
        const now = await state();
        return now.status === 200 ? now : undefined;
      });
      assert.equal(back.exitCode, "0");
    } finally {
      assert.equal(await stop(), 0);
    }
  });
});
