#!/usr/bin/env node
// Downloader benchmarks against a private Dovecot (TLS, 127.0.0.1) and the local authorization
// server from test/servers: throughput of `mps run --once` against mbsync (Debian isync), peak
// RSS on one large attachment, and IDLE latency of `mps run` as a service. Prints figures, asserts
// nothing. See docs/BENCHMARKS.md.
//
//   node scripts/bench-downloader.ts [--messages 1000] [--only throughput|rss|idle] [--runs 3]
//     [--attachment-kb 200] [--rss-mb 200] [--idle-messages 50] [--idle-gap-ms 200]
//     [--binary dist/mps-linux-x64] [--node-arg ARG] [--tmpdir DIR] [--rtt-ms N] [--write-doc]

import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import * as path from "node:path";
import { performance } from "node:perf_hooks";
import process from "node:process";
import { parseArgs } from "node:util";
import type { BenchContext } from "./bench/context.ts";
import { idleBenchmark } from "./bench/idle.ts";
import { loadAverage, machineInfo } from "./bench/machine.ts";
import { BENCH_PASSWORD, BENCH_USER } from "./bench/messages.ts";
import { builtBinary, killRunningMps, mpsCommand, ROOT } from "./bench/mps_run.ts";
import type { MpsCommand } from "./bench/mps_run.ts";
import type { BenchResults } from "./bench/report.ts";
import { resultsMarkdown, summaryRows, writeResults } from "./bench/report.ts";
import { rssBenchmark } from "./bench/rss.ts";
import { startRttRelay } from "./bench/rtt_relay.ts";
import { textTable } from "./bench/stats.ts";
import { throughputBenchmark } from "./bench/throughput.ts";

const BENCHMARKS = ["throughput", "rss", "idle"] as const;
type Benchmark = (typeof BENCHMARKS)[number];

const { values: opts } = parseArgs({
  options: {
    messages: { type: "string", default: "1000" },
    only: { type: "string", multiple: true },
    runs: { type: "string", default: "3" },
    "attachment-kb": { type: "string", default: "200" },
    "rss-mb": { type: "string", default: "200" },
    "idle-messages": { type: "string", default: "50" },
    "idle-gap-ms": { type: "string", default: "200" },
    binary: { type: "string", multiple: true },
    "node-arg": { type: "string", multiple: true },
    tmpdir: { type: "string" },
    "rtt-ms": { type: "string", default: "0" },
    "write-doc": { type: "boolean", default: false },
    help: { type: "boolean", default: false },
  },
  strict: true,
});

if (opts.help) {
  process.stdout.write(`${readUsage()}\n`);
  process.exit(0);
}

function readUsage(): string {
  return [
    "Usage: node scripts/bench-downloader.ts [options]",
    "  --messages N        messages in the throughput benchmark (default 1000)",
    "  --only NAME         throughput, rss or idle (repeat for several; default all three)",
    "  --runs N            throughput runs per side, median reported (default 3)",
    "  --attachment-kb N   PDF size per throughput message in KiB (default 200)",
    "  --rss-mb N          attachment size of the RSS benchmark in MB (default 200)",
    "  --idle-messages N   messages in the IDLE benchmark (default 50)",
    "  --idle-gap-ms N     pause between IDLE messages (default 200)",
    "  --binary FILE       run this mps binary (e.g. dist/mps-linux-x64) instead of node src/main.ts",
    "                      (repeat to measure the peak RSS of several builds in the same run; the first does the rest)",
    "                      (without it, the RSS benchmark also runs dist/mps-linux-x64 when built)",
    "  --node-arg ARG      pass ARG to Node before src/main.ts (repeat), e.g. --node-arg=--initial-heap-size=96",
    "  --rtt-ms N          add a round trip of N ms between the clients (mps, mbsync) and Dovecot (default 0)",
    "  --tmpdir DIR        put servers, mailboxes and spools here (default: the system temp folder)",
    "  --write-doc         write the results into docs/BENCHMARKS.md",
  ].join("\n");
}

function wholeNumber(name: string, value: string | undefined, min: number): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number < min) {
    fail(`--${name} must be a whole number of at least ${min}: got '${value}'`);
  }
  return number;
}

function fail(message: string): never {
  process.stderr.write(`bench-downloader: ${message}\n`);
  process.exit(2);
}

const only = (opts.only ?? [...BENCHMARKS]).map((name) => {
  if (!(BENCHMARKS as readonly string[]).includes(name)) {
    fail(`--only must be one of ${BENCHMARKS.join(", ")}: got '${name}'`);
  }
  return name as Benchmark;
});
const messages = wholeNumber("messages", opts.messages, 1);
const runs = wholeNumber("runs", opts.runs, 1);
const attachmentBytes = wholeNumber("attachment-kb", opts["attachment-kb"], 1) * 1024;
const rssBytes = wholeNumber("rss-mb", opts["rss-mb"], 1) * 1_000_000;
const idleMessages = wholeNumber("idle-messages", opts["idle-messages"], 1);
const idleGapMs = wholeNumber("idle-gap-ms", opts["idle-gap-ms"], 0);
const rttMs = wholeNumber("rtt-ms", opts["rtt-ms"], 0);
if (opts.tmpdir !== undefined) process.env["TMPDIR"] = path.resolve(opts.tmpdir); // os.tmpdir() of the servers
const progress = (line: string): void => void process.stderr.write(`[bench] ${line}\n`);

const started = performance.now();
const command = `node scripts/bench-downloader.ts ${process.argv.slice(2).join(" ")}`.trim();
const results: Omit<BenchResults, "loadAfter" | "wallSeconds"> & Partial<BenchResults> = {
  machine: machineInfo(os.tmpdir()),
  command,
  mps: mpsCommand(opts.binary?.[0], opts["node-arg"]).label,
  date: new Date().toISOString().replace(/\.\d+Z$/, "Z"),
  loadBefore: loadAverage(),
  rttMs,
};
if (results.loadBefore > results.machine.nproc / 2) {
  progress(
    `warning: load average is ${
      results.loadBefore.toFixed(2)
    } on ${results.machine.nproc} CPUs: other work will skew the figures`,
  );
}

// The test servers come from test/ (they pick free ports on 127.0.0.1, and kill Dovecot on exit).
const { setUpMailbox } = await import("../test/helpers/mailbox_setup.ts");
progress("starting Dovecot and the authorization server");
const setup = await setUpMailbox({ dovecot: { users: { [BENCH_USER]: BENCH_PASSWORD } } });
// --rtt-ms: mps and mbsync reach Dovecot through a relay that delays every chunk by half the round trip each way.
const relay = rttMs > 0 ? await startRttRelay(setup.dovecot.tlsPort, rttMs) : undefined;
const cleanUp = async (): Promise<void> => {
  killRunningMps();
  await relay?.close();
  await setup.dispose().catch((error: unknown) => progress(`cleaning up failed: ${String(error)}`));
};
process.once("SIGINT", () => void cleanUp().finally(() => process.exit(130)));
process.once("SIGTERM", () => void cleanUp().finally(() => process.exit(143)));

let failed = false;
try {
  await setup.storeLogin(BENCH_USER);
  const dir = await mkdtemp(path.join(setup.dir, "bench-"));
  const mps = mpsCommand(opts.binary?.[0], opts["node-arg"]);
  const context: BenchContext = { setup, mps, dir, progress, imapPort: relay?.port ?? setup.dovecot.tlsPort };
  // The RSS target is about the product, which ships as the binary: measure it too when built.
  const rssTargets: MpsCommand[] = [mps, ...(opts.binary ?? []).slice(1).map((file) => mpsCommand(file))];
  const binary = opts.binary === undefined ? builtBinary() : undefined;
  if (binary !== undefined) {
    const command = mpsCommand(binary.file);
    rssTargets.push(
      binary.stale ? { ...command, label: `${command.label} (older than src/: npm run build)` } : command,
    );
  }
  for (const name of only) {
    try {
      if (name === "throughput") {
        results.throughput = await throughputBenchmark(context, { messages, attachmentBytes, runs });
      }
      if (name === "rss") {
        results.rss = [];
        for (const target of rssTargets) {
          results.rss.push(await rssBenchmark(context, { attachmentBytes: rssBytes, sampleMs: 20, mps: target }));
        }
      }
      if (name === "idle") {
        results.idle = await idleBenchmark(context, {
          messages: idleMessages,
          gapMs: idleGapMs,
          attachmentBytes: 20 * 1024,
        });
      }
    } catch (error) {
      failed = true;
      progress(`${name} failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  await rm(dir, { recursive: true, force: true });
} finally {
  await cleanUp();
}

const final: BenchResults = { ...results, loadAfter: loadAverage(), wallSeconds: (performance.now() - started) / 1000 };
const m = final.machine;
process.stdout.write(
  `\nmps downloader benchmarks: ${m.nproc} CPUs (${m.cpu}), Node ${m.node}, mps from ${final.mps}, temp on ${m.tmpFs} (${m.tmpdir}), ${final.rttMs} ms added round trip\n\n`,
);
process.stdout.write(`${textTable(summaryRows(final))}\n\n`);
process.stdout.write(
  `load average ${final.loadBefore.toFixed(2)} before, ${final.loadAfter.toFixed(2)} after; ${
    final.wallSeconds.toFixed(0)
  } s in all\n`,
);
if (opts["write-doc"]) {
  const doc = path.join(ROOT, "docs", "BENCHMARKS.md");
  await writeResults(doc, resultsMarkdown(final));
  progress(`wrote the results into ${path.relative(process.cwd(), doc)}`);
}
process.exitCode = failed ? 1 : 0;
