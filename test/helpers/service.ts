import { spawn } from "node:child_process";
import { mpsCommand } from "./run_mps.ts";

/** Starts `mps run …` as a subprocess; the returned function stops it and resolves to its exit code. */
export function startService(args: readonly string[], cwd?: string): () => Promise<number | null> {
  const [command, env] = mpsCommand(["run", ...args]);
  const child = spawn(command[0] ?? "node", command.slice(1), {
    stdio: "ignore",
    env,
    ...(cwd === undefined ? {} : { cwd }),
  });
  const exited = new Promise<number | null>((resolve) => child.on("close", resolve));
  return async () => {
    child.kill("SIGTERM");
    return await exited;
  };
}

/** Polls until `probe` gives a value (a probe that throws counts as not yet). */
export async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
