/**
 * The logger: formats a line (`format_line.ts`), passes the whole line through
 * the redactor last, and hands it to every sink (mps.log with rotation, the
 * console when asked, any extra sinks such as a test's memory sink).
 *
 * Logging never throws at the caller: a sink that fails (log folder removed,
 * disk full) is reported once, with the clear `LogFileError` text, on the other
 * sinks or on stderr, and is tried again with every following line.
 */
import { MpsError } from "../shared/errors.ts";
import { createConsoleSink } from "./console_sink.ts";
import type { TextStream } from "./console_sink.ts";
import { formatLine } from "./format_line.ts";
import type { LogEntry } from "./format_line.ts";
import { levelEnabled } from "./log_level.ts";
import type { LogFields, LogLevel, LogSink } from "./log_level.ts";
import { defaultRedactor } from "./redact.ts";
import type { Redactor } from "./redact.ts";
import { createRotatingFile } from "./rotating_file.ts";
import type { RotatingFile, RotatingFileOptions } from "./rotating_file.ts";

export type LoggerOptions = {
  /** The clock, in milliseconds since the epoch (`Date.now` in the program, a fake in tests). */
  now: () => number;
  /** Threshold: lines below it are dropped. Default `info`. */
  level?: LogLevel | undefined;
  /** mps.log and its rotation; omitted = no file. Rotation failures are logged as warnings. */
  file?: Omit<RotatingFileOptions, "onRotateError"> | undefined;
  /** Also write every line to stderr (the CLI decides: interactive terminal or MPS_LOG_CONSOLE=1). */
  console?: boolean | undefined;
  /** Where console lines go. Default `process.stderr`. */
  consoleStream?: TextStream | undefined;
  /** More sinks, e.g. one that keeps lines in memory in tests. */
  sinks?: readonly LogSink[] | undefined;
  /** Default: the shared redactor, which knows the registered secrets. */
  redactor?: Redactor | undefined;
};

export type ComponentLogger = {
  readonly component: string;
  error(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  debug(message: string, fields?: LogFields): void;
  /** A logger for a part of this component: `downloader` → `downloader/print@contoso.com`. */
  child(component: string): ComponentLogger;
};

export type Logger = {
  readonly level: LogLevel;
  error(component: string, message: string, fields?: LogFields): void;
  warn(component: string, message: string, fields?: LogFields): void;
  info(component: string, message: string, fields?: LogFields): void;
  debug(component: string, message: string, fields?: LogFields): void;
  log(level: LogLevel, component: string, message: string, fields?: LogFields): void;
  /** A logger bound to one component. */
  child(component: string): ComponentLogger;
  /** True when lines of `level` are written (to skip building costly fields). */
  enabled(level: LogLevel): boolean;
  setLevel(level: LogLevel): void;
  /** Closes mps.log; later lines reopen it. */
  close(): void;
};

function fileSink(file: RotatingFile): LogSink {
  return {
    write(line: string): void {
      file.write(`${line}\n`);
    },
    close(): void {
      file.close();
    },
  };
}

function describeSink(sink: LogSink, file: LogSink | undefined, path: string | undefined): Record<string, string> {
  return sink === file && path !== undefined ? { file: path } : {};
}

/**
 * Creates a logger. Opens mps.log at once, so an unwritable log folder is
 * reported here, as a `LogFileError` ("Cannot write log file '<path>': ..."),
 * for the CLI to show and exit, instead of failing at every line.
 */
export function createLogger(options: LoggerOptions): Logger {
  const redactor = options.redactor ?? defaultRedactor;
  const now = options.now;
  let threshold: LogLevel = options.level ?? "info";
  /** Sinks that failed, with how many lines they missed since. */
  const failing = new Map<LogSink, number>();
  const consoleSink = options.console === true ? createConsoleSink(options.consoleStream) : undefined;
  const stderrFallback = consoleSink ?? createConsoleSink(options.consoleStream);

  // Declared before the file is opened: a rotation error may be reported from its first write
  // (into mps.log too: it is still written, only not rotated).
  const sinks: LogSink[] = [];
  let file: LogSink | undefined;
  if (options.file !== undefined) {
    const rotating = createRotatingFile({
      ...options.file,
      onRotateError: (error) =>
        emit("warn", "log", `${error.message}; writing on in the current file`, { fix: error.fix }),
    });
    file = fileSink(rotating);
    sinks.push(file);
  }
  if (consoleSink !== undefined) sinks.push(consoleSink);
  sinks.push(...(options.sinks ?? []));

  function render(entry: LogEntry): string {
    try {
      return redactor.redact(formatLine(entry));
    } catch {
      return redactor.redact(formatLine({ ...entry, fields: { fields: "[unrenderable]" } }));
    }
  }

  /** Writes a line to every sink but `skip`; a sink that throws is reported once (after the line), then retried. */
  function emit(
    level: LogLevel,
    component: string,
    message: string,
    fields: LogFields | undefined,
    skip?: LogSink,
  ): void {
    const line = render({ time: now(), level, component, message, fields, stacks: threshold === "debug" });
    const failed: { sink: LogSink; error: unknown }[] = [];
    const recovered: { sink: LogSink; lost: number }[] = [];
    for (const sink of sinks) {
      if (sink === skip) continue;
      try {
        sink.write(line, level);
        const lost = failing.get(sink);
        if (lost !== undefined) {
          failing.delete(sink);
          recovered.push({ sink, lost });
        }
      } catch (error) {
        const lost = failing.get(sink);
        failing.set(sink, (lost ?? 0) + 1);
        if (lost === undefined) failed.push({ sink, error });
      }
    }
    for (const { sink, error } of failed) reportFailure(sink, error);
    for (const { sink, lost } of recovered) {
      const where = describeSink(sink, file, options.file?.path);
      emit("warn", "log", `Logging works again; ${lost} earlier line(s) could not be written`, { lost, ...where });
    }
  }

  /** Tells the other sinks, and stderr when no other sink reaches it, why `sink` failed. */
  function reportFailure(sink: LogSink, error: unknown): void {
    const where = describeSink(sink, file, options.file?.path);
    const message = error instanceof MpsError ? error.message : "Cannot write a log line";
    const fields = error instanceof MpsError ? { code: error.code, fix: error.fix, ...where } : { error, ...where };
    const others = sinks.filter((other) => other !== sink && !failing.has(other));
    if (others.length > 0) emit("error", "log", message, fields, sink);
    if (sink === stderrFallback || others.includes(stderrFallback)) return;
    try {
      stderrFallback.write(render({ time: now(), level: "error", component: "log", message, fields }), "error");
    } catch {
      // nowhere left to tell
    }
  }

  function log(level: LogLevel, component: string, message: string, fields?: LogFields): void {
    if (levelEnabled(level, threshold)) emit(level, component, message, fields);
  }

  function child(component: string): ComponentLogger {
    return {
      component,
      error: (message, fields) => log("error", component, message, fields),
      warn: (message, fields) => log("warn", component, message, fields),
      info: (message, fields) => log("info", component, message, fields),
      debug: (message, fields) => log("debug", component, message, fields),
      child: (part) => child(`${component}/${part}`),
    };
  }

  return {
    get level(): LogLevel {
      return threshold;
    },
    error: (component, message, fields) => log("error", component, message, fields),
    warn: (component, message, fields) => log("warn", component, message, fields),
    info: (component, message, fields) => log("info", component, message, fields),
    debug: (component, message, fields) => log("debug", component, message, fields),
    log,
    child,
    enabled: (level) => levelEnabled(level, threshold),
    setLevel(level: LogLevel): void {
      threshold = level;
    },
    close(): void {
      for (const sink of sinks) sink.close?.();
    },
  };
}
