import process from "node:process";
import { runCli } from "./cli/index.ts";
import type { CliContext } from "./cli/index.ts";
import { executableDir } from "./runtime/index.ts";

// The only place that exits. Everything else returns exit codes or throws.

const shutdown = new AbortController();
let signals = 0;
function onSignal(): void {
  signals += 1;
  // A second Ctrl+C means "now": the admin does not want to wait for the current message.
  if (signals > 1) process.exit(130);
  shutdown.abort();
}
process.on("SIGINT", onSignal);
process.on("SIGTERM", onSignal);
if (process.platform === "win32") {
  // Ctrl+Break (a service manager's other console event) and closing the console window; Windows
  // itself ends the process a few seconds after the console closes.
  process.on("SIGBREAK", onSignal);
  process.on("SIGHUP", onSignal);
}

// Asked only when a command needs it: touching process.stdin sets up a stream on it, which
// costs `--version` and `--help` a quarter of their start-up.
let interactive: boolean | undefined;
const isInteractive = (): boolean => (interactive ??= Boolean(process.stdin.isTTY && process.stdout.isTTY));

const context: CliContext = {
  env: process.env,
  cwd: process.cwd(),
  executableDir: executableDir(),
  stdout: (text) => void process.stdout.write(text),
  stderr: (text) => void process.stderr.write(text),
  get interactive() {
    return isInteractive();
  },
  get prompt() {
    return isInteractive() ? ask : undefined;
  },
  now: () => Date.now(),
  fetch: globalThis.fetch.bind(globalThis),
  shutdown: shutdown.signal,
};

async function ask(question: string): Promise<string | undefined> {
  const { createInterface } = await import("node:readline/promises");
  const lines = createInterface({ input: process.stdin, output: process.stdout });
  try {
    return await lines.question(question);
  } finally {
    lines.close();
  }
}

runCli(process.argv.slice(2), context).then(
  (code) => {
    process.exitCode = code;
    // Servers or timers left behind must not keep a finished command alive.
    setTimeout(() => process.exit(code), 50).unref();
  },
  (error: unknown) => {
    process.stderr.write(`mps: unexpected error: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
