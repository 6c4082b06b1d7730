import { readFile, writeFile } from "node:fs/promises";
import type { IdleResult } from "./idle.ts";
import type { MachineInfo } from "./machine.ts";
import type { RssResult } from "./rss.ts";
import { fixed, markdownTable, mb } from "./stats.ts";
import type { ThroughputResult } from "./throughput.ts";

export interface BenchResults {
  readonly machine: MachineInfo;
  readonly command: string;
  readonly mps: string;
  readonly date: string;
  readonly loadBefore: number;
  /** Round trip added between the clients and Dovecot (ms). */
  readonly rttMs: number;
  readonly loadAfter: number;
  readonly wallSeconds: number;
  throughput?: ThroughputResult;
  rss?: RssResult[];
  idle?: IdleResult;
}

const MIB = 1024 * 1024;
// Figures in MB are 10^6 bytes; MiB 2^20.

/** Ratio mps msgs/s ÷ mbsync msgs/s (equal message counts, so mbsync time ÷ mps time). */
export function throughputRatio(result: ThroughputResult): number | undefined {
  return result.mbsyncSeconds === undefined ? undefined : result.mbsyncSeconds / result.mpsSeconds;
}

function verdict(ok: boolean, defect = false): string {
  if (ok) return "met";
  return defect ? "DEFECT" : "missed";
}

/** Rows of the summary table: benchmark, figure, target, verdict. */
export function summaryRows(results: BenchResults): string[][] {
  const rows: string[][] = [["benchmark", "result", "target", "verdict"]];
  const t = results.throughput;
  if (t !== undefined) {
    const rate = (seconds: number) => `${fixed(t.messages / seconds, 0)} msg/s, ${mb(t.rawBytes / seconds)} MB/s raw`;
    rows.push([
      `throughput mps (${t.messages} msgs, median of ${t.runs.length})`,
      `${fixed(t.mpsSeconds, 2)} s: ${rate(t.mpsSeconds)}, ${
        mb((t.messages * t.attachmentBytes) / t.mpsSeconds)
      } MB/s attachments`,
      "",
      "",
    ]);
    if (t.mbsyncSeconds !== undefined) {
      rows.push([
        `throughput mbsync (median of ${t.runs.length})`,
        `${fixed(t.mbsyncSeconds, 2)} s: ${rate(t.mbsyncSeconds)}`,
        "",
        "",
      ]);
    }
    const ratio = throughputRatio(t);
    rows.push([
      "ratio mps/mbsync (msg/s)",
      ratio === undefined ? `n/a (${t.mbsyncMissing ?? "no mbsync"})` : fixed(ratio, 2),
      ">= 1.0 (< 0.5 is a defect)",
      ratio === undefined ? "n/a" : verdict(ratio >= 1, ratio < 0.5),
    ]);
  }
  for (const r of results.rss ?? []) {
    rows.push([
      `peak RSS, one ${mb(r.attachmentBytes)} MB attachment, ${r.mps}`,
      `${mb(r.peakHwmBytes)} MB = ${fixed(r.peakHwmBytes / MIB, 1)} MiB VmHWM (${fixed(r.seconds, 2)} s, ${
        mb(r.rawBytes / r.seconds)
      } MB/s raw)`,
      "< 150 MB",
      verdict(r.peakHwmBytes < 150e6),
    ]);
  }
  const i = results.idle;
  if (i !== undefined) {
    rows.push([
      `IDLE latency, APPEND to job.json (${i.messages} msgs)`,
      `p50 ${fixed(i.p50Ms, 0)} ms, p99 ${fixed(i.p99Ms, 0)} ms, max ${
        fixed(i.maxMs, 0)
      } ms (mps's share after the server's EXISTS: p50 ${fixed(i.mpsP50Ms, 0)} ms, max ${fixed(i.mpsMaxMs, 0)} ms)`,
      "p50 < 1 s, p99 < 2 s",
      verdict(i.p50Ms < 1000 && i.p99Ms < 2000),
    ]);
  }
  return rows;
}

/** The machine, the command and the detail behind the summary, as Markdown. */
export function resultsMarkdown(results: BenchResults): string {
  const m = results.machine;
  const lines = [
    `Measured ${results.date} with \`${results.command}\` (mps from ${results.mps}; ${
      results.rttMs === 0 ? "no added round trip" : `${results.rttMs} ms round trip added by a relay`
    }).`,
    "",
    `Machine: ${m.nproc} CPUs (${m.cpu}), ${m.memoryGb} GB RAM, ${m.kernel}, Node ${m.node}; temp folder ${m.tmpdir} on ${m.tmpFs}. ` +
    `Load average ${fixed(results.loadBefore, 2)} before, ${fixed(results.loadAfter, 2)} after; whole run ${
      fixed(results.wallSeconds, 0)
    } s.`,
    "",
    markdownTable(summaryRows(results)),
  ];
  const t = results.throughput;
  if (t !== undefined) {
    lines.push(
      "",
      `Throughput runs (s), mps / mbsync: ${
        t.runs.map((run) =>
          `${fixed(run.mpsSeconds, 2)} / ${run.mbsyncSeconds === undefined ? "n/a" : fixed(run.mbsyncSeconds, 2)}`
        ).join("; ")
      }. ` +
        `Messages ${fixed(t.rawBytes / t.messages / 1000, 1)} kB raw each (${
          t.attachmentBytes / 1024
        } KiB PDF in base64), ${mb(t.rawBytes)} MB in all; ` +
        `seeding the Maildir and indexing took ${fixed(t.seedSeconds, 2)} s per run.`,
    );
  }
  for (const r of results.rss ?? []) {
    lines.push(
      "",
      `Peak RSS (${r.mps}): highest VmRSS sampled ${fixed(r.peakRssBytes / MIB, 1)} MiB, VmHWM ${
        fixed(r.peakHwmBytes / MIB, 1)
      } MiB, ${r.samples} samples 20 ms apart; message ${mb(r.rawBytes)} MB raw.`,
    );
  }
  const i = results.idle;
  if (i !== undefined) {
    lines.push("", `IDLE latencies (ms, in APPEND order): ${i.latenciesMs.map((ms) => fixed(ms, 0)).join(", ")}.`);
  }
  return lines.join("\n");
}

export const RESULTS_START = "<!-- bench-downloader:results:start -->";
export const RESULTS_END = "<!-- bench-downloader:results:end -->";

/** Replaces the results block of the Markdown file (between the two markers) with `markdown`. */
export async function writeResults(file: string, markdown: string): Promise<void> {
  const text = await readFile(file, "utf8");
  const start = text.indexOf(RESULTS_START);
  const end = text.indexOf(RESULTS_END);
  if (start < 0 || end < start) {
    throw new Error(`'${file}' has no ${RESULTS_START} ... ${RESULTS_END} block to replace`);
  }
  await writeFile(file, `${text.slice(0, start + RESULTS_START.length)}\n${markdown}\n${text.slice(end)}`);
}
