import type { SourceState } from "../status/index.ts";
import { sourceHealth } from "./source_health.ts";
import type { SourceHealth } from "./source_health.ts";

/** The `/health` body: `ok` exactly when every listed source is healthy (so also when there are none). */
export interface HealthReport {
  readonly status: "ok" | "fail";
  readonly version: string;
  readonly sources: readonly SourceHealth[];
}

export function healthReport(states: readonly SourceState[], now: number, version: string): HealthReport {
  const sources = states.map((state) => sourceHealth(state, now));
  return { status: sources.every((source) => source.healthy) ? "ok" : "fail", version, sources };
}
