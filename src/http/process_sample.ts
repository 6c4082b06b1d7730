import process from "node:process";

/** What the standard `process_*` metrics report; read through node:process, which Deno provides too. */
export interface ProcessSample {
  /** User plus system CPU time, seconds. */
  readonly cpuSeconds: number;
  readonly residentMemoryBytes: number;
  /** Unix time the process started, seconds. */
  readonly startTimeSeconds: number;
  /** V8 heap reserved (heapTotal) and in use (heapUsed), bytes. */
  readonly heapBytes: number;
  readonly heapUsedBytes: number;
}

/**
 * A sampler of the running process. The start time is worked out once, from `now` (ms) and the
 * process uptime, so it does not jitter between scrapes (alerts use `changes()` on it to spot restarts).
 */
export function processSampler(now: () => number): () => ProcessSample {
  const startTimeSeconds = Math.round(now() - process.uptime() * 1000) / 1000;
  return () => {
    const cpu = process.cpuUsage();
    const memory = process.memoryUsage();
    return {
      cpuSeconds: (cpu.user + cpu.system) / 1e6,
      residentMemoryBytes: memory.rss,
      startTimeSeconds,
      heapBytes: memory.heapTotal,
      heapUsedBytes: memory.heapUsed,
    };
  };
}
