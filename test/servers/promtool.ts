import { spawn } from "node:child_process";

export type PromtoolResult = {
  /** True when promtool found neither a format error nor a lint problem. */
  ok: boolean;
  /** 0 ok, 1 format error, 3 lint problems (e.g. "no help text"). */
  exitCode: number;
  output: string;
};

/** Runs `promtool check metrics` on a Prometheus text exposition body. */
export function checkMetrics(body: string): Promise<PromtoolResult> {
  return new Promise((resolve, reject) => {
    const proc = spawn("promtool", ["check", "metrics"], { stdio: ["pipe", "pipe", "pipe"] });
    let output = "";
    proc.stdout.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
    proc.stderr.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
    proc.once(
      "error",
      (error) =>
        reject(
          new Error(`Cannot run promtool (scripts/install-test-deps.sh installs it): ${error.message}`, {
            cause: error,
          }),
        ),
    );
    proc.once("close", (code) => resolve({ ok: code === 0, exitCode: code ?? -1, output: output.trim() }));
    proc.stdin.end(body);
  });
}
