// `mps doctor`: every known failure found, explained and given its fix (docs/DOCTOR.md).
export { runDoctor } from "./run_doctor.ts";
export type { CheckResult } from "./check_result.ts";
export { configFailureResults } from "./config_checks.ts";
export { doctorReport } from "./doctor_report.ts";
export { renderText } from "./render_text.ts";
