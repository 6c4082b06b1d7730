import type { Problem } from "../shared/errors.ts";
import { DAY_MS } from "../shared/time.ts";
import {
  CLIENT_SECRET_WARNING_DAYS,
  REFRESH_TOKEN_LIFETIME_DAYS,
  REFRESH_TOKEN_WARNING_DAYS,
  STALE_AFTER_INTERVALS,
} from "./health_rules.ts";
import type { SourceState } from "./source_state.ts";

/** The last cycle failed. */
export const SOURCE_FAILING = "SOURCE_FAILING";
/** No cycle finished within `STALE_AFTER_INTERVALS` intervals. */
export const SOURCE_STALE = "SOURCE_STALE";
/** The refresh token was refused: only `mps login` helps. */
export const NEEDS_LOGIN = "NEEDS_LOGIN";
/** The client secret expires within `CLIENT_SECRET_WARNING_DAYS` days (a warning). */
export const CLIENT_SECRET_EXPIRING = "CLIENT_SECRET_EXPIRING";
/** The client certificate expires within `CLIENT_SECRET_WARNING_DAYS` days (a warning). */
export const CLIENT_CERTIFICATE_EXPIRING = "CLIENT_CERTIFICATE_EXPIRING";
/** The refresh token is older than `REFRESH_TOKEN_WARNING_DAYS` days (a warning). */
export const REFRESH_TOKEN_AGING = "REFRESH_TOKEN_AGING";

/** Whether a source is healthy at a time, and why not; the texts are raw (renderers redact them). */
export interface SourceVerdict {
  readonly healthy: boolean;
  /** Why the source is unhealthy: empty exactly when `healthy`. */
  readonly problems: readonly Problem[];
  /** What needs attention soon without making the source unhealthy. */
  readonly warnings: readonly Problem[];
}

/** Judges one source at time `now` (ms) by the thresholds in `health_rules.ts`. */
export function sourceVerdict(state: SourceState, now: number): SourceVerdict {
  const problems = [failedRun(state), staleness(state, now), needsLogin(state)].filter(isProblem);
  const warnings = [secretExpiry(state, now), certificateExpiry(state, now), refreshTokenAge(state, now)].filter(
    isProblem,
  );
  return { healthy: problems.length === 0, problems, warnings };
}

function failedRun(state: SourceState): Problem | undefined {
  if (state.lastExitCode === undefined || state.lastExitCode === 0) return undefined;
  const cause = state.lastError === undefined ? "" : `: ${state.lastError.message}`;
  return {
    code: SOURCE_FAILING,
    message: `The last cycle of source '${state.name}' ended with exit code ${state.lastExitCode}${cause}`,
    fix: state.lastError?.fix ?? "Read lastError and mps.log, or run `mps doctor`, to see what failed.",
  };
}

function staleness(state: SourceState, now: number): Problem | undefined {
  const limit = STALE_AFTER_INTERVALS * state.intervalMs;
  const since = state.lastRunAt ?? state.startedAt;
  if (now - since <= limit) return undefined;
  const what = state.lastRunAt === undefined
    ? `has not finished a cycle since it started at ${iso(state.startedAt)}`
    : `has not finished a cycle since ${iso(state.lastRunAt)}`;
  return {
    code: SOURCE_STALE,
    message: `Source '${state.name}' ${what}, more than ${STALE_AFTER_INTERVALS} × its ${
      seconds(state.intervalMs)
    } interval ago`,
    fix:
      "A cycle is stuck (a hanging connection or a slow share): check mps.log for the source, then restart the service.",
  };
}

function needsLogin(state: SourceState): Problem | undefined {
  const oauth = state.oauth;
  if (oauth === undefined || !oauth.needsLogin) return undefined;
  return {
    code: NEEDS_LOGIN,
    message:
      `The refresh token of ${oauth.username} (${oauth.provider}) was refused: source '${state.name}' cannot sign in until someone logs in again`,
    fix: `Run: mps login ${oauth.provider} ${oauth.username}`,
  };
}

function secretExpiry(state: SourceState, now: number): Problem | undefined {
  const expires = state.oauth?.clientSecretExpiresAt;
  if (expires === undefined || expires - now > CLIENT_SECRET_WARNING_DAYS * DAY_MS) return undefined;
  const provider = state.oauth?.provider ?? "";
  const when = expires <= now
    ? `expired on ${iso(expires)}`
    : `expires on ${iso(expires)}, in ${Math.ceil((expires - now) / DAY_MS)} day(s)`;
  return {
    code: CLIENT_SECRET_EXPIRING,
    message: `The client secret of OAuth provider '${provider}' ${when}`,
    fix:
      "Create a new client secret in the app registration (Entra ID > App registrations > Certificates & secrets), " +
      "put it and its date in clientSecret and clientSecretExpires of the <provider> in mps.config, then restart mps.",
  };
}

function certificateExpiry(state: SourceState, now: number): Problem | undefined {
  const expires = state.oauth?.clientCertificateExpiresAt;
  if (expires === undefined || expires - now > CLIENT_SECRET_WARNING_DAYS * DAY_MS) return undefined;
  const when = expires <= now
    ? `expired on ${iso(expires)}`
    : `expires on ${iso(expires)}, in ${Math.ceil((expires - now) / DAY_MS)} day(s)`;
  return {
    code: CLIENT_CERTIFICATE_EXPIRING,
    message: `The client certificate of OAuth provider '${state.oauth?.provider ?? ""}' ${when}`,
    fix: "Create a new certificate, upload it in the app registration (Entra ID > App registrations > Certificates & " +
      "secrets > Certificates), point clientCertificate of the <provider> in mps.config at it, then restart mps.",
  };
}

function refreshTokenAge(state: SourceState, now: number): Problem | undefined {
  const oauth = state.oauth;
  const issued = oauth?.refreshTokenIssuedAt;
  if (oauth === undefined || issued === undefined || oauth.needsLogin) return undefined;
  const days = Math.floor((now - issued) / DAY_MS);
  if (days < REFRESH_TOKEN_WARNING_DAYS) return undefined;
  return {
    code: REFRESH_TOKEN_AGING,
    message: `The refresh token of ${oauth.username} (${oauth.provider}) is ${days} days old; ` +
      `it expires after ${REFRESH_TOKEN_LIFETIME_DAYS} days unused, and mps renews it every few days, so renewal is failing`,
    fix:
      `Run \`mps doctor\` to see why the token cannot be refreshed; if it has expired, run: mps login ${oauth.provider} ${oauth.username}`,
  };
}

function isProblem(problem: Problem | undefined): problem is Problem {
  return problem !== undefined;
}

function iso(ms: number | undefined): string | null {
  return ms === undefined || !Number.isFinite(ms) ? null : new Date(ms).toISOString();
}

function seconds(ms: number): string {
  return `${ms / 1000} s`;
}
