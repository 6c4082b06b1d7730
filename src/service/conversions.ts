import { PublishQueue } from "../spool/index.ts";
import type { PublishTicket } from "../spool/index.ts";

// Messages converted side by side: while one waits for the disk (open, write, fsync), the next
// is parsed and the server keeps sending.
const CONVERSIONS = 16;

/**
 * Messages converted side by side, at most {@link CONVERSIONS} at a time. Jobs are still
 * published in mailbox order, by one {@link PublishQueue} across every window of a cycle. After a failure no more are started; `finish` waits for those
 * under way and rethrows the first failure.
 */
export class Conversions {
  readonly #running = new Set<Promise<void>>();
  readonly #order = new PublishQueue();
  #failure: { error: unknown } | undefined;

  get failed(): boolean {
    return this.#failure !== undefined;
  }

  /** Starts one conversion; resolves once there is room for the next. */
  async start(convert: (order: PublishTicket) => Promise<void>): Promise<void> {
    const task = this.#order.run(convert).catch((error: unknown) => {
      this.#failure ??= { error };
    });
    this.#running.add(task);
    void task.finally(() => this.#running.delete(task));
    while (this.#running.size >= CONVERSIONS) await Promise.race(this.#running);
  }

  /** Resolves once every conversion started so far has ended, however it ended (never rejects). */
  settled(): Promise<void> {
    return Promise.all(this.#running).then(() => undefined);
  }

  async finish(): Promise<void> {
    await Promise.all(this.#running);
    if (this.#failure !== undefined) throw this.#failure.error;
  }
}
