#!/usr/bin/env node
// A/B of mps builds on the throughput benchmark: each round seeds the mailbox and times mbsync,
// then each build in turn (the order rotates every round), so that the drift of a shared disk and
// machine hits all alike. Prints wall time and CPU (user, system, from /usr/bin/time) per build,
// medians over the rounds. Asserts nothing. See docs/BENCHMARKS.md.
//
//   node scripts/bench-compare.ts [--messages 1000] [--rounds 5] [--rtt-ms N] [--tmpdir DIR] [--out DIR] BUILD...
//
// --rtt-ms: mps and mbsync reach Dovecot through a loopback relay that holds every chunk N/2 ms
// each way (scripts/bench/rtt_relay.ts). Peak RSS and CPU come from /usr/bin/time (%M, %U, %S),
// for mbsync too.
//
// --tmpdir: where the servers (and, without --out, everything else) live; --out: where the
// clients write (mps's spools, logs and configs, mbsync's Maildirs).
//
// A BUILD is an mps binary, or `src` for `node --initial-heap-size=48 --max-semi-space-size=4 --max-opt=2 src/main.ts` (as `npm start`).

import { existsSync, readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import * as path from "node:path";
import process from "node:process";
import { parseArgs } from "node:util";
import { benchConfig, mbsyncTarget, seedMailbox, spoolJobs } from "./bench/context.ts";
import type { BenchContext } from "./bench/context.ts";
import { findMbsync, runMbsync } from "./bench/mbsync.ts";
import { BENCH_PASSWORD, BENCH_USER, pdfMessage } from "./bench/messages.ts";
import { killRunningMps, mpsCommand, runMpsTimed } from "./bench/mps_run.ts";
import type { MpsCommand } from "./bench/mps_run.ts";
import { loadAverage } from "./bench/machine.ts";
import { startRttRelay } from "./bench/rtt_relay.ts";
import { median, textTable } from "./bench/stats.ts";

const { values: opts, positionals } = parseArgs({
  options: {
    messages: { type: "string", default: "1000" },
    rounds: { type: "string", default: "5" },
    "attachment-kb": { type: "string", default: "200" },
    tmpdir: { type: "string" },
    out: { type: "string" },
    "rtt-ms": { type: "string", default: "0" },
  },
  allowPositionals: true,
  strict: true,
});

const progress = (line: string): void => void process.stderr.write(`[compare] ${line}\n`);
const messages = Number(opts.messages);
const rounds = Number(opts.rounds);
const attachmentBytes = Number(opts["attachment-kb"]) * 1024;
const rttMs = Number(opts["rtt-ms"]);
if (
  ![messages, rounds, attachmentBytes].every((n) => Number.isInteger(n) && n > 0) || !Number.isInteger(rttMs) ||
  rttMs < 0 || positionals.length === 0
) {
  process.stderr.write(
    "Usage: node scripts/bench-compare.ts [--messages N] [--rounds N] [--attachment-kb N] [--rtt-ms N] [--tmpdir DIR] [--out DIR] BUILD...\n",
  );
  process.exit(2);
}
if (opts.tmpdir !== undefined) process.env["TMPDIR"] = path.resolve(opts.tmpdir);
const TIME = "/usr/bin/time";
const timed = existsSync(TIME);
if (!timed) progress(`${TIME} is missing (Debian package time): CPU is not reported`);

interface Build {
  readonly label: string;
  readonly command: MpsCommand;
  readonly wall: number[];
  readonly user: number[];
  readonly system: number[];
  /** Peak resident set (kB, from /usr/bin/time %M). */
  readonly peakKb: number[];
  /** CPU seconds the rest of the machine (Dovecot, mostly) used during the run. */
  readonly others: number[];
}

/** Busy CPU seconds of the whole machine so far (/proc/stat: all but idle and iowait). */
function machineBusySeconds(): number {
  const fields = readFileSync("/proc/stat", "utf8").split("\n")[0]!.trim().split(/\s+/).slice(1).map(Number);
  const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = fields;
  return (user + nice + system + irq + softirq + steal) / 100;
}
const builds: Build[] = positionals.map((arg) => ({
  label: arg,
  command: arg === "src"
    ? mpsCommand(undefined, ["--initial-heap-size=48", "--max-semi-space-size=4", "--max-opt=2"])
    : mpsCommand(arg),
  wall: [],
  user: [],
  system: [],
  peakKb: [],
  others: [],
}));
const mbsyncOthers: number[] = [];
const mbsyncSeconds: number[] = [];
const mbsyncCpu: number[] = [];
const mbsyncPeakKb: number[] = [];

/** User and system CPU seconds and peak RSS (kB) written by `/usr/bin/time -f "%U %S %M"`. */
function readUsage(file: string): { user: number; system: number; peakKb: number } {
  const [user = NaN, system = NaN, peakKb = NaN] = readFileSync(file, "utf8").trim().split(/\s+/).slice(-3).map(Number);
  return { user, system, peakKb };
}

const { setUpMailbox } = await import("../test/helpers/mailbox_setup.ts");
const setup = await setUpMailbox({ dovecot: { users: { [BENCH_USER]: BENCH_PASSWORD } } });
const relay = rttMs > 0 ? await startRttRelay(setup.dovecot.tlsPort, rttMs) : undefined;
process.once("SIGINT", () => void Promise.all([relay?.close(), setup.dispose()]).finally(() => process.exit(130)));
try {
  await setup.storeLogin(BENCH_USER);
  // --out: the clients' files (spools, mbsync's Maildirs) on another disk than the server's
  const dir = await mkdtemp(path.join(opts.out === undefined ? setup.dir : path.resolve(opts.out), "compare-"));
  const context: BenchContext = {
    setup,
    mps: builds[0]!.command,
    dir,
    progress,
    imapPort: relay?.port ?? setup.dovecot.tlsPort,
  };
  const raw = Array.from({ length: messages }, (_, i) => pdfMessage(`Compare ${i + 1}`, attachmentBytes).raw);
  const mbsync = findMbsync();
  const seed = () => seedMailbox(setup, raw);
  for (let round = 0; round < rounds; round++) {
    await seed();
    const line: string[] = [];
    if (mbsync !== undefined) {
      const busy = machineBusySeconds();
      const runDir = path.join(dir, `mbsync-${round}`);
      const usage = path.join(dir, `mbsync-${round}-time.txt`);
      const wrapper = timed ? [TIME, "-f", "%U %S %M", "-o", usage] : [];
      const pulled = await runMbsync(mbsync, runDir, mbsyncTarget(context), 180_000, wrapper);
      mbsyncSeconds.push(pulled.seconds);
      const machineCpu = machineBusySeconds() - busy;
      if (timed) {
        const { user, system, peakKb } = readUsage(usage);
        mbsyncCpu.push(user + system);
        mbsyncPeakKb.push(peakKb);
        mbsyncOthers.push(machineCpu - user - system);
      } else {
        mbsyncOthers.push(machineCpu);
      }
      line.push(`mbsync ${pulled.seconds.toFixed(2)} s`);
    }
    for (let turn = 0; turn < builds.length; turn++) {
      const build = builds[(round + turn) % builds.length]!;
      if (turn > 0 || mbsync === undefined) await seed();
      const { config, dir: runDir, spool } = await benchConfig(context, `round-${round}-${turn}`);
      const usage = path.join(runDir, "time.txt");
      const command: MpsCommand = timed
        ? { label: build.label, argv: [TIME, "-f", "%U %S %M", "-o", usage, ...build.command.argv] }
        : build.command;
      const busy = machineBusySeconds();
      const outcome = await runMpsTimed(command, ["run", "--once", "--config", config], {
        cwd: runDir,
        timeoutMs: 300_000,
      });
      const machineCpu = machineBusySeconds() - busy;
      const made = (await spoolJobs(spool)).length;
      if (outcome.code !== 0 || made !== messages) {
        let log = "";
        try {
          log = readFileSync(path.join(runDir, "mps.log"), "utf8").trim().split("\n").slice(-5).join("\n");
        } catch {
          log = "(no mps.log)";
        }
        throw new Error(
          `${build.label}: exit code ${outcome.code}, ${made} jobs of ${messages}: ${outcome.stderr.trim()}\n${log}`,
        );
      }
      build.wall.push(outcome.seconds);
      if (timed) {
        const { user, system, peakKb } = readUsage(usage);
        build.user.push(user);
        build.system.push(system);
        build.peakKb.push(peakKb);
        build.others.push(machineCpu - user - system);
      }
      line.push(`${build.label} ${outcome.seconds.toFixed(2)} s`);
    }
    progress(`round ${round + 1}/${rounds}: ${line.join(", ")}`);
  }
  await rm(dir, { recursive: true, force: true });
} finally {
  killRunningMps();
  await relay?.close();
  await setup.dispose();
}

const reference = mbsyncSeconds.length > 0 ? median(mbsyncSeconds) : undefined;
const referenceCpu = mbsyncCpu.length > 0 ? median(mbsyncCpu) : undefined;
const mib = (kb: number[]): string => (kb.length > 0 ? (median(kb) / 1024).toFixed(1) : "");
const rows: string[][] = [[
  "build",
  "wall s (median)",
  "runs",
  "user s",
  "system s",
  "CPU s",
  "peak RSS MiB",
  "rest of machine s",
  "msg/s ratio to mbsync",
  "same, median of rounds",
  "CPU ratio to mbsync",
]];
if (reference !== undefined) {
  rows.push([
    "mbsync",
    reference.toFixed(2),
    mbsyncSeconds.map((s) => s.toFixed(2)).join(" "),
    "",
    "",
    referenceCpu === undefined ? "" : referenceCpu.toFixed(2),
    mib(mbsyncPeakKb),
    median(mbsyncOthers).toFixed(2),
    "",
    "",
    "",
  ]);
}
for (const build of builds) {
  const wall = median(build.wall);
  const cpu = build.user.map((user, i) => user + (build.system[i] ?? NaN));
  rows.push([
    build.label,
    wall.toFixed(2),
    build.wall.map((s) => s.toFixed(2)).join(" "),
    build.user.length > 0 ? median(build.user).toFixed(2) : "",
    build.system.length > 0 ? median(build.system).toFixed(2) : "",
    cpu.length > 0 ? median(cpu).toFixed(2) : "",
    mib(build.peakKb),
    build.others.length > 0 ? median(build.others).toFixed(2) : "",
    reference === undefined ? "" : (reference / wall).toFixed(2),
    // each round's mbsync time over this build's, the builds' order rotating: the drift of a
    // shared machine cancels out within a round
    mbsyncSeconds.length === build.wall.length
      ? median(build.wall.map((seconds, round) => mbsyncSeconds[round]! / seconds)).toFixed(2)
      : "",
    referenceCpu === undefined || cpu.length === 0 ? "" : (median(cpu) / referenceCpu).toFixed(2),
  ]);
}
process.stdout.write(
  `\n${messages} messages of ${attachmentBytes / 1024} KiB, ${rounds} rounds, ${rttMs} ms round trip added; ` +
    `load average ${loadAverage().toFixed(2)}\n${textTable(rows)}\n`,
);
