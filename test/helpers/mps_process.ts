import { spawn } from "node:child_process";
import type { ChildProcessWithoutNullStreams } from "node:child_process";
import { mpsCommand, ROOT } from "./run_mps.ts";
import type { MpsResult } from "./run_mps.ts";

/** A running `mps` subprocess whose output can be read while it runs. */
export type MpsProcess = {
  readonly child: ChildProcessWithoutNullStreams;
  /** Everything written so far. */
  stdout(): string;
  stderr(): string;
  /** Resolves with the first match of `pattern` in the stream (now or later); rejects on exit or timeout. */
  waitFor(stream: "stdout" | "stderr", pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  /** Resolves when the process has exited. */
  readonly exited: Promise<MpsResult>;
  /** Sends a signal (default SIGTERM) unless the process has exited. */
  kill(signal?: NodeJS.Signals): void;
};

/** Starts the real CLI from source like `runMps`, but hands back the process while it runs. */
export function startMps(
  args: readonly string[],
  options: { cwd?: string; env?: Record<string, string>; timeoutMs?: number } = {},
): MpsProcess {
  const [command, env] = mpsCommand(args, options.env);
  const child = spawn(command[0] ?? "node", command.slice(1), { cwd: options.cwd ?? ROOT, env });
  const text = { stdout: "", stderr: "" };
  let done = false;
  const listeners = new Set<() => void>();
  const changed = (): void => {
    for (const listener of [...listeners]) listener();
  };
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
    text.stdout += chunk;
    changed();
  });
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
    text.stderr += chunk;
    changed();
  });
  child.stdin.end("");
  const killer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 60_000);
  const exited = new Promise<MpsResult>((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(killer);
      done = true;
      changed();
      resolve({ code, stdout: text.stdout, stderr: text.stderr });
    });
  });

  return {
    child,
    stdout: () => text.stdout,
    stderr: () => text.stderr,
    exited,
    kill(signal = "SIGTERM") {
      if (!done) child.kill(signal);
    },
    waitFor(stream, pattern, timeoutMs = 15_000) {
      return new Promise<RegExpMatchArray>((resolve, reject) => {
        const check = (): void => {
          const match = text[stream].match(pattern);
          if (match !== null) finish(() => resolve(match));
          else if (done) {
            finish(() =>
              reject(
                new Error(
                  `mps exited before ${stream} matched ${
                    String(pattern)
                  }\nstdout: ${text.stdout}\nstderr: ${text.stderr}`,
                ),
              )
            );
          }
        };
        const timer = setTimeout(() =>
          finish(() =>
            reject(
              new Error(
                `Timed out after ${timeoutMs} ms waiting for ${stream} to match ${
                  String(pattern)
                }\nstdout: ${text.stdout}\nstderr: ${text.stderr}`,
              ),
            )
          ), timeoutMs);
        const finish = (then: () => void): void => {
          clearTimeout(timer);
          listeners.delete(check);
          then();
        };
        listeners.add(check);
        check();
      });
    },
  };
}
