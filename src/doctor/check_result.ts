import { ERR_UNEXPECTED, MpsError, problemOf } from "../shared/errors.ts";

export type CheckStatus = "pass" | "warn" | "fail" | "skip";

/** One finding of `mps doctor`, as `--json` prints it (docs/DOCTOR.md). */
export interface CheckResult {
  /** Stable id, e.g. `token.refresh`. */
  readonly id: string;
  /** Name of the source checked, or null for a check of the whole installation. */
  readonly source: string | null;
  readonly status: CheckStatus;
  /** One line: what was found. */
  readonly finding: string;
  /** What the admin can do; null when the check passed or was skipped. */
  readonly fix: string | null;
  /** Stable code of the failure or warning (`ERR_…`, `WARN_…`); null when passed or skipped. */
  readonly code: string | null;
  /** Facts behind the finding (paths, dates, AADSTS number, server answer). */
  readonly details?: Readonly<Record<string, unknown>>;
  /**
   * Not printed: true when checks that need this one cannot run (it failed, or was skipped
   * because something before it failed or --offline). A check that is merely not applicable
   * (a password source has no token) does not block.
   */
  readonly blocks: boolean;
}

type Details = Readonly<Record<string, unknown>> | undefined;

function withDetails(details: Details): { details?: Readonly<Record<string, unknown>> } {
  return details === undefined || Object.keys(details).length === 0 ? {} : { details };
}

export function pass(id: string, source: string | null, finding: string, details?: Details): CheckResult {
  return { id, source, status: "pass", finding, fix: null, code: null, ...withDetails(details), blocks: false };
}

export function warn(
  id: string,
  source: string | null,
  code: string,
  finding: string,
  fix: string,
  details?: Details,
): CheckResult {
  return { id, source, status: "warn", finding, fix, code, ...withDetails(details), blocks: false };
}

export function fail(
  id: string,
  source: string | null,
  code: string,
  finding: string,
  fix: string,
  details?: Details,
): CheckResult {
  return { id, source, status: "fail", finding, fix, code, ...withDetails(details), blocks: true };
}

/** A failed check from an mps error: its message is the finding, its fix the fix. */
export function failFrom(id: string, source: string | null, error: unknown, details?: Details): CheckResult {
  if (error instanceof MpsError) {
    const aadsts = (error as { aadsts?: unknown }).aadsts;
    const extra = typeof aadsts === "number" ? { aadsts, ...details } : details;
    const problem = problemOf(error);
    return fail(
      id,
      source,
      problem.code,
      problem.message,
      problem.fix ?? "Read the finding above and correct what it names.",
      extra,
    );
  }
  // not an mps error: name the error class too, for the bug report
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return fail(
    id,
    source,
    ERR_UNEXPECTED,
    `Unexpected error: ${text}`,
    "This is a bug in mps or an unusual system state: report it with this output.",
    details,
  );
}

/** Not run. `blocks` says whether checks that need this one must be skipped too. */
export function skip(
  id: string,
  source: string | null,
  finding: string,
  blocks: boolean,
  details?: Details,
): CheckResult {
  return { id, source, status: "skip", finding, fix: null, code: null, ...withDetails(details), blocks };
}

/** Skipped because a prerequisite failed (or was itself blocked); undefined when all prerequisites allow the check. */
export function blockedBy(
  id: string,
  source: string | null,
  ...prerequisites: readonly CheckResult[]
): CheckResult | undefined {
  const blocker = prerequisites.find((result) => result.blocks);
  if (blocker === undefined) return undefined;
  const why = blocker.status === "fail" ? `${blocker.id} failed` : `${blocker.id} was not checked`;
  return skip(id, source, `Not checked: ${why}`, true, { needs: blocker.id });
}

/** Skipped because --offline keeps doctor off the network. */
export function offline(id: string, source: string | null): CheckResult {
  return skip(id, source, "Not checked: --offline", true);
}
