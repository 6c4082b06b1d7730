import * as net from "node:net";
import { performance } from "node:perf_hooks";

/** A TCP relay on 127.0.0.1 that adds a round trip between its clients and one server. */
export interface RttRelay {
  /** The relay's port: connect here instead of the server's. */
  readonly port: number;
  /** The round trip it adds, in ms. */
  readonly rttMs: number;
  close(): Promise<void>;
}

/**
 * Relays every connection to `127.0.0.1:targetPort`, holding each chunk `rttMs / 2` ms in each
 * direction: bytes unchanged (TLS passes through), order kept, no bandwidth cap (a chunk is
 * written as soon as its time has come, however many are in flight). Only the time a chunk
 * spends in the relay is added; the kernel's own ACKs are not delayed, so TCP windows never
 * throttle it the way a real long link can. With `rttMs` 0 chunks are written at once, with no
 * timer, so a 0 ms relay costs what one more loopback hop costs.
 */
export async function startRttRelay(targetPort: number, rttMs: number): Promise<RttRelay> {
  const oneWayMs = rttMs / 2;
  const sockets = new Set<net.Socket>();
  // Half-open on both sides: an end is passed on in its turn, after the chunks before it.
  const server = net.createServer({ noDelay: true, allowHalfOpen: true }, (client) => {
    const upstream = net.connect({ host: "127.0.0.1", port: targetPort, noDelay: true, allowHalfOpen: true });
    sockets.add(client);
    sockets.add(upstream);
    delayedPipe(client, upstream, oneWayMs);
    delayedPipe(upstream, client, oneWayMs);
    const destroyBoth = (): void => {
      client.destroy();
      upstream.destroy();
    };
    client.on("error", destroyBoth).on("close", () => sockets.delete(client));
    upstream.on("error", destroyBoth).on("close", () => sockets.delete(upstream));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("The RTT relay has no TCP port");
  return {
    port: address.port,
    rttMs,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/**
 * Writes what `from` reads into `to`, each chunk `delayMs` after it arrived, in arrival order.
 * The end of `from` is passed on after the last chunk. Back-pressure of `to` pauses `from` (flow
 * control, not a cap: loopback drains far faster than any mail server sends).
 */
function delayedPipe(from: net.Socket, to: net.Socket, delayMs: number): void {
  const queue: Array<{ due: number; chunk: Buffer | null }> = [];
  let timer: NodeJS.Timeout | undefined;
  const write = (chunk: Buffer | null): void => {
    if (to.destroyed) return;
    if (chunk === null) {
      to.end();
      return;
    }
    if (!to.write(chunk) && !from.isPaused()) {
      from.pause();
      to.once("drain", () => from.resume());
    }
  };
  const flush = (): void => {
    timer = undefined;
    const now = performance.now();
    // every chunk that is due goes out in one system call (writev), not one each: the relay's
    // own CPU is taken from the clients it measures (2 cores here), not a part of the delay
    to.cork();
    while (queue.length > 0 && queue[0]!.due <= now) write(queue.shift()!.chunk);
    to.uncork();
    if (queue.length > 0) timer = setTimeout(flush, Math.max(0, queue[0]!.due - performance.now()));
  };
  const push = (chunk: Buffer | null): void => {
    if (delayMs <= 0) {
      write(chunk);
      return;
    }
    queue.push({ due: performance.now() + delayMs, chunk });
    timer ??= setTimeout(flush, delayMs);
  };
  from.on("data", (chunk: Buffer) => push(chunk));
  from.on("end", () => push(null));
}
