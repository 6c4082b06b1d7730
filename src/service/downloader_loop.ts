import type { ComponentLogger } from "../log/index.ts";
import { ImapThrottledError } from "../imap/index.ts";
import { problemOf } from "../shared/errors.ts";
import { createNudge } from "./nudge.ts";
import type { Nudge } from "./nudge.ts";
import { recordCycle } from "../status/index.ts";
import type { SourceState } from "../status/index.ts";

export interface LoopOptions {
  readonly state: SourceState;
  readonly cycle: () => Promise<number>;
  readonly log: ComponentLogger;
  readonly now: () => number;
  readonly shutdown: AbortSignal;
  /** Upper bound of the wait after failures (the interval doubles per failure up to it). */
  readonly maxBackoffMs?: number;
  /** Ends a wait early (IDLE saw new mail). */
  readonly nudge?: Nudge;
}

/**
 * Runs one cycle and records it. Every cycle ends with the line admins of the old product
 * grep for: `MpsDownloader finished with exit code N`.
 */
export async function runCycle(options: LoopOptions): Promise<number> {
  const { state, log, now } = options;
  let code: number;
  const started = now();
  try {
    code = await options.cycle();
    state.lastError = undefined;
  } catch (error) {
    code = 1;
    state.lastError = problemOf(error);
    if (error instanceof ImapThrottledError) {
      // The server asked for a pause: one warning with the time, not an error per attempt.
      state.throttledUntil = now() + error.retryAfterMs;
      state.throttles += 1;
      log.warn(state.lastError.message, {
        code: state.lastError.code,
        until: new Date(state.throttledUntil).toISOString(),
      });
    } else {
      log.error(state.lastError.message, {
        code: state.lastError.code,
        ...(state.lastError.fix ? { fix: state.lastError.fix } : {}),
      });
    }
  }
  const at = now();
  recordCycle(state, code, at, (at - started) / 1000);
  const line = `MpsDownloader finished with exit code ${code}`;
  if (code === 0) log.info(line);
  else log.error(line, { cause: state.lastError?.message });
  return code;
}

/**
 * Cycles until shutdown, waiting the source's interval between cycles. After a failure it
 * retries sooner, 1 s then doubling, never waiting longer than the interval (so /health
 * keeps seeing fresh runs) nor `maxBackoffMs`. A server that throttles the mailbox is waited
 * out instead, for as long as it asked (new-mail nudges do not end that wait).
 */
export async function runLoop(options: LoopOptions): Promise<void> {
  const maxBackoff = options.maxBackoffMs ?? 5 * 60_000;
  while (!options.shutdown.aborted) {
    await runCycle(options);
    const failures = options.state.consecutiveFailures;
    const interval = options.state.intervalMs;
    const throttled = (options.state.throttledUntil ?? 0) - options.now();
    if (failures > 0 && throttled > 0) {
      await createNudge().wait(throttled, options.shutdown);
      continue;
    }
    const wait = failures === 0 ? interval : Math.min(interval, maxBackoff, 1000 * 2 ** Math.min(failures - 1, 20));
    await (options.nudge ?? createNudge()).wait(wait, options.shutdown);
  }
}
