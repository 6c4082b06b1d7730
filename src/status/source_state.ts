import type { Problem } from "../shared/errors.ts";

/**
 * What the last cycles of one source did, kept in memory by `mps run` and read by /health,
 * /metrics and the log. Mutable on purpose: the loop that owns the source updates it in place.
 */
export interface SourceState {
  readonly name: string;
  /** `folder`, or the email source type (`ImapOAuthMicrosoft`, ...). */
  readonly type: string;
  /** Poll interval (email) or download interval (folder), ms: health wants a run within 3×. */
  readonly intervalMs: number;
  /** When the loop started; a source that never ran is judged from here. */
  readonly startedAt: number;
  lastExitCode: number | undefined;
  lastRunAt: number | undefined;
  lastSuccessAt: number | undefined;
  consecutiveFailures: number;
  lastError: Problem | undefined;
  /** Cycles by exit code. */
  readonly runs: Map<number, number>;
  /** How long cycles took, in seconds (a cumulative histogram). */
  readonly duration: DurationHistogram;
  jobs: number;
  /** Messages moved to Failed, by reason code. */
  readonly failedMessages: Map<string, number>;
  readonly oauth: OAuthState | undefined;
  /** The server throttles the mailbox: no attempt before this time (ms); cleared by a good cycle. */
  throttledUntil: number | undefined;
  /** Throttling answers received (email sources). */
  throttles: number;
}

/** Upper bounds (seconds) of the cycle duration buckets; +Inf is implied by `count`. */
export const DURATION_BOUNDS: readonly number[] = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];

export interface DurationHistogram {
  readonly bounds: readonly number[];
  /** Cumulative: counts[i] = cycles that took at most bounds[i]. */
  readonly counts: number[];
  sum: number;
  count: number;
}

export function observeDuration(histogram: DurationHistogram, seconds: number): void {
  histogram.sum += seconds;
  histogram.count += 1;
  histogram.bounds.forEach((bound, index) => {
    if (seconds <= bound) histogram.counts[index] = (histogram.counts[index] ?? 0) + 1;
  });
}

/** Records a finished cycle: the one place that keeps the run counters consistent. */
export function recordCycle(state: SourceState, exitCode: number, at: number, seconds: number): void {
  observeDuration(state.duration, seconds);
  state.lastRunAt = at;
  state.lastExitCode = exitCode;
  state.runs.set(exitCode, (state.runs.get(exitCode) ?? 0) + 1);
  if (exitCode === 0) {
    state.lastSuccessAt = at;
    state.consecutiveFailures = 0;
    state.throttledUntil = undefined;
  } else {
    state.consecutiveFailures += 1;
  }
}

export interface OAuthState {
  provider: string;
  username: string;
  accessTokenExpiresAt: number | undefined;
  /** When the refresh token in use was issued (rotation resets it). */
  refreshTokenIssuedAt: number | undefined;
  /** The refresh token was refused: only `mps login` helps. */
  needsLogin: boolean;
  clientSecretExpiresAt: number | undefined;
  /** When the provider's client certificate expires (known once it has been loaded). */
  clientCertificateExpiresAt?: number | undefined;
  /** Token refreshes by result: `success`, `failure`. */
  readonly refreshes: Map<string, number>;
}

export function createSourceState(
  init: {
    name: string;
    type: string;
    intervalMs: number;
    startedAt: number;
    oauth?: { provider: string; username: string; clientSecretExpiresAt: number | undefined };
  },
): SourceState {
  return {
    name: init.name,
    type: init.type,
    intervalMs: init.intervalMs,
    startedAt: init.startedAt,
    lastExitCode: undefined,
    lastRunAt: undefined,
    lastSuccessAt: undefined,
    consecutiveFailures: 0,
    lastError: undefined,
    throttledUntil: undefined,
    throttles: 0,
    runs: new Map(),
    duration: { bounds: DURATION_BOUNDS, counts: DURATION_BOUNDS.map(() => 0), sum: 0, count: 0 },
    jobs: 0,
    failedMessages: new Map(),
    oauth: init.oauth === undefined ? undefined : {
      provider: init.oauth.provider,
      username: init.oauth.username,
      accessTokenExpiresAt: undefined,
      refreshTokenIssuedAt: undefined,
      needsLogin: false,
      clientSecretExpiresAt: init.oauth.clientSecretExpiresAt,
      refreshes: new Map(),
    },
  };
}
