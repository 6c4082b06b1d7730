// Shared by the doctor tests: run the real `mps doctor` and read its JSON report.
import assert from "node:assert/strict";
import { readFile, writeFile } from "node:fs/promises";
import { setUpMailbox } from "../helpers/mailbox_setup.ts";
import type { MailboxSetup } from "../helpers/mailbox_setup.ts";
import { runMps } from "../helpers/run_mps.ts";
import type { MpsResult } from "../helpers/run_mps.ts";

export interface ReportCheck {
  id: string;
  source: string | null;
  status: "pass" | "warn" | "fail" | "skip";
  finding: string;
  fix: string | null;
  code: string | null;
  details?: Record<string, unknown>;
}

export interface Report {
  version: string;
  config: string | null;
  ok: boolean;
  exitCode: number;
  counts: { pass: number; warn: number; fail: number; skip: number };
  options: { source: string | null; offline: boolean; noWrite: boolean };
  checks: ReportCheck[];
}

/** `mps doctor --config <config> <args>` as a subprocess. */
export function doctor(
  config: string,
  args: readonly string[] = [],
  env: Record<string, string> = {},
): Promise<MpsResult> {
  return runMps(["doctor", "--config", config, ...args], { env });
}

/** `mps doctor --json`: the exit code and the parsed report (stdout must be exactly one JSON object). */
export async function doctorJson(
  config: string,
  args: readonly string[] = [],
  env: Record<string, string> = {},
): Promise<{ code: number | null; report: Report; stderr: string }> {
  const result = await doctor(config, ["--json", ...args], env);
  let report: Report;
  try {
    report = JSON.parse(result.stdout) as Report;
  } catch (error) {
    assert.fail(`stdout is not one JSON object (${String(error)}):\n${result.stdout}\nstderr:\n${result.stderr}`);
  }
  return { code: result.code, report, stderr: result.stderr };
}

/** The one check with this id (and source, when given). */
export function check(report: Report, id: string, source?: string | null): ReportCheck {
  const found = report.checks.filter((c) => c.id === id && (source === undefined || c.source === source));
  assert.equal(
    found.length,
    1,
    `expected one check '${id}'${source === undefined ? "" : ` of ${String(source)}`}, got ${found.length}`,
  );
  return found[0] as ReportCheck;
}

/** Statuses by id, for one source: `{ "token.present": "pass", ... }`. */
export function statuses(report: Report, source: string | null): Record<string, string> {
  return Object.fromEntries(report.checks.filter((c) => c.source === source).map((c) => [c.id, c.status]));
}

/** A mailbox with a stored sign-in; the certificate lives long enough not to be reported as expiring. */
export async function healthyMailbox(options: Parameters<typeof setUpMailbox>[0] = {}): Promise<MailboxSetup> {
  const box = await setUpMailbox({ ...options, dovecot: { certDays: 90, ...options.dovecot } });
  await box.storeLogin();
  return box;
}

/** Rewrites a config file written by `writeConfig` (e.g. to give the provider a client secret). */
export async function editConfig(file: string, edit: (text: string) => string): Promise<string> {
  await writeFile(file, edit(await readFile(file, "utf8")));
  return file;
}
