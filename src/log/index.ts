export {
  createRedactor,
  defaultRedactor,
  MAX_SECRETS,
  MIN_SECRET_LENGTH,
  redact,
  REDACTED,
  registerSecret,
} from "./redact.ts";
export type { Redactor } from "./redact.ts";
export { createLogger } from "./logger.ts";
export type { ComponentLogger, Logger, LoggerOptions } from "./logger.ts";
export { isLogLevel, levelEnabled, LOG_LEVELS } from "./log_level.ts";
export type { LogFields, LogLevel, LogSink } from "./log_level.ts";
export { describeError, formatLine, formatTime } from "./format_line.ts";
export type { LogEntry } from "./format_line.ts";
export { createRotatingFile, DEFAULT_MAX_BYTES, DEFAULT_MAX_FILES } from "./rotating_file.ts";
export type { RotatingFile, RotatingFileOptions } from "./rotating_file.ts";
export { createConsoleSink, wantsConsoleLog } from "./console_sink.ts";
export type { TextStream } from "./console_sink.ts";
export { LogFileError, LogOptionError } from "./errors.ts";
