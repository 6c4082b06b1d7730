export { createRedactor, defaultRedactor, MAX_SECRETS, redact, REDACTED, registerSecret } from "./redact.ts";
export type { Redactor } from "./redact.ts";
export { createLogger } from "./logger.ts";
export type { ComponentLogger, Logger, LoggerOptions } from "./logger.ts";
export type { LogLevel, LogSink } from "./log_level.ts";
export { describeError } from "./format_line.ts";
export { createRotatingFile } from "./rotating_file.ts";
export { wantsConsoleLog } from "./console_sink.ts";
export { LogFileError, LogOptionError } from "./errors.ts";
