// promtool (Debian `prometheus`, installed by scripts/install-test-deps.sh) judges the /metrics
// body and the shipped Prometheus files.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import * as path from "node:path";
import { test } from "node:test";
import { createApp } from "../../src/http/index.ts";
import { checkMetrics } from "../servers/promtool.ts";
import { busyStates, freshFolder, mailbox, NOW, recordRun } from "./source_states.ts";

const ROOT = path.resolve(import.meta.dirname ?? ".", "..", "..");

function promtool(args: string[]): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn("promtool", args, { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (output += chunk));
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (output += chunk));
    child.once(
      "error",
      (error) =>
        reject(
          new Error(`Cannot run promtool (scripts/install-test-deps.sh installs it): ${error.message}`, {
            cause: error,
          }),
        ),
    );
    child.once("close", (code) => resolve({ code, output }));
  });
}

test("promtool check metrics finds no error and no lint problem in a live /metrics body", async () => {
  const odd = mailbox({ name: 'a"b\\c\nd' });
  recordRun(odd, 1, NOW, 12);
  odd.failedMessages.set("NO_SENDER", 1);
  const states = [...busyStates(), odd, freshFolder("never-ran")];
  const app = createApp({ states: () => states, now: () => NOW, version: "0.1.0" });
  const body = await (await app.request("/metrics")).text();
  assert.match(body, /mps_downloader_duration_seconds_bucket\{source="scans@contoso.com",le="\+Inf"\} 4/);
  const result = await checkMetrics(body);
  assert.equal(result.output, "", "promtool printed problems");
  assert.equal(result.exitCode, 0);
});

test("promtool check metrics accepts the body with no sources at all", async () => {
  const app = createApp({ states: () => [], now: () => NOW, version: "0.1.0" });
  const result = await checkMetrics(await (await app.request("/metrics")).text());
  assert.equal(result.output, "");
  assert.equal(result.exitCode, 0);
});

test("promtool check rules accepts conf/prometheus/mps_alerts.yml", async () => {
  const result = await promtool(["check", "rules", "conf/prometheus/mps_alerts.yml"]);
  assert.equal(result.code, 0, result.output);
  assert.match(result.output, /SUCCESS: 7 rules found/);
});

test("the alert rules fire as documented (promtool test rules)", async () => {
  const result = await promtool(["test", "rules", "test/http/alert_rules.promtest.yml"]);
  assert.equal(result.code, 0, result.output);
  assert.match(result.output, /SUCCESS/);
});

test("promtool check config accepts conf/prometheus/prometheus.yml with its rule file", async () => {
  const result = await promtool(["check", "config", "conf/prometheus/prometheus.yml"]);
  assert.equal(result.code, 0, result.output);
  assert.match(result.output, /is valid prometheus config file syntax/);
});
