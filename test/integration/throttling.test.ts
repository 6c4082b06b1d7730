import assert from "node:assert/strict";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { after, before, describe, test } from "node:test";
import { IMAP_THROTTLED } from "../../src/imap/index.ts";
import { checkMetrics, freePort } from "../servers/index.ts";
import { startFakeExchangeImap } from "../servers/fake_exchange_imap.ts";
import type { FakeExchangeImap } from "../servers/fake_exchange_imap.ts";
import { runMps } from "../helpers/run_mps.ts";
import { startService, waitFor } from "../helpers/service.ts";

describe("mps run against a (fake) Exchange server that throttles the mailbox", () => {
  let dir = "";
  let imap: FakeExchangeImap;
  let port = 0;
  const SUGGESTED_MS = 1_500;
  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "mps-throttle-"));
    // The first two sessions are throttled at SELECT, as Exchange does under load.
    imap = await startFakeExchangeImap(
      dir,
      ({ connection, verb }) =>
        connection <= 2 && verb === "SELECT"
          ? `BAD Request is throttled. Suggested Backoff Time: ${SUGGESTED_MS} milliseconds`
          : undefined,
    );
    port = await freePort();
    await writeFile(
      path.join(dir, "mps.config"),
      `<mps version="6">
  <emailSources>
    <add name="print" type="Imap" host="127.0.0.1" port="${imap.port}" secure="true" caFile="${imap.caFile}"
         userName="print@contoso.com" password="pw" pollInterval="1000" idle="false" />
  </emailSources>
  <http port="${port}" />
  <log file="mps.log" level="info" />
</mps>
`,
    );
  });
  after(async () => {
    await imap.stop();
    await rm(dir, { recursive: true, force: true });
  });

  test("waits the suggested time before the next session, shows throttledUntil in /health and counts it in /metrics", async () => {
    const stop = startService(["--config", path.join(dir, "mps.config")], dir);
    const url = `http://127.0.0.1:${port}`;
    type Health = {
      sources: Array<
        { lastExitCode: number | null; throttledUntil: string | null; lastError: { code: string } | null }
      >;
    };
    try {
      const throttled = await waitFor("throttledUntil in /health", async () => {
        const body = await (await fetch(`${url}/health`)).json() as Health;
        return body.sources[0]?.throttledUntil ? body.sources[0] : undefined;
      }, 20_000);
      assert.equal(throttled.lastError?.code, IMAP_THROTTLED);
      const firstAnswer = imap.scriptedAt[0] ?? 0;
      assert.ok(
        Math.abs(Date.parse(throttled.throttledUntil ?? "") - (firstAnswer + SUGGESTED_MS)) < 1_000,
        `throttledUntil ${throttled.throttledUntil} vs answer at ${new Date(firstAnswer).toISOString()}`,
      );
      const healthy = await waitFor("a good cycle after the throttling", async () => {
        const body = await (await fetch(`${url}/health`)).json() as Health;
        return body.sources[0]?.lastExitCode === 0 ? body.sources[0] : undefined;
      }, 20_000);
      assert.equal(healthy.throttledUntil, null);

      // Each new session started no earlier than the server allowed after the last throttling answer.
      for (const [index, answeredAt] of imap.scriptedAt.entries()) {
        const next = imap.commands.find((command) => command.connection === index + 2);
        assert.ok(next !== undefined, `session ${index + 2} happened`);
        assert.ok(
          next.at - answeredAt >= SUGGESTED_MS - 50,
          `session ${index + 2} began ${next.at - answeredAt} ms after`,
        );
      }

      const metrics = await (await fetch(`${url}/metrics`)).text();
      assert.match(metrics, /^mps_imap_throttled_total\{source="print"\} 2$/m);
      const promtool = await checkMetrics(metrics);
      assert.equal(promtool.exitCode, 0, promtool.output);
    } finally {
      assert.equal(await stop(), 0);
    }
    const log = await readFile(path.join(dir, "mps.log"), "utf8");
    const lines = log.split("\n").filter((line) => line.includes(IMAP_THROTTLED));
    assert.equal(lines.length, 2, `one line per throttling answer:\n${lines.join("\n")}`);
    assert.match(lines[0] ?? "", /WARN/i);
    assert.match(lines[0] ?? "", /Request is throttled\. Suggested Backoff Time: 1500 milliseconds/);
  });

  test("'* BYE Connection closed. 14' ends mps run --once with exit code 1 and ERR_IMAP_THROTTLED", async () => {
    const bye = await startFakeExchangeImap(
      dir,
      ({ verb }) => verb === "LOGIN" || verb === "AUTHENTICATE" ? "* BYE Connection closed. 14" : undefined,
    );
    const config = path.join(dir, "bye.config");
    try {
      await writeFile(
        config,
        (await readFile(path.join(dir, "mps.config"), "utf8")).replace(`port="${imap.port}"`, `port="${bye.port}"`)
          .replace(imap.caFile, bye.caFile).replace(`file="mps.log"`, `file="bye.log"`),
      );
      const result = await runMps(["run", "--once", "--config", config], { cwd: dir });
      assert.equal(result.code, 1, result.stderr);
      const log = await readFile(path.join(dir, "bye.log"), "utf8");
      assert.match(log, /ERR_IMAP_THROTTLED/);
      assert.match(log, /'Connection closed\. 14'\): the next attempt waits 60 s/);
    } finally {
      await bye.stop();
    }
  });
});
