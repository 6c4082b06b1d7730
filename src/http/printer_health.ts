import type { PrinterState } from "../print/index.ts";
import { STALE_AFTER_INTERVALS } from "../status/index.ts";

/** One printer in the `/health` body. */
export interface PrinterHealth {
  readonly name: string;
  /** The printer's address without any user or password written into it. */
  readonly uri: string;
  readonly healthy: boolean;
  readonly pendingDocuments: number;
  readonly oldestPendingSince: string | null;
  readonly lastAttemptAt: string | null;
  /** When a printer that was down or busy is tried next. */
  readonly retryAt: string | null;
  readonly documents: { readonly sent: number; readonly failed: number; readonly retry: number };
  readonly lastError: { readonly code: string; readonly message: string; readonly fix: string | null } | null;
}

/**
 * A printer is unhealthy while its last attempt failed, or while a document has waited longer
 * than 3 × the longest poll interval of the sources (`longestIntervalMs`).
 */
export function printerHealth(state: PrinterState, now: number, longestIntervalMs: number): PrinterHealth {
  const waitedTooLong = state.oldestPendingSince !== undefined &&
    now - state.oldestPendingSince > STALE_AFTER_INTERVALS * longestIntervalMs;
  const iso = (ms: number | undefined) => ms === undefined ? null : new Date(ms).toISOString();
  return {
    name: state.name,
    uri: withoutUserInfo(state.uri),
    healthy: state.lastError === undefined && !waitedTooLong,
    pendingDocuments: state.pendingDocuments,
    oldestPendingSince: iso(state.oldestPendingSince),
    lastAttemptAt: iso(state.lastAttemptAt),
    retryAt: iso(state.retryAt),
    documents: {
      sent: state.documents.get("sent") ?? 0,
      failed: state.documents.get("failed") ?? 0,
      retry: state.documents.get("retry") ?? 0,
    },
    lastError: state.lastError === undefined
      ? null
      : { code: state.lastError.code, message: state.lastError.message, fix: state.lastError.fix ?? null },
  };
}

export function withoutUserInfo(uri: string): string {
  try {
    const url = new URL(uri);
    url.username = "";
    url.password = "";
    return url.href;
  } catch {
    return uri;
  }
}
