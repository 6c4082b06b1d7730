/** What the last cycles of one source did: read by /health, /metrics and doctor. */
export interface SourceState {
  readonly name: string;
  readonly type: string;
  readonly intervalMs: number;
  lastExitCode: number | undefined;
  lastRunAt: number | undefined;
  lastSuccessAt: number | undefined;
  consecutiveFailures: number;
  lastError: { code: string; message: string; fix: string | undefined } | undefined;
  runs: Map<number, number>;
  jobs: number;
}

export function createSourceState(name: string, type: string, intervalMs: number): SourceState {
  return {
    name,
    type,
    intervalMs,
    lastExitCode: undefined,
    lastRunAt: undefined,
    lastSuccessAt: undefined,
    consecutiveFailures: 0,
    lastError: undefined,
    runs: new Map(),
    jobs: 0,
  };
}
