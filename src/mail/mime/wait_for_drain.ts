import type { Writable } from "node:stream";

/**
 * Resolves when `stream` drains, closes, or `stop` is aborted (its reader gave up). Unlike a
 * `Promise.race` against the reader's promise, it leaves no reaction behind on a long-lived
 * promise: racing once per full buffer kept one per wait alive until the message ended.
 */
export function waitForDrain(stream: Writable, stop: AbortSignal): Promise<void> {
  if (stop.aborted || stream.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    const done = (): void => {
      stream.off("drain", done);
      stream.off("close", done);
      stop.removeEventListener("abort", done);
      resolve();
    };
    stream.on("drain", done);
    stream.on("close", done);
    stop.addEventListener("abort", done);
  });
}
