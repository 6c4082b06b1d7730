// A log sink that keeps lines in memory, for tests.
import type { LogLevel, LogSink } from "../../src/log/index.ts";

export type MemorySink = LogSink & {
  /** Every line received, in order, without newlines. */
  readonly lines: string[];
  /** The lines of one level only. */
  linesAt(level: LogLevel): string[];
  /** All lines joined with newlines, as a file would hold them. */
  text(): string;
  clear(): void;
};

/** Keeps lines in memory: for tests, and for showing recent lines in `doctor`. */
export function createMemorySink(): MemorySink {
  const entries: { line: string; level: LogLevel }[] = [];
  const lines: string[] = [];
  return {
    lines,
    write(line: string, level: LogLevel): void {
      entries.push({ line, level });
      lines.push(line);
    },
    linesAt(level: LogLevel): string[] {
      return entries.filter((entry) => entry.level === level).map((entry) => entry.line);
    },
    text(): string {
      return lines.map((line) => `${line}\n`).join("");
    },
    clear(): void {
      entries.length = 0;
      lines.length = 0;
    },
  };
}
