import type { CheckStatus } from "./check_result.ts";
import type { DoctorReport } from "./doctor_report.ts";

export interface RenderTextOptions {
  /** ANSI colours (a terminal, NO_COLOR unset). */
  readonly color: boolean;
  /** A short description per source name, shown in its heading ("ImapOAuth print@contoso.com at host:993"). */
  readonly sources?: ReadonlyMap<string, string>;
}

const SYMBOLS: Readonly<Record<CheckStatus, string>> = { pass: "✓", warn: "!", fail: "✗", skip: "-" };
const COLORS: Readonly<Record<CheckStatus, string>> = { pass: "32", warn: "33", fail: "31", skip: "2" };
const ID_WIDTH = 20;

/**
 * The readable report: one line per check (✓ pass, ! warning, ✗ failed, - skipped), the fix
 * indented under each problem, checks of a source under its name, and a last line with counts.
 */
export function renderText(report: DoctorReport, options: RenderTextOptions): string {
  const paint = (code: string, text: string) => (options.color ? `\u001b[${code}m${text}\u001b[0m` : text);
  const lines: string[] = [];
  const scope = [
    report.options.source === null ? undefined : `source '${report.options.source}'`,
    report.options.offline ? "--offline" : undefined,
    report.options.noWrite ? "--no-write" : undefined,
  ].filter((part) => part !== undefined);
  lines.push(
    paint(
      "1",
      `mps doctor ${report.version}: config '${report.config ?? "(none)"}'${
        scope.length === 0 ? "" : ` (${scope.join(", ")})`
      }`,
    ),
    "",
  );
  let current: string | null | undefined;
  for (const check of report.checks) {
    if (check.source !== current) {
      if (check.source !== null) {
        const about = options.sources?.get(check.source);
        lines.push(paint("1", `Source '${check.source}'${about === undefined ? "" : ` (${about})`}`));
      } else {
        lines.push(paint("1", "Installation"));
      }
      current = check.source;
    }
    const indent = check.source === null ? "" : "  ";
    lines.push(
      `${indent}${paint(COLORS[check.status], SYMBOLS[check.status])} ${check.id.padEnd(ID_WIDTH)} ${check.finding}`,
    );
    if (check.fix !== null) lines.push(`${indent}    ${paint(COLORS[check.status], "Fix:")} ${check.fix}`);
  }
  const { pass, warn, fail, skip } = report.counts;
  const summary = `${pass} passed, ${warn} warning${warn === 1 ? "" : "s"}, ${fail} failed, ${skip} skipped`;
  const verdict = fail > 0
    ? paint(COLORS.fail, "Problems found")
    : warn > 0
    ? paint(COLORS.warn, "Warnings")
    : paint(COLORS.pass, "All checks passed");
  lines.push("", `${verdict}: ${summary}`);
  return `${lines.join("\n")}\n`;
}
