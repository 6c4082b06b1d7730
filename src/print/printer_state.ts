/** A printer problem as /health and the log show it. */
export interface PrinterProblem {
  readonly code: string;
  readonly message: string;
  readonly fix: string | undefined;
}

/**
 * What `mps run` knows about one printer, read by /health and /metrics. Mutable on purpose: the
 * delivery loop of the printer updates it in place.
 */
export interface PrinterState {
  readonly name: string;
  readonly uri: string;
  /** Documents by outcome: `sent`, `failed` (refused for good), `retry` (kept for a later attempt). */
  readonly documents: Map<string, number>;
  /** Documents of jobs in the spool that have no outcome yet. */
  pendingDocuments: number;
  /** When the oldest job still waiting was published (ms), or undefined when none waits. */
  oldestPendingSince: number | undefined;
  lastAttemptAt: number | undefined;
  /** The problem of the last attempt, or undefined when it worked. */
  lastError: PrinterProblem | undefined;
  /** No attempt before this time (ms): the printer was down or busy. */
  retryAt: number | undefined;
  consecutiveFailures: number;
}

export function createPrinterState(name: string, uri: string): PrinterState {
  return {
    name,
    uri,
    documents: new Map(),
    pendingDocuments: 0,
    oldestPendingSince: undefined,
    lastAttemptAt: undefined,
    lastError: undefined,
    retryAt: undefined,
    consecutiveFailures: 0,
  };
}

export function countDocument(state: PrinterState, result: "sent" | "failed" | "retry"): void {
  state.documents.set(result, (state.documents.get(result) ?? 0) + 1);
}
