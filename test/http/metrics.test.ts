import assert from "node:assert/strict";
import { test } from "node:test";
import { createApp, escapeLabelValue } from "../../src/http/index.ts";
import type { ProcessSample } from "../../src/http/index.ts";
import type { SourceState } from "../../src/status/index.ts";
import { busyStates, DAY, freshFolder, mailbox, NOW, recordRun } from "./source_states.ts";

const PROCESS: ProcessSample = {
  cpuSeconds: 1.25,
  residentMemoryBytes: 50_000_000,
  startTimeSeconds: 1748779000.5,
  heapBytes: 20_000_000,
  heapUsedBytes: 12_000_000,
};

async function metrics(states: SourceState[], version = "0.1.0"): Promise<{ response: Response; lines: string[] }> {
  const app = createApp({ states: () => states, now: () => NOW, version, processSample: () => PROCESS });
  const response = await app.request("/metrics");
  const text = await response.text();
  assert.ok(text.endsWith("\n"), "the body ends with a line feed");
  return { response, lines: text.split("\n").slice(0, -1) };
}

const FAMILIES: [string, string][] = [
  ["mps_downloader_last_exit_code", "gauge"],
  ["mps_downloader_runs_total", "counter"],
  ["mps_downloader_last_success_timestamp_seconds", "gauge"],
  ["mps_downloader_duration_seconds", "histogram"],
  ["mps_jobs_total", "counter"],
  ["mps_messages_failed_total", "counter"],
  ["mps_imap_throttled_total", "counter"],
  ["mps_source_healthy", "gauge"],
  ["mps_oauth_token_expiry_timestamp_seconds", "gauge"],
  ["mps_oauth_refresh_total", "counter"],
  ["mps_oauth_refresh_token_age_seconds", "gauge"],
  ["mps_oauth_client_secret_expiry_timestamp_seconds", "gauge"],
  ["mps_oauth_client_certificate_expiry_timestamp_seconds", "gauge"],
  ["mps_oauth_needs_login", "gauge"],
  ["mps_build_info", "gauge"],
  ["process_cpu_seconds_total", "counter"],
  ["process_resident_memory_bytes", "gauge"],
  ["process_start_time_seconds", "gauge"],
  ["process_heap_bytes", "gauge"],
  ["nodejs_heap_size_used_bytes", "gauge"],
];

test("serves the text exposition format 0.0.4 with HELP and TYPE once for every family", async () => {
  const { response, lines } = await metrics(busyStates());
  assert.equal(response.status, 200);
  assert.equal(response.headers.get("Content-Type"), "text/plain; version=0.0.4; charset=utf-8");
  for (const [name, type] of FAMILIES) {
    assert.equal(lines.filter((line) => line.startsWith(`# TYPE ${name} `)).length, 1, name);
    assert.ok(lines.includes(`# TYPE ${name} ${type}`), name);
    const help = lines.findIndex((line) => line.startsWith(`# HELP ${name} `));
    assert.equal(lines[help + 1], `# TYPE ${name} ${type}`, `HELP then TYPE for ${name}`);
  }
  const declared = lines.filter((line) => line.startsWith("# TYPE ")).map((line) => line.split(" ")[2]);
  assert.deepEqual(declared, FAMILIES.map(([name]) => name));
});

test("reports the downloader samples of each source", async () => {
  const { lines } = await metrics(busyStates());
  const expected = [
    'mps_downloader_last_exit_code{source="incoming"} 0',
    'mps_downloader_last_exit_code{source="scans@contoso.com"} 1',
    'mps_downloader_runs_total{source="incoming",exit_code="0"} 40',
    'mps_downloader_runs_total{source="incoming",exit_code="1"} 0',
    'mps_downloader_runs_total{source="scans@contoso.com",exit_code="0"} 1',
    'mps_downloader_runs_total{source="scans@contoso.com",exit_code="1"} 3',
    `mps_downloader_last_success_timestamp_seconds{source="incoming"} ${(NOW - 1000) / 1000}`,
    `mps_downloader_last_success_timestamp_seconds{source="scans@contoso.com"} ${(NOW - 5 * 60_000) / 1000}`,
    'mps_jobs_total{source="incoming"} 17',
    'mps_jobs_total{source="print@contoso.com"} 120',
    'mps_messages_failed_total{source="scans@contoso.com",reason="NO_PRINTABLE_PART"} 3',
    'mps_messages_failed_total{source="scans@contoso.com",reason="SENDER_NOT_ALLOWED"} 1',
    'mps_messages_failed_total{source="print@contoso.com",reason="TOO_LARGE"} 1',
    'mps_source_healthy{source="incoming"} 1',
    'mps_source_healthy{source="scans@contoso.com"} 0',
    'mps_source_healthy{source="print@contoso.com"} 1',
    'mps_source_healthy{source="old@contoso.com"} 0',
    'mps_build_info{version="0.1.0"} 1',
  ];
  for (const line of expected) assert.ok(lines.includes(line), `missing: ${line}`);
});

test("leaves out a last exit code and last success time a source does not have yet", async () => {
  const { lines } = await metrics([freshFolder("new")]);
  assert.ok(!lines.some((line) => line.startsWith('mps_downloader_last_exit_code{source="new"}')));
  assert.ok(!lines.some((line) => line.startsWith('mps_downloader_last_success_timestamp_seconds{source="new"}')));
  assert.ok(lines.includes('mps_downloader_runs_total{source="new",exit_code="0"} 0'));
  assert.ok(lines.includes('mps_source_healthy{source="new"} 1'));
});

test("reports the OAuth samples of OAuth sources only", async () => {
  const { lines } = await metrics(busyStates());
  const expected = [
    `mps_oauth_token_expiry_timestamp_seconds{source="print@contoso.com"} ${(NOW + 45 * 60_000) / 1000}`,
    'mps_oauth_refresh_total{source="scans@contoso.com",result="failure"} 2',
    'mps_oauth_refresh_total{source="scans@contoso.com",result="success"} 12',
    'mps_oauth_refresh_total{source="print@contoso.com",result="failure"} 0',
    `mps_oauth_refresh_token_age_seconds{source="print@contoso.com"} ${2 * DAY / 1000}`,
    `mps_oauth_client_secret_expiry_timestamp_seconds{source="scans@contoso.com"} ${(NOW + 12 * DAY) / 1000}`,
    'mps_oauth_needs_login{source="print@contoso.com"} 0',
    'mps_oauth_needs_login{source="old@contoso.com"} 1',
  ];
  for (const line of expected) assert.ok(lines.includes(line), `missing: ${line}`);
  assert.ok(!lines.some((line) => line.startsWith("mps_oauth") && line.includes('source="incoming"')));
  assert.ok(
    !lines.some((line) =>
      line.startsWith('mps_oauth_client_secret_expiry_timestamp_seconds{source="print@contoso.com"}')
    ),
  );
});

test("serves the cycle durations as a cumulative histogram with +Inf, sum and count per source", async () => {
  const state = mailbox({ name: "box" });
  recordRun(state, 0, NOW, 0.07);
  recordRun(state, 1, NOW, 45);
  recordRun(state, 1, NOW, 1000);
  const { lines } = await metrics([state]);
  const buckets = lines.filter((line) => line.startsWith("mps_downloader_duration_seconds_bucket{"));
  assert.deepEqual(buckets, [
    'mps_downloader_duration_seconds_bucket{source="box",le="0.05"} 0',
    'mps_downloader_duration_seconds_bucket{source="box",le="0.1"} 1',
    'mps_downloader_duration_seconds_bucket{source="box",le="0.25"} 1',
    'mps_downloader_duration_seconds_bucket{source="box",le="0.5"} 1',
    'mps_downloader_duration_seconds_bucket{source="box",le="1"} 2',
    'mps_downloader_duration_seconds_bucket{source="box",le="2.5"} 2',
    'mps_downloader_duration_seconds_bucket{source="box",le="5"} 2',
    'mps_downloader_duration_seconds_bucket{source="box",le="10"} 2',
    'mps_downloader_duration_seconds_bucket{source="box",le="30"} 2',
    'mps_downloader_duration_seconds_bucket{source="box",le="60"} 3',
    'mps_downloader_duration_seconds_bucket{source="box",le="120"} 3',
    'mps_downloader_duration_seconds_bucket{source="box",le="300"} 3',
    'mps_downloader_duration_seconds_bucket{source="box",le="+Inf"} 4',
  ]);
  assert.ok(lines.includes(`mps_downloader_duration_seconds_sum{source="box"} ${0.8 + 0.07 + 45 + 1000}`));
  assert.ok(lines.includes('mps_downloader_duration_seconds_count{source="box"} 4'));
});

test("serves the standard process metrics", async () => {
  const { lines } = await metrics([]);
  for (
    const line of [
      "process_cpu_seconds_total 1.25",
      "process_resident_memory_bytes 50000000",
      "process_start_time_seconds 1748779000.5",
      "process_heap_bytes 20000000",
      "nodejs_heap_size_used_bytes 12000000",
    ]
  ) assert.ok(lines.includes(line), `missing: ${line}`);
});

test("samples this process by default, with a start time that does not move between scrapes", async () => {
  const app = createApp({ states: () => [], now: () => Date.now(), version: "1" });
  const value = (text: string, name: string) =>
    Number(/^(\S+) (\S+)$/m.exec(text.split("\n").find((l) => l.startsWith(`${name} `)) ?? "")?.[2]);
  const first = await (await app.request("/metrics")).text();
  await new Promise((resolve) => setTimeout(resolve, 20));
  const second = await (await app.request("/metrics")).text();
  assert.ok(value(first, "process_resident_memory_bytes") > 1_000_000);
  assert.ok(value(first, "process_cpu_seconds_total") > 0);
  assert.ok(value(first, "process_heap_bytes") > 0);
  const start = value(first, "process_start_time_seconds");
  assert.ok(start <= Date.now() / 1000 && start > Date.now() / 1000 - 3600, `start time ${start}`);
  assert.equal(value(second, "process_start_time_seconds"), start);
});

test("escapes backslash, double quote and line feed in label values", async () => {
  assert.equal(escapeLabelValue('a"b\\c\nd'), 'a\\"b\\\\c\\nd');
  const { lines } = await metrics([mailbox({ name: 'a"b\\c\nd' })], 'v"1\\\n');
  assert.ok(lines.includes('mps_jobs_total{source="a\\"b\\\\c\\nd"} 0'));
  assert.ok(lines.includes('mps_build_info{version="v\\"1\\\\\\n"} 1'));
  assert.ok(lines.every((line) => line !== "" && !line.includes("\r")), "every sample stays on one line");
});

test("leaves the OAuth families empty but declared when no source uses OAuth", async () => {
  const { lines } = await metrics([freshFolder()]);
  assert.ok(lines.includes("# TYPE mps_oauth_needs_login gauge"));
  assert.ok(!lines.some((line) => line.startsWith("mps_oauth_")));
});
