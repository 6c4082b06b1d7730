import type { Readable, Transform } from "node:stream";
import { waitForDrain } from "./wait_for_drain.ts";

/** Where the body bytes of one MIME part go while the message streams past. */
export interface PartSink {
  /** Takes the next raw (transfer-encoded) chunk, waiting while the consumer is behind. */
  write(chunk: Buffer): Promise<void>;
  /** No more bytes: waits for the consumer and rethrows its failure. */
  end(): Promise<void>;
  /** Stops early, cleaning up behind the consumer. */
  abort(): Promise<void>;
}

/** A part nobody needs: its bytes are dropped without decoding. */
export const DISCARD: PartSink = {
  write: () => Promise.resolve(),
  end: () => Promise.resolve(),
  abort: () => Promise.resolve(),
};

// The reason the consumer is done. abort() without one creates a DOMException, stack trace and
// all, for every part of every message (~1 % of a drain's CPU); nobody reads the reason.
const SETTLED = "settled";

/**
 * Feeds a part's bytes through its transfer decoder (base64, quoted-printable, or none) to a
 * consumer that reads the decoded stream, with backpressure: a slow disk slows the parser
 * instead of filling memory.
 */
export class DecodingSink implements PartSink {
  readonly #decoder: Transform;
  readonly #done: Promise<void>;
  readonly #settled = new AbortController();
  #failure: { error: unknown } | undefined;

  constructor(decoder: Transform, consume: (decoded: Readable) => Promise<unknown>) {
    this.#decoder = decoder;
    this.#done = consume(decoder).then(
      () => this.#settled.abort(SETTLED),
      (error: unknown) => {
        this.#failure = { error };
        this.#settled.abort(SETTLED);
      },
    );
  }

  async write(chunk: Buffer): Promise<void> {
    this.#check();
    if (this.#settled.signal.aborted) return;
    if (!this.#decoder.write(chunk)) {
      await waitForDrain(this.#decoder, this.#settled.signal);
      this.#check();
    }
  }

  async end(): Promise<void> {
    if (!this.#settled.signal.aborted) this.#decoder.end();
    await this.#done;
    this.#check();
  }

  async abort(): Promise<void> {
    this.#decoder.destroy();
    await this.#done;
  }

  #check(): void {
    if (this.#failure) throw this.#failure.error;
  }
}
