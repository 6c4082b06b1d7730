import { spawn } from "node:child_process";
import * as path from "node:path";
import process from "node:process";

export const ROOT = path.resolve(import.meta.dirname ?? ".", "..", "..");
export const MAIN = path.join(ROOT, "src", "main.ts");

export interface MpsResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * The command line that runs the CLI from source with the runtime running the tests (or the built
 * binary named by MPS_TEST_BINARY, to run the same tests against what ships), and an environment
 * without the caller's MPS_ settings or the test runner's own variables.
 */
export function mpsCommand(
  args: readonly string[],
  extraEnv: Record<string, string> = {},
): [string[], Record<string, string>] {
  const isDeno = "Deno" in globalThis;
  const binary = process.env.MPS_TEST_BINARY;
  const command = binary !== undefined && binary !== ""
    ? [path.resolve(binary), ...args]
    : isDeno
    ? [process.execPath, "run", "-A", MAIN, ...args]
    : [process.execPath, MAIN, ...args];
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value !== undefined && !key.startsWith("MPS_") && !key.startsWith("NODE_TEST")) env[key] = value;
  }
  return [command, Object.assign(env, extraEnv)];
}

/** Runs the real CLI from source as a subprocess, with the runtime running the tests. */
export function runMps(
  args: readonly string[],
  options: { cwd?: string; env?: Record<string, string>; input?: string; timeoutMs?: number } = {},
): Promise<MpsResult> {
  const [command, env] = mpsCommand(args, options.env);
  return new Promise((resolve, reject) => {
    const child = spawn(command[0] ?? "node", command.slice(1), { cwd: options.cwd ?? ROOT, env });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 30_000);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(options.input ?? "");
  });
}
