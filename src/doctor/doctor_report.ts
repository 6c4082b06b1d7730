import type { CheckResult, CheckStatus } from "./check_result.ts";

/** What `mps doctor --json` prints (docs/DOCTOR.md). */
export interface DoctorReport {
  readonly version: string;
  /** Absolute path of the config file checked (or the path that failed to load); null when none was found. */
  readonly config: string | null;
  /** True when no check failed (warnings allowed): exit code 0 or 1. */
  readonly ok: boolean;
  /** 0 all checks pass, 1 warnings only, 2 a check failed (skips do not count). */
  readonly exitCode: 0 | 1 | 2;
  readonly counts: Readonly<Record<CheckStatus, number>>;
  readonly options: { readonly source: string | null; readonly offline: boolean; readonly noWrite: boolean };
  readonly checks: ReadonlyArray<Omit<CheckResult, "blocks">>;
}

export interface ReportInput {
  readonly version: string;
  readonly config: string | null;
  readonly source: string | undefined;
  readonly offline: boolean;
  readonly noWrite: boolean;
}

/** Counts, exit code and the printable form of the results (without the internal `blocks`). */
export function doctorReport(results: readonly CheckResult[], input: ReportInput): DoctorReport {
  const counts: Record<CheckStatus, number> = { pass: 0, warn: 0, fail: 0, skip: 0 };
  for (const result of results) counts[result.status] += 1;
  const exitCode = counts.fail > 0 ? 2 : counts.warn > 0 ? 1 : 0;
  return {
    version: input.version,
    config: input.config,
    ok: counts.fail === 0,
    exitCode,
    counts,
    options: { source: input.source ?? null, offline: input.offline, noWrite: input.noWrite },
    checks: results.map(({ id, source, status, finding, fix, code, details }) => ({
      id,
      source,
      status,
      finding,
      fix,
      code,
      ...(details === undefined ? {} : { details }),
    })),
  };
}
