import { redact } from "../log/index.ts";
import type { SourceProblem, SourceState } from "../service/source_state.ts";
import {
  CLIENT_SECRET_WARNING_DAYS,
  DAY_MS,
  REFRESH_TOKEN_LIFETIME_DAYS,
  REFRESH_TOKEN_WARNING_DAYS,
  STALE_AFTER_INTERVALS,
} from "./health_rules.ts";

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

/** Judges one source at time `now` (ms) by the SPEC rules; the texts pass through `redact()`. */
export function sourceHealth(state: SourceState, now: number): SourceHealth {
  const problems = [failedRun(state), staleness(state, now), needsLogin(state)].filter(isProblem);
  const warnings = [secretExpiry(state, now), certificateExpiry(state, now), refreshTokenAge(state, now)].filter(
    isProblem,
  );
  const oauth = state.oauth;
  return {
    name: state.name,
    type: state.type,
    healthy: problems.length === 0,
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

function failedRun(state: SourceState): SourceProblem | undefined {
  if (state.lastExitCode === undefined || state.lastExitCode === 0) return undefined;
  const cause = state.lastError === undefined ? "" : `: ${state.lastError.message}`;
  return {
    code: "SOURCE_FAILING",
    message: `The last cycle of source '${state.name}' ended with exit code ${state.lastExitCode}${cause}`,
    fix: state.lastError?.fix ?? "Read lastError and mps.log, or run `mps doctor`, to see what failed.",
  };
}

function staleness(state: SourceState, now: number): SourceProblem | undefined {
  const limit = STALE_AFTER_INTERVALS * state.intervalMs;
  const since = state.lastRunAt ?? state.startedAt;
  if (now - since <= limit) return undefined;
  const what = state.lastRunAt === undefined
    ? `has not finished a cycle since it started at ${iso(state.startedAt)}`
    : `has not finished a cycle since ${iso(state.lastRunAt)}`;
  return {
    code: "SOURCE_STALE",
    message: `Source '${state.name}' ${what}, more than ${STALE_AFTER_INTERVALS} × its ${
      seconds(state.intervalMs)
    } interval ago`,
    fix:
      "A cycle is stuck (a hanging connection or a slow share): check mps.log for the source, then restart the service.",
  };
}

function needsLogin(state: SourceState): SourceProblem | undefined {
  const oauth = state.oauth;
  if (oauth === undefined || !oauth.needsLogin) return undefined;
  return {
    code: "NEEDS_LOGIN",
    message:
      `The refresh token of ${oauth.username} (${oauth.provider}) was refused: source '${state.name}' cannot sign in until someone logs in again`,
    fix: `Run: mps login ${oauth.provider} ${oauth.username}`,
  };
}

function secretExpiry(state: SourceState, now: number): SourceProblem | undefined {
  const expires = state.oauth?.clientSecretExpiresAt;
  if (expires === undefined || expires - now > CLIENT_SECRET_WARNING_DAYS * DAY_MS) return undefined;
  const provider = state.oauth?.provider ?? "";
  const when = expires <= now
    ? `expired on ${iso(expires)}`
    : `expires on ${iso(expires)}, in ${Math.ceil((expires - now) / DAY_MS)} day(s)`;
  return {
    code: "CLIENT_SECRET_EXPIRING",
    message: `The client secret of OAuth provider '${provider}' ${when}`,
    fix:
      "Create a new client secret in the app registration (Entra ID > App registrations > Certificates & secrets), " +
      "put it and its date in clientSecret and clientSecretExpires of the <provider> in mps.config, then restart mps.",
  };
}

function certificateExpiry(state: SourceState, now: number): SourceProblem | undefined {
  const expires = state.oauth?.clientCertificateExpiresAt;
  if (expires === undefined || expires - now > CLIENT_SECRET_WARNING_DAYS * DAY_MS) return undefined;
  const when = expires <= now
    ? `expired on ${iso(expires)}`
    : `expires on ${iso(expires)}, in ${Math.ceil((expires - now) / DAY_MS)} day(s)`;
  return {
    code: "CLIENT_CERTIFICATE_EXPIRING",
    message: `The client certificate of OAuth provider '${state.oauth?.provider ?? ""}' ${when}`,
    fix: "Create a new certificate, upload it in the app registration (Entra ID > App registrations > Certificates & " +
      "secrets > Certificates), point clientCertificate of the <provider> in mps.config at it, then restart mps.",
  };
}

function refreshTokenAge(state: SourceState, now: number): SourceProblem | undefined {
  const oauth = state.oauth;
  const issued = oauth?.refreshTokenIssuedAt;
  if (oauth === undefined || issued === undefined || oauth.needsLogin) return undefined;
  const days = Math.floor((now - issued) / DAY_MS);
  if (days < REFRESH_TOKEN_WARNING_DAYS) return undefined;
  return {
    code: "REFRESH_TOKEN_AGING",
    message: `The refresh token of ${oauth.username} (${oauth.provider}) is ${days} days old; ` +
      `it expires after ${REFRESH_TOKEN_LIFETIME_DAYS} days unused, and mps renews it every few days, so renewal is failing`,
    fix:
      `Run \`mps doctor\` to see why the token cannot be refreshed; if it has expired, run: mps login ${oauth.provider} ${oauth.username}`,
  };
}

function isProblem(problem: SourceProblem | undefined): problem is SourceProblem {
  return problem !== undefined;
}

function toJson(problem: SourceProblem): HealthProblem {
  return {
    code: problem.code,
    message: redact(problem.message),
    fix: problem.fix === undefined ? null : redact(problem.fix),
  };
}

function iso(ms: number | undefined): string | null {
  return ms === undefined || !Number.isFinite(ms) ? null : new Date(ms).toISOString();
}

function seconds(ms: number): string {
  return `${ms / 1000} s`;
}
