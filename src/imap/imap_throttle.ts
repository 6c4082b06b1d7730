export const IMAP_THROTTLED = "ERR_IMAP_THROTTLED";
/** The longest wait a server can ask for: a bad or hostile number must not park a mailbox for days. */
export const MAX_THROTTLE_WAIT_MS = 10 * 60_000;
/**
 * Exchange's "too many connections" (`BYE Connection closed. 14`) and "busy" (`NO Server
 * Unavailable. 15`) answers name no time; a minute lets the connections of other clients end.
 */
export const DEFAULT_THROTTLE_WAIT_MS = 60_000;

/** What a throttling answer asks for; undefined when `error` is not one. */
export interface ThrottleAnswer {
  /** The server's words. */
  readonly said: string;
  /** Still to wait, ms (the server's suggestion less what imapflow already waited), capped. */
  readonly waitMs: number;
  /** True when the server named the time. */
  readonly suggested: boolean;
}

/**
 * Recognises Exchange Online's throttling answers in what imapflow throws:
 * `BAD Request is throttled. Suggested Backoff Time: N milliseconds` (imapflow marks it
 * ETHROTTLE and waits part of it itself), `* BYE Connection closed. 14` (too many connections
 * to the mailbox) and `NO Server Unavailable. 15`.
 */
export function throttleAnswer(error: unknown): ThrottleAnswer | undefined {
  const texts = ["responseText", "reason", "message"].map((key) => field(error, key)).filter(
    (value): value is string => typeof value === "string",
  );
  const text = texts.join(" ");
  const suggested = /Request is throttled\.?.*?Backoff Time[:=\s]+(\d+)/i.exec(text);
  const reset = field(error, "throttleReset");
  if (suggested !== null || field(error, "code") === "ETHROTTLE") {
    const total = typeof reset === "number" ? reset : Number(suggested?.[1] ?? DEFAULT_THROTTLE_WAIT_MS);
    const waited = field(error, "throttleWaited");
    const left = total - (typeof waited === "number" ? waited : 0);
    return {
      said: firstMatch(texts, /Request is throttled[^\r\n]*/i) ?? `Request is throttled (${total} ms)`,
      waitMs: clamp(left),
      suggested: true,
    };
  }
  const busy = firstMatch(texts, /Connection closed\. 14|Server Unavailable\. 15/i);
  if (busy !== undefined) return { said: busy, waitMs: DEFAULT_THROTTLE_WAIT_MS, suggested: false };
  return undefined;
}

function clamp(ms: number): number {
  return Number.isFinite(ms) ? Math.min(MAX_THROTTLE_WAIT_MS, Math.max(0, Math.round(ms))) : MAX_THROTTLE_WAIT_MS;
}

function firstMatch(texts: readonly string[], pattern: RegExp): string | undefined {
  for (const text of texts) {
    const match = pattern.exec(text);
    if (match !== null) return match[0];
  }
  return undefined;
}

function field(value: unknown, key: string): unknown {
  return typeof value === "object" && value !== null ? Reflect.get(value, key) : undefined;
}
