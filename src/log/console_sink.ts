import process from "node:process";
import type { LogSink } from "./log_level.ts";

/** Anything with a `write(text)`, such as `process.stderr`. */
export type TextStream = { write(chunk: string): unknown };

/**
 * Writes lines to stderr (stdout stays free for command output such as the
 * authorization URL of `mps login --no-browser`). The CLI enables it for an
 * interactive terminal or when MPS_LOG_CONSOLE=1.
 */
export function createConsoleSink(stream: TextStream = process.stderr): LogSink {
  return {
    write(line: string): void {
      stream.write(`${line}\n`);
    },
  };
}

/**
 * The CLI's rule for the console sink: MPS_LOG_CONSOLE=1 (or true/yes) turns it
 * on, MPS_LOG_CONSOLE=0 (or false/no) off, otherwise it is on for an
 * interactive terminal.
 */
export function wantsConsoleLog(env: Readonly<Record<string, string | undefined>>, isTTY: boolean): boolean {
  const setting = env["MPS_LOG_CONSOLE"]?.trim().toLowerCase();
  if (setting === "1" || setting === "true" || setting === "yes") return true;
  if (setting === "0" || setting === "false" || setting === "no") return false;
  return isTTY;
}
