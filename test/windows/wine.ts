// Runs dist/mps-win-x64.exe under Wine 10 in the Debian trixie chroot of scripts/wine-chroot.sh.
//
// Only the folders a test names are bind-mounted into the chroot (never /tmp or the repository),
// and each is unmounted again by `dispose()`. Unix paths appear to the program as Z:\…, so a
// folder keeps its path on both sides. Wine aborts when TMPDIR is set (the script unsets it), and
// a pipe can lose Wine's output, so stdout and stderr go to files.
import { spawn, spawnSync } from "node:child_process";
import {
  closeSync,
  copyFileSync,
  existsSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  statSync,
} from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import * as path from "node:path";
import process from "node:process";
import { ROOT } from "../helpers/run_mps.ts";

export const SCRIPT = path.join(ROOT, "scripts", "wine-chroot.sh");
export const EXE = path.join(ROOT, "dist", "mps-win-x64.exe");
/** The chroot (scripts/wine-chroot.sh's default, or MPS_WINE_ROOT). */
export const WINE_ROOT = process.env["MPS_WINE_ROOT"] ?? "/var/cache/mps-wine/trixie";
const BUILD_INPUTS = ["src", "scripts/build.mjs", "package.json", "package-lock.json"];

function newestMtime(p: string): number {
  const st = statSync(p, { throwIfNoEntry: false });
  if (!st) return 0;
  if (!st.isDirectory()) return st.mtimeMs;
  let newest = st.mtimeMs;
  for (const entry of readdirSync(p)) newest = Math.max(newest, newestMtime(path.join(p, entry)));
  return newest;
}

function script(args: readonly string[], timeoutMs = 60_000): { ok: boolean; output: string } {
  const res = spawnSync("bash", [SCRIPT, ...args], { encoding: "utf8", timeout: timeoutMs });
  return { ok: res.status === 0, output: `${res.stdout ?? ""}${res.stderr ?? ""}${res.error?.message ?? ""}`.trim() };
}

/**
 * Builds (or reuses) the chroot and the .exe; resolves to false when the Windows tests can run,
 * or to the reason they cannot (shown as the skip message).
 */
export function prepareWine(): string | false {
  if (process.platform !== "linux" || process.arch !== "x64") {
    return `the Windows binary runs under Wine on Linux x64 only: this is ${process.platform}-${process.arch}`;
  }
  if (process.getuid?.() !== 0) return "running mps-win-x64.exe under Wine needs root (chroot and bind mounts)";
  const started = Date.now();
  // About a minute on a fresh machine (debootstrap, apt-get, wineboot); instant when the marker exists.
  const built = script(["build"], 15 * 60_000);
  if (!built.ok) return `the Wine chroot could not be built (${built.output.split("\n").slice(-3).join(" ")})`;
  const elapsed = Date.now() - started;
  if (elapsed > 5_000) process.stderr.write(`# Wine chroot built in ${(elapsed / 1000).toFixed(1)} s\n`);
  const have = statSync(EXE, { throwIfNoEntry: false });
  const newestInput = Math.max(...BUILD_INPUTS.map((p) => newestMtime(path.join(ROOT, p))));
  if (!have || have.mtimeMs < newestInput) {
    const res = spawnSync(process.execPath, [path.join(ROOT, "scripts", "build.mjs"), "--target", "win-x64"], {
      cwd: ROOT,
      encoding: "utf8",
    });
    if (res.status !== 0) throw new Error(`scripts/build.mjs --target win-x64 failed:\n${res.stdout}${res.stderr}`);
  }
  return false;
}

export interface WineResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** mps.exe running under Wine; its output is read back from the files it writes to. */
export interface WineProcess {
  readonly pid: number;
  stdout(): string;
  stderr(): string;
  waitFor(stream: "stdout" | "stderr", pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  readonly exited: Promise<WineResult>;
  kill(signal?: NodeJS.Signals): void;
}

export interface WineRunOptions {
  /** Working folder (inside a mounted folder). */
  cwd: string;
  env?: Record<string, string>;
  timeoutMs?: number;
}

/** A folder under /tmp bind-mounted into the chroot, holding its own copy of mps.exe. */
export interface WineBox {
  readonly dir: string;
  readonly exe: string;
  /** Binds one more host folder (e.g. a mailbox helper's) at the same path. */
  mount(dir: string): void;
  start(args: readonly string[], options?: Partial<WineRunOptions>): WineProcess;
  /** Runs another Windows program of the prefix (`reg.exe`, say) the same way. */
  runProgram(program: string, args: readonly string[], options?: Partial<WineRunOptions>): Promise<WineResult>;
  run(args: readonly string[], options?: Partial<WineRunOptions>): Promise<WineResult>;
  dispose(): Promise<void>;
}

let runs = 0;

function readText(file: string): string {
  return existsSync(file) ? readFileSync(file, "utf8") : "";
}

function startExe(exe: string, args: readonly string[], options: WineRunOptions, logDir: string): WineProcess {
  const n = ++runs;
  const outFile = path.join(logDir, `.wine-${process.pid}-${n}.out`);
  const errFile = path.join(logDir, `.wine-${process.pid}-${n}.err`);
  const out = openSync(outFile, "w");
  const err = openSync(errFile, "w");
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value !== undefined && !key.startsWith("MPS_") && !key.startsWith("NODE_")) env[key] = value;
  }
  Object.assign(env, { WINEDEBUG: "-all" }, options.env ?? {});
  // `run` execs chroot, env, bash and wine in turn: the pid is mps.exe's own Unix process.
  const child = spawn("bash", [SCRIPT, "run", options.cwd, exe, ...args], {
    stdio: ["ignore", out, err],
    env,
  });
  closeSync(out);
  closeSync(err);
  let done = false;
  const killer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 120_000);
  const exited = new Promise<WineResult>((resolve, reject) => {
    child.on("error", reject);
    child.on("exit", (code, signal) => {
      clearTimeout(killer);
      done = true;
      resolve({ code, signal, stdout: readText(outFile), stderr: readText(errFile) });
    });
  });
  return {
    pid: child.pid ?? -1,
    stdout: () => readText(outFile),
    stderr: () => readText(errFile),
    exited,
    kill(signal = "SIGTERM") {
      if (!done) child.kill(signal);
    },
    async waitFor(stream, pattern, timeoutMs = 60_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const text = readText(stream === "stdout" ? outFile : errFile);
        const match = text.match(pattern);
        if (match !== null) return match;
        if (done || Date.now() > deadline) {
          throw new Error(
            `${done ? "mps.exe exited" : `Timed out after ${timeoutMs} ms`} before ${stream} matched ${
              String(pattern)
            }\nstdout: ${readText(outFile)}\nstderr: ${readText(errFile)}`,
          );
        }
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    },
  };
}

/** A fresh folder under /tmp, bound into the chroot, with mps.exe copied in (as an admin would). */
export async function wineBox(prefix = "mps-win-"): Promise<WineBox> {
  const dir = await mkdtemp(path.join(tmpdir(), prefix));
  const mounted: string[] = [];
  const mount = (folder: string): void => {
    const res = script(["mount", folder]);
    if (!res.ok) throw new Error(`Cannot bind '${folder}' into the Wine chroot: ${res.output}`);
    mounted.push(folder);
  };
  mount(dir);
  const exe = path.join(dir, "mps.exe");
  copyFileSync(EXE, `${exe}.part`);
  renameSync(`${exe}.part`, exe);
  const running = new Set<WineProcess>();
  const box: WineBox = {
    dir,
    exe,
    mount,
    start(args, options = {}) {
      const child = startExe(exe, args, { cwd: options.cwd ?? dir, ...options }, dir);
      running.add(child);
      void child.exited.finally(() => running.delete(child));
      return child;
    },
    run(args, options = {}) {
      return box.start(args, options).exited;
    },
    runProgram(program, args, options = {}) {
      return startExe(program, args, { cwd: options.cwd ?? dir, ...options }, dir).exited;
    },
    async dispose() {
      for (const child of running) child.kill("SIGKILL");
      await Promise.all([...running].map((child) => child.exited.catch(() => undefined)));
      // Unmount first, and delete only once the chroot no longer sees the folder.
      for (const folder of mounted.reverse()) {
        const res = script(["umount", folder]);
        if (!res.ok) throw new Error(`Cannot unbind '${folder}' from the Wine chroot: ${res.output}`);
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
  return box;
}
