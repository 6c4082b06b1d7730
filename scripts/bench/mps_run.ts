import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import * as path from "node:path";
import { performance } from "node:perf_hooks";
import process from "node:process";
import { mpsConfigXml } from "../../test/helpers/mps_config_xml.ts";

export const ROOT = path.resolve(import.meta.dirname ?? ".", "..", "..");

/** mps processes still running: killed when the benchmark ends or is interrupted. */
const running = new Set<ChildProcess>();

/** How mps is started: from source on this Node (default), or the built single binary. */
export interface MpsCommand {
  readonly label: string;
  readonly argv: readonly string[];
}

/** mps from source on this Node (with `nodeArgs` before the script), or the binary given. */
export function mpsCommand(binary: string | undefined, nodeArgs: readonly string[] = []): MpsCommand {
  if (binary !== undefined) {
    return { label: path.relative(ROOT, path.resolve(binary)) || binary, argv: [path.resolve(binary)] };
  }
  const flags = nodeArgs.length === 0 ? "" : ` ${nodeArgs.join(" ")}`;
  return {
    label: `node${flags} src/main.ts`,
    argv: [process.execPath, ...nodeArgs, path.join(ROOT, "src", "main.ts")],
  };
}

/** The built binary for this machine, when there is one; `stale` when a file in src/ is newer. */
export function builtBinary(): { file: string; stale: boolean } | undefined {
  const file = path.join(ROOT, "dist", "mps-linux-x64");
  let built: number;
  try {
    built = statSync(file).mtimeMs;
  } catch {
    return undefined;
  }
  const newest = (dir: string): number => {
    let latest = 0;
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      latest = Math.max(latest, entry.isDirectory() ? newest(full) : statSync(full).mtimeMs);
    }
    return latest;
  };
  return { file, stale: newest(path.join(ROOT, "src")) > built };
}

export interface MpsConfigOptions {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly caFile: string;
  readonly issuer: string;
  readonly clientId: string;
  /** Token storage and key written by `MailboxSetup.storeLogin()` (absolute paths). */
  readonly storageDir: string;
  readonly keyFile: string;
  /** More attributes of the source, e.g. `{ idle: "true", pollInterval: "60000" }`. */
  readonly attributes?: Record<string, string>;
  /** Log level; default `info`, the shipped default. */
  readonly logLevel?: string;
}

/**
 * Writes `<dir>/mps.config`: one ImapOAuth source over TLS (XOAUTH2/OAUTHBEARER, the product's
 * normal case) with the default settings except what `attributes` says; Spool, Failed and the
 * log in `dir`. Returns its path.
 */
export async function writeMpsConfig(dir: string, options: MpsConfigOptions): Promise<string> {
  const attributes: Record<string, string> = {
    name: "print",
    type: "ImapOAuth",
    provider: "Local",
    host: options.host,
    port: String(options.port),
    secure: "True",
    userName: options.user,
    caFile: options.caFile,
    ...options.attributes,
  };
  await mkdir(dir, { recursive: true });
  const file = path.join(dir, "mps.config");
  await writeFile(
    file,
    mpsConfigXml({
      source: Object.entries(attributes),
      logFile: "mps.log",
      logLevel: options.logLevel ?? "info",
      storage: options.storageDir,
      keyFile: options.keyFile,
      issuer: options.issuer,
      clientId: options.clientId,
    }),
  );
  return file;
}

/** The environment for mps: the caller's, without MPS_ settings and test-runner variables. */
export function mpsEnv(extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value !== undefined && !key.startsWith("MPS_") && !key.startsWith("NODE_TEST") && key !== "NODE_OPTIONS") {
      env[key] = value;
    }
  }
  return Object.assign(env, extra);
}

/** Reads `VmHWM` and `VmRSS` (kB) of a process from /proc; undefined once it is gone. */
export function memoryOf(pid: number): { hwmKb: number; rssKb: number } | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const field = (name: string): number => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? 0);
    return { hwmKb: field("VmHWM"), rssKb: field("VmRSS") };
  } catch {
    return undefined;
  }
}

export interface MpsOutcome {
  readonly code: number | null;
  readonly seconds: number;
  /** Highest VmHWM / VmRSS seen while sampling (kB); 0 without sampling. */
  readonly peakHwmKb: number;
  readonly peakRssKb: number;
  readonly samples: number;
  readonly stderr: string;
}

/**
 * Runs mps to the end and times it (wall clock, start-up included). With `sampleMs`, reads the
 * process's memory from /proc that often: VmHWM is the kernel's own peak, so the last reading
 * before exit is the peak to within one interval of the end.
 */
export function runMpsTimed(
  command: MpsCommand,
  args: readonly string[],
  options: { cwd: string; timeoutMs: number; sampleMs?: number; env?: Record<string, string> },
): Promise<MpsOutcome> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const [file = "node", ...rest] = [...command.argv, ...args];
    const child = spawn(file, rest, {
      cwd: options.cwd,
      env: mpsEnv(options.env),
      stdio: ["ignore", "ignore", "pipe"],
    });
    let stderr = "";
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    let peakHwmKb = 0;
    let peakRssKb = 0;
    let samples = 0;
    const sample = (): void => {
      if (child.pid === undefined) return;
      const memory = memoryOf(child.pid);
      if (memory === undefined) return;
      samples += 1;
      peakHwmKb = Math.max(peakHwmKb, memory.hwmKb);
      peakRssKb = Math.max(peakRssKb, memory.rssKb);
    };
    const sampler = options.sampleMs === undefined ? undefined : setInterval(sample, options.sampleMs);
    running.add(child);
    const killer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs);
    child.on("error", reject);
    child.on("exit", (code) => {
      running.delete(child);
      const seconds = (performance.now() - started) / 1000;
      clearTimeout(killer);
      if (sampler !== undefined) clearInterval(sampler);
      resolve({ code, seconds, peakHwmKb, peakRssKb, samples, stderr });
    });
  });
}

/** `mps run` as a service: the process, and a way to stop it (SIGTERM, then SIGKILL after 10 s). */
export interface MpsService {
  readonly child: ChildProcess;
  stderr(): string;
  stop(): Promise<number | null>;
}

export function startMpsService(command: MpsCommand, args: readonly string[], options: { cwd: string }): MpsService {
  const [file = "node", ...rest] = [...command.argv, ...args];
  const child = spawn(file, rest, { cwd: options.cwd, env: mpsEnv(), stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr?.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  running.add(child);
  void exited.then(() => running.delete(child));
  return {
    child,
    stderr: () => stderr,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}

export function killRunningMps(): void {
  for (const child of running) child.kill("SIGKILL");
  running.clear();
}
