import { Splitter } from "@zone-eu/mailsplit";
import type { SplitterChunk } from "@zone-eu/mailsplit";
import type { Transform } from "node:stream";
import { waitForDrain } from "./wait_for_drain.ts";

/**
 * Bytes in, MIME events out: writes raw message bytes into a mailsplit `Splitter` whose events
 * a walker consumes at its own pace. Writes wait while the walker is behind. Once the walker
 * has failed, `write` and `end` rethrow its error; once it has stopped, further bytes are
 * ignored. Embedded `message/rfc822` parts come out as leaves: the walker reads them with a
 * feed of their own.
 */
export class SplitterFeed {
  readonly #splitter = new Splitter({ ignoreEmbedded: true });
  /** The same splitter, seen as the plain stream it is (its typings only declare `data` events). */
  readonly #stream = this.#splitter as unknown as Transform;
  readonly #walking: Promise<void>;
  readonly #stopped = new AbortController();
  #failure: { error: unknown } | undefined;

  constructor(walk: (items: AsyncIterable<SplitterChunk>) => Promise<void>) {
    // a parse error reaches the walker through its iterator; this listener only keeps a
    // write after the walker stopped from becoming an uncaught error
    this.#stream.on("error", () => undefined);
    this.#walking = walk(this.#splitter).then(
      () => this.#stopped.abort(),
      (error: unknown) => {
        this.#failure = { error };
        this.#stopped.abort();
      },
    );
  }

  async write(chunk: Buffer): Promise<void> {
    this.#check();
    if (this.#stopped.signal.aborted) return;
    if (!this.#stream.write(chunk)) {
      await waitForDrain(this.#stream, this.#stopped.signal);
      this.#check();
    }
  }

  /** The message ended: waits until the walker has seen all of it. */
  async end(): Promise<void> {
    if (!this.#stopped.signal.aborted) this.#stream.end();
    await this.#walking;
    this.#check();
  }

  /** Gives up (the input failed): stops the walker and waits until it has cleaned up. */
  async close(): Promise<void> {
    this.#stream.destroy();
    await this.#walking;
  }

  #check(): void {
    if (this.#failure) throw this.#failure.error;
  }
}
