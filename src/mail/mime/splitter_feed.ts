import type { SplitterChunk } from "@zone-eu/mailsplit";
import { MimeSplitter } from "./mime_splitter.ts";

/**
 * Bytes in, MIME events out: splits raw message bytes with a `MimeSplitter` and hands the events
 * to a walker that consumes them at its own pace. A write returns once the walker has taken the
 * events of its bytes, so at most one write's events wait. Once the walker has failed, `write`
 * and `end` rethrow its error; once it has stopped, further bytes are ignored. A split error
 * (a message past the splitter's limits) reaches the walker from its iterator, after the events
 * before it. Embedded `message/rfc822` parts come out as leaves: the walker reads them with a
 * feed of their own.
 */
export class SplitterFeed {
  readonly #splitter = new MimeSplitter();
  /** Events not yet taken by the walker, from `#next` on. */
  #queue: SplitterChunk[] = [];
  #next = 0;
  /** What the walker's iterator throws once the queue is empty: a split error, or the input gave up. */
  #error: { error: unknown } | undefined;
  /** No more events will come. */
  #ended = false;
  #stopped = false;
  #failure: { error: unknown } | undefined;
  /** Resolves the walker's pending `next()` when events (or the end) arrive. */
  #wakeWalker: (() => void) | undefined;
  /** Resolves the writes waiting for the walker to take the queued events. */
  #wakeWriters: (() => void) | undefined;
  #taken: Promise<void> | undefined;
  readonly #walking: Promise<void>;

  constructor(walk: (items: AsyncIterable<SplitterChunk>) => Promise<void>) {
    const iterator: AsyncIterator<SplitterChunk> = {
      next: () => this.#take(),
      return: () => {
        this.#stop();
        return Promise.resolve({ done: true, value: undefined });
      },
    };
    this.#walking = walk({ [Symbol.asyncIterator]: () => iterator }).then(
      () => this.#stop(),
      (error: unknown) => {
        this.#failure = { error };
        this.#stop();
      },
    );
  }

  async write(chunk: Buffer): Promise<void> {
    this.#check();
    if (this.#stopped || this.#ended || this.#error) return;
    try {
      this.#splitter.write(chunk, this.#queue);
    } catch (error) {
      this.#error = { error };
    }
    await this.#handOver();
    this.#check();
  }

  /** The message ended: waits until the walker has seen all of it. */
  async end(): Promise<void> {
    if (!this.#stopped && !this.#ended && !this.#error) {
      try {
        this.#splitter.end(this.#queue);
      } catch (error) {
        this.#error = { error };
      }
    }
    this.#ended = true;
    this.#wake();
    await this.#walking;
    this.#check();
  }

  /** Gives up (the input failed): stops the walker and waits until it has cleaned up. */
  async close(): Promise<void> {
    if (!this.#ended && !this.#error) this.#error = { error: new Error("The message ended before it was complete") };
    this.#ended = true;
    this.#wake();
    await this.#walking;
  }

  /** Wakes the walker for the queued events and waits until it has taken them all, or stopped. */
  async #handOver(): Promise<void> {
    if (this.#next >= this.#queue.length && !this.#error) return;
    this.#taken ??= new Promise<void>((resolve) => {
      this.#wakeWriters = resolve;
    });
    const taken = this.#taken;
    this.#wake();
    await taken;
    // the walker took a split error or let go of its iterator: it is failing or done, and write reports which
    if (this.#stopped || this.#ended) await this.#walking;
  }

  #take(): Promise<IteratorResult<SplitterChunk>> {
    const queue = this.#queue;
    const value = queue[this.#next];
    if (value !== undefined) {
      this.#next++;
      if (this.#next === queue.length) {
        // the walker holds the last event: the writer may split its next bytes meanwhile
        this.#queue = [];
        this.#next = 0;
        if (!this.#error) this.#release();
      }
      return Promise.resolve({ done: false, value });
    }
    if (this.#error) {
      const { error } = this.#error;
      this.#error = undefined;
      this.#ended = true;
      this.#release();
      return Promise.reject(error);
    }
    if (this.#ended || this.#stopped) return Promise.resolve({ done: true, value: undefined });
    return new Promise<void>((resolve) => {
      this.#wakeWalker = resolve;
    }).then(() => this.#take());
  }

  #wake(): void {
    const wake = this.#wakeWalker;
    this.#wakeWalker = undefined;
    wake?.();
  }

  #release(): void {
    const release = this.#wakeWriters;
    this.#wakeWriters = undefined;
    this.#taken = undefined;
    release?.();
  }

  #stop(): void {
    this.#stopped = true;
    this.#queue = [];
    this.#next = 0;
    this.#release();
  }

  #check(): void {
    if (this.#failure) throw this.#failure.error;
  }
}
