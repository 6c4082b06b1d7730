import type { SourceState } from "../status/index.ts";
import type { MetricFamily, MetricType, Sample } from "./exposition.ts";
import type { ProcessSample } from "./process_sample.ts";
import { sourceHealth } from "./source_health.ts";

/** Exit codes every source reports (at 0 until they happen), so `rate()` and `increase()` see the first one. */
const BASE_EXIT_CODES = [0, 1];
/** Token refresh results every OAuth source reports, at 0 until they happen. */
const BASE_REFRESH_RESULTS = ["success", "failure"];

type Labels = Sample["labels"];

/** Every family `/metrics` serves, in a stable order, from the sources' state at `now` (ms). */
export function metricFamilies(
  states: readonly SourceState[],
  now: number,
  version: string,
  process: ProcessSample,
): MetricFamily[] {
  const perSource = (name: string, type: MetricType, help: string, value: (state: SourceState) => number | undefined) =>
    perSourceOf(states, name, type, help, value);
  const oauth = states.filter((state) => state.oauth !== undefined);

  return [
    perSource(
      "mps_downloader_last_exit_code",
      "gauge",
      "Exit code of the last downloader cycle of the source (0 ok, 1 failed); absent until the first cycle ends.",
      (state) => state.lastExitCode,
    ),
    {
      name: "mps_downloader_runs_total",
      type: "counter",
      help: "Downloader cycles of the source, by exit code.",
      samples: states.flatMap((state) =>
        codesOf(state).map((code) =>
          sample([["source", state.name], ["exit_code", String(code)]], state.runs.get(code) ?? 0)
        )
      ),
    },
    perSource(
      "mps_downloader_last_success_timestamp_seconds",
      "gauge",
      "Unix time the last successful downloader cycle of the source ended; absent until one succeeds.",
      (state) => seconds(state.lastSuccessAt),
    ),
    durationHistogram(states),
    perSource("mps_jobs_total", "counter", "Print jobs the source wrote to the spool.", (state) => state.jobs),
    {
      name: "mps_messages_failed_total",
      type: "counter",
      help: "Messages the source moved to the Failed folder, by reason code.",
      samples: states.flatMap((state) =>
        [...state.failedMessages].sort(([a], [b]) => compare(a, b))
          .map(([reason, count]) => sample([["source", state.name], ["reason", reason]], count))
      ),
    },
    perSourceOf(
      states.filter((state) => state.type !== "folder"),
      "mps_imap_throttled_total",
      "counter",
      "Times the IMAP server answered that it throttles the source's mailbox (the source then waits as told).",
      (state) => state.throttles,
    ),
    perSource(
      "mps_source_healthy",
      "gauge",
      "1 when /health counts the source healthy (last cycle ok, ran within 3 intervals, no login needed), else 0.",
      (state) => (sourceHealth(state, now).healthy ? 1 : 0),
    ),
    perSourceOf(
      oauth,
      "mps_oauth_token_expiry_timestamp_seconds",
      "gauge",
      "Unix time the current OAuth access token of the source expires.",
      (state) => seconds(state.oauth?.accessTokenExpiresAt),
    ),
    {
      name: "mps_oauth_refresh_total",
      type: "counter",
      help: "OAuth token refreshes of the source, by result.",
      samples: oauth.flatMap((state) =>
        resultsOf(state).map((result) =>
          sample([["source", state.name], ["result", result]], state.oauth?.refreshes.get(result) ?? 0)
        )
      ),
    },
    perSourceOf(
      oauth,
      "mps_oauth_refresh_token_age_seconds",
      "gauge",
      "Seconds since the refresh token in use was issued; Microsoft expires it after 90 days unused.",
      (state) => {
        const issued = state.oauth?.refreshTokenIssuedAt;
        return issued === undefined ? undefined : Math.max(0, (now - issued) / 1000);
      },
    ),
    perSourceOf(
      oauth,
      "mps_oauth_client_secret_expiry_timestamp_seconds",
      "gauge",
      "Unix time the client secret of the source's OAuth provider expires (clientSecretExpires in mps.config).",
      (state) => seconds(state.oauth?.clientSecretExpiresAt),
    ),
    perSourceOf(
      oauth,
      "mps_oauth_client_certificate_expiry_timestamp_seconds",
      "gauge",
      "Unix time the client certificate of the source's OAuth provider expires (clientCertificate in mps.config).",
      (state) => seconds(state.oauth?.clientCertificateExpiresAt),
    ),
    perSourceOf(
      oauth,
      "mps_oauth_needs_login",
      "gauge",
      "1 when the refresh token was refused and only `mps login` helps, else 0.",
      (state) => state.oauth?.needsLogin === true ? 1 : 0,
    ),
    {
      name: "mps_build_info",
      type: "gauge",
      help: "Always 1; the version of mps in a label.",
      samples: [sample([["version", version]], 1)],
    },
    ...processFamilies(process),
  ];
}

function perSourceOf(
  states: readonly SourceState[],
  name: string,
  type: MetricType,
  help: string,
  value: (state: SourceState) => number | undefined,
): MetricFamily {
  return { name, type, help, samples: states.flatMap((state) => plain([["source", state.name]], value(state))) };
}

function durationHistogram(states: readonly SourceState[]): MetricFamily {
  return {
    name: "mps_downloader_duration_seconds",
    type: "histogram",
    help: "How long downloader cycles of the source took, in seconds.",
    samples: states.flatMap((state) => {
      const h = state.duration;
      const source = ["source", state.name] as const;
      return [
        ...h.bounds.map((bound, index) => sample([source, ["le", String(bound)]], h.counts[index] ?? 0, "_bucket")),
        sample([source, ["le", "+Inf"]], h.count, "_bucket"),
        sample([source], h.sum, "_sum"),
        sample([source], h.count, "_count"),
      ];
    }),
  };
}

function processFamilies(p: ProcessSample): MetricFamily[] {
  const one = (name: string, type: MetricType, help: string, value: number): MetricFamily => ({
    name,
    type,
    help,
    samples: [sample([], value)],
  });
  return [
    one("process_cpu_seconds_total", "counter", "Total user and system CPU time spent in seconds.", p.cpuSeconds),
    one("process_resident_memory_bytes", "gauge", "Resident memory size in bytes.", p.residentMemoryBytes),
    one(
      "process_start_time_seconds",
      "gauge",
      "Start time of the process since unix epoch in seconds.",
      p.startTimeSeconds,
    ),
    one("process_heap_bytes", "gauge", "Process heap size (V8 heap reserved) in bytes.", p.heapBytes),
    one("nodejs_heap_size_used_bytes", "gauge", "V8 heap in use in bytes.", p.heapUsedBytes),
  ];
}

function codesOf(state: SourceState): number[] {
  return [...new Set([...BASE_EXIT_CODES, ...state.runs.keys()])].sort((a, b) => a - b);
}

function resultsOf(state: SourceState): string[] {
  return [...new Set([...BASE_REFRESH_RESULTS, ...(state.oauth?.refreshes.keys() ?? [])])].sort(compare);
}

function sample(labels: Labels, value: number, suffix?: string): Sample {
  return suffix === undefined ? { labels, value } : { labels, value, suffix };
}

function plain(labels: Labels, value: number | undefined): Sample[] {
  return value === undefined ? [] : [sample(labels, value)];
}

function seconds(ms: number | undefined): number | undefined {
  return ms === undefined ? undefined : ms / 1000;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
