/** Lets a loop's wait end early: IDLE says new mail has arrived. Nudges while busy are kept. */
export interface Nudge {
  nudge(): void;
  wait(ms: number, signal: AbortSignal): Promise<void>;
}

export function createNudge(): Nudge {
  let pending = false;
  let wake: (() => void) | undefined;
  return {
    nudge() {
      pending = true;
      wake?.();
    },
    wait(ms, signal) {
      return new Promise((resolve) => {
        if (pending || signal.aborted) {
          pending = false;
          return resolve();
        }
        const done = () => {
          clearTimeout(timer);
          signal.removeEventListener("abort", done);
          wake = undefined;
          pending = false;
          resolve();
        };
        const timer = setTimeout(done, ms);
        signal.addEventListener("abort", done, { once: true });
        wake = done;
      });
    },
  };
}
