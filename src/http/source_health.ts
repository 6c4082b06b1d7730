import { redact } from "../log/index.ts";
import { DAY_MS } from "../shared/time.ts";
import type { Problem } from "../shared/errors.ts";
import { sourceVerdict } from "../status/index.ts";
import type { SourceState } from "../status/index.ts";

/** A problem as JSON shows it: `fix` is null rather than missing. */
export interface HealthProblem {
  readonly code: string;
  readonly message: string;
  readonly fix: string | null;
}

/** One source in the `/health` body. Times are ISO 8601 (UTC) or null. */
export interface SourceHealth {
  readonly name: string;
  readonly type: string;
  readonly healthy: boolean;
  readonly lastExitCode: number | null;
  readonly lastRunAt: string | null;
  readonly lastSuccessAt: string | null;
  readonly consecutiveFailures: number;
  /** When the current access token expires (OAuth sources). */
  readonly tokenExpiresAt: string | null;
  /** Whole days since the refresh token in use was issued (OAuth sources). */
  readonly refreshTokenAgeDays: number | null;
  readonly clientSecretExpiresAt: string | null;
  /** When the provider's client certificate expires (certificate credentials). */
  readonly clientCertificateExpiresAt: string | null;
  /** OAuth sources: the refresh token was refused and only `mps login` helps; null otherwise. */
  readonly needsLogin: boolean | null;
  readonly lastError: HealthProblem | null;
  /** The IMAP server throttles the mailbox: no attempt before this time; null when it does not. */
  readonly throttledUntil: string | null;
  /** Why the source is unhealthy: empty exactly when `healthy`. */
  readonly problems: readonly HealthProblem[];
  /** What needs attention soon without making the source unhealthy. */
  readonly warnings: readonly HealthProblem[];
}

/** One source as `/health` shows it: the status model's verdict, its texts passed through `redact()`. */
export function sourceHealth(state: SourceState, now: number): SourceHealth {
  const { healthy, problems, warnings } = sourceVerdict(state, now);
  const oauth = state.oauth;
  return {
    name: state.name,
    type: state.type,
    healthy,
    lastExitCode: state.lastExitCode ?? null,
    lastRunAt: iso(state.lastRunAt),
    lastSuccessAt: iso(state.lastSuccessAt),
    consecutiveFailures: state.consecutiveFailures,
    tokenExpiresAt: iso(oauth?.accessTokenExpiresAt),
    refreshTokenAgeDays: oauth?.refreshTokenIssuedAt === undefined
      ? null
      : Math.max(0, Math.floor((now - oauth.refreshTokenIssuedAt) / DAY_MS)),
    clientSecretExpiresAt: iso(oauth?.clientSecretExpiresAt),
    clientCertificateExpiresAt: iso(oauth?.clientCertificateExpiresAt),
    needsLogin: oauth === undefined ? null : oauth.needsLogin,
    lastError: state.lastError === undefined ? null : toJson(state.lastError),
    throttledUntil: iso(state.throttledUntil),
    problems: problems.map(toJson),
    warnings: warnings.map(toJson),
  };
}

function toJson(problem: Problem): HealthProblem {
  return {
    code: problem.code,
    message: redact(problem.message),
    fix: problem.fix === undefined ? null : redact(problem.fix),
  };
}

function iso(ms: number | undefined): string | null {
  return ms === undefined || !Number.isFinite(ms) ? null : new Date(ms).toISOString();
}
