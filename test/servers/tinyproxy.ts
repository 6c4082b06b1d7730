import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { freePort, isListening } from "./free_port.ts";

export interface Tinyproxy {
  /** `http://127.0.0.1:PORT`. */
  readonly url: string;
  readonly port: number;
  /** Its log (`LogLevel Connect`): a `Request ... CONNECT host:port` or `POST http://…` line per request. */
  log(): Promise<string>;
  /** The request lines of the log: `CONNECT localhost:993 HTTP/1.1`, `POST http://127.0.0.1:1234/token HTTP/1.1`. */
  requests(): Promise<string[]>;
  stop(): Promise<void>;
  start(): Promise<void>;
  dispose(): Promise<void>;
}

/**
 * A private tinyproxy (Debian `tinyproxy`) in the foreground on a free loopback port. CONNECT
 * tunnels may reach only `connectPorts` (as a company proxy allows only some ports).
 */
export async function startTinyproxy(options: { connectPorts: readonly number[] }): Promise<Tinyproxy> {
  const dir = await mkdtemp(path.join(tmpdir(), "mps-tinyproxy-"));
  const logFile = path.join(dir, "tinyproxy.log");
  const port = await freePort();
  const conf = path.join(dir, "tinyproxy.conf");
  await writeFile(
    conf,
    [
      `Port ${port}`,
      "Listen 127.0.0.1",
      "Allow 127.0.0.1",
      `LogFile "${logFile}"`,
      "LogLevel Connect",
      "MaxClients 50",
      "Timeout 60",
      ...options.connectPorts.map((allowed) => `ConnectPort ${allowed}`),
      "",
    ].join("\n"),
  );
  let child: ChildProcess | undefined;
  const start = async () => {
    const proc = spawn("tinyproxy", ["-d", "-c", conf], { stdio: "ignore" });
    child = proc;
    const deadline = Date.now() + 5_000;
    while (!(await isListening({ host: "127.0.0.1", port }))) {
      if (proc.exitCode !== null || Date.now() > deadline) {
        throw new Error(`tinyproxy did not start: ${await readFile(logFile, "utf8").catch(() => "")}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };
  const stop = async () => {
    const proc = child;
    child = undefined;
    if (proc === undefined || proc.exitCode !== null) return;
    const gone = new Promise((resolve) => proc.once("exit", resolve));
    proc.kill("SIGTERM");
    await gone;
  };
  await start();
  const log = () => readFile(logFile, "utf8").catch(() => "");
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    log,
    async requests() {
      return [...(await log()).matchAll(/Request \(file descriptor \d+\): (.+)$/gm)].map((match) => match[1] ?? "");
    },
    stop,
    start,
    async dispose() {
      await stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
