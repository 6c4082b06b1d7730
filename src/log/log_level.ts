import { LOG_LEVELS } from "../shared/log_levels.ts";
import type { LogLevel } from "../shared/log_levels.ts";

export { LOG_LEVELS };
export type { LogLevel };

/** Extra facts of a log line, rendered `key=value` after the message. */
export type LogFields = Readonly<Record<string, unknown>>;

export function isLogLevel(value: unknown): value is LogLevel {
  return typeof value === "string" && (LOG_LEVELS as readonly string[]).includes(value);
}

/** True when a line of `level` passes a logger whose threshold is `threshold`. */
export function levelEnabled(level: LogLevel, threshold: LogLevel): boolean {
  return LOG_LEVELS.indexOf(level) <= LOG_LEVELS.indexOf(threshold);
}

/** Where finished (formatted, redacted) lines go: mps.log, the console, a test's memory. */
export type LogSink = {
  /** Receives one line without its newline. May throw; the logger reports it and goes on. */
  write(line: string, level: LogLevel): void;
  close?(): void;
};
