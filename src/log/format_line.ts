/**
 * The text of one log line, as written to mps.log and the console:
 *
 *   2026-11-27T19:29:45.123Z INFO  [downloader] message key=value key2="two words"
 *
 * UTC ISO-8601 time with milliseconds, the level upper-cased and padded to 5,
 * the component in brackets, the message, then the fields as `key=value`.
 * A value with spaces, quotes, `=&<>` or control characters is written as a
 * JSON string (`"C:\\Program Files"`), so the line stays one line and can be
 * parsed back; other values stay bare (`path=C:\ProgramData\mps`), objects as
 * compact JSON (`documents=[{"fileName":"a.pdf"}]`). Errors become their
 * message, `[code]` and the chain of causes; the error's `fix` follows as its
 * own field. Stacks only when asked (a logger at debug). The caller passes the
 * result through `redact()`.
 */
import { MpsError } from "../shared/errors.ts";
import type { LogFields, LogLevel } from "./log_level.ts";

export type LogEntry = {
  readonly time: number;
  readonly level: LogLevel;
  readonly component: string;
  readonly message: string;
  readonly fields?: LogFields | undefined;
  /** Add `stack="..."` for Error fields (debug loggers only). */
  readonly stacks?: boolean;
};

/** Causes followed at most, so a cyclic or absurd chain cannot blow up a line. */
const MAX_CAUSES = 8;

const CONTROL = /[\u0000-\u001f\u007f\u2028\u2029]/g;
/** Bare values may hold backslashes (Windows paths stay readable); quoted ones are JSON strings. */
const NEEDS_QUOTES = /[\s"'=&<>\u0000-\u001f\u007f\u2028\u2029]/;
const HAS_SPACE = /[\s\u0000-\u001f\u007f\u2028\u2029]/;

function escapeControl(char: string): string {
  if (char === "\n") return "\\n";
  if (char === "\r") return "\\r";
  if (char === "\t") return "\\t";
  return `\\u${char.charCodeAt(0).toString(16).padStart(4, "0")}`;
}

/** Free text (message, component): kept as written, but always on one line. */
function oneLine(text: string): string {
  return text.replace(CONTROL, escapeControl);
}

function quoteIfNeeded(text: string): string {
  return text === "" || NEEDS_QUOTES.test(text) ? JSON.stringify(text) : text;
}

/** Objects and arrays as JSON, bare when it has no spaces (`documents=[{"fileName":"a.pdf"}]`). */
function rawJsonIfCompact(json: string): string {
  return json === "" || HAS_SPACE.test(json) ? JSON.stringify(json) : json;
}

function renderKey(key: string): string {
  const safe = key.replace(/[\s"=\\\u0000-\u001f\u007f]/g, "_");
  return safe === "" ? "_" : safe;
}

type ErrorLike = { message?: unknown; name?: unknown; code?: unknown; cause?: unknown; stack?: unknown };

function isErrorLike(value: unknown): value is ErrorLike {
  return value instanceof Error ||
    (typeof value === "object" && value !== null && "message" in value && "stack" in value);
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value, (_key, inner: unknown) => (typeof inner === "bigint" ? inner.toString() : inner)) ??
      String(value);
  } catch {
    return "[unserializable]";
  }
}

function describeOne(error: unknown): string {
  if (!isErrorLike(error)) return typeof error === "string" ? error : safeJson(error);
  const message = typeof error.message === "string" && error.message !== ""
    ? error.message
    : String(error.name ?? "Error");
  const name = typeof error.name === "string" ? error.name : "Error";
  let text = name === "Error" || error instanceof MpsError || message.startsWith(name)
    ? message
    : `${name}: ${message}`;
  const code = error.code;
  if ((typeof code === "string" || typeof code === "number") && !message.includes(String(code))) text += ` [${code}]`;
  if (error instanceof AggregateError && error.errors.length > 0) {
    const inner = error.errors.slice(0, 3).map(describeOne).join(" | ");
    text += ` (${error.errors.length} errors: ${inner}${error.errors.length > 3 ? " | ..." : ""})`;
  }
  return text;
}

/** `message [code]; cause: message [code]; cause: ...` */
export function describeError(error: unknown): string {
  const parts: string[] = [];
  const seen = new Set<unknown>();
  let current: unknown = error;
  while (current !== undefined && current !== null && parts.length < MAX_CAUSES && !seen.has(current)) {
    seen.add(current);
    parts.push(describeOne(current));
    current = isErrorLike(current) ? current.cause : undefined;
  }
  return parts.join("; cause: ");
}

function renderValue(value: unknown): string {
  switch (typeof value) {
    case "string":
      return quoteIfNeeded(value);
    case "number":
    case "bigint":
    case "boolean":
      return String(value);
    case "symbol":
    case "function":
      return quoteIfNeeded(String(value));
    default:
      if (value === null) return "null";
      if (value instanceof Date) return Number.isNaN(value.getTime()) ? "invalid-date" : value.toISOString();
      if (value instanceof URL) return quoteIfNeeded(value.href);
      return rawJsonIfCompact(safeJson(value));
  }
}

function renderFields(fields: LogFields, stacks: boolean): string {
  let out = "";
  for (const [key, value] of Object.entries(fields)) {
    if (value === undefined) continue;
    if (!isErrorLike(value)) {
      out += ` ${renderKey(key)}=${renderValue(value)}`;
      continue;
    }
    out += ` ${renderKey(key)}=${quoteIfNeeded(describeError(value))}`;
    const fix = value instanceof MpsError ? value.fix : undefined;
    if (fix !== undefined && !("fix" in fields)) out += ` fix=${quoteIfNeeded(fix)}`;
    if (stacks && typeof value.stack === "string") out += ` stack=${quoteIfNeeded(value.stack)}`;
  }
  return out;
}

export function formatTime(time: number): string {
  const date = new Date(time);
  return Number.isNaN(date.getTime()) ? "0000-00-00T00:00:00.000Z" : date.toISOString();
}

/** One log line, without the newline and not yet redacted. */
export function formatLine(entry: LogEntry): string {
  const head = `${formatTime(entry.time)} ${entry.level.toUpperCase().padEnd(5)} [${oneLine(entry.component)}]`;
  const fields = entry.fields === undefined ? "" : renderFields(entry.fields, entry.stacks === true);
  return `${head} ${oneLine(entry.message)}${fields}`;
}
