// Serving HTTP differs between Node (@hono/node-server over node:http) and Deno (Deno.serve):
// this is the one place that knows both.
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";

export type FetchHandler = (request: Request) => Response | Promise<Response>;

export type ServeOptions = {
  /** Default 127.0.0.1: nothing mps serves is meant for other machines unless configured so. */
  hostname?: string;
  /** 0 (the default) picks a free port. */
  port?: number;
};

export type ServedHttp = {
  readonly hostname: string;
  /** The port actually bound (the free one picked when 0 was asked for). */
  readonly port: number;
  /**
   * Stops accepting connections and resolves once the responses in flight are sent.
   * Idle keep-alive connections are dropped; a connection still busy after `graceMs`
   * (default 2000) is cut.
   */
  close(graceMs?: number): Promise<void>;
};

type DenoHttpServer = { addr: { port: number }; shutdown(): Promise<void>; finished: Promise<void> };
declare const Deno: {
  serve(
    options: {
      hostname: string;
      port: number;
      onListen?: (addr: { port: number }) => void;
      onError?: (error: unknown) => Response;
    },
    handler: (request: Request) => Response | Promise<Response>,
  ): DenoHttpServer;
};

/** Serves `handler` (e.g. a Hono app's `fetch`) until `close()`. Rejects when the port cannot be bound. */
export async function serveHttp(handler: FetchHandler, options: ServeOptions = {}): Promise<ServedHttp> {
  const hostname = options.hostname ?? "127.0.0.1";
  const port = options.port ?? 0;
  return typeof Deno !== "undefined" ? serveDeno(handler, hostname, port) : serveNode(handler, hostname, port);
}

async function serveNode(handler: FetchHandler, hostname: string, port: number): Promise<ServedHttp> {
  // Loaded only on Node: Deno has no use for it.
  const { createAdaptorServer } = await import("@hono/node-server");
  const server = createAdaptorServer({ fetch: (request: Request) => handler(request), hostname, port }) as Server;
  await new Promise<void>((resolve, reject) => {
    const onError = (error: Error): void => reject(error);
    server.once("error", onError);
    server.listen(port, hostname, () => {
      server.off("error", onError);
      resolve();
    });
  });
  const bound = (server.address() as AddressInfo).port;
  let closing: Promise<void> | undefined;
  return {
    hostname,
    port: bound,
    close(graceMs = 2000) {
      closing ??= new Promise<void>((resolve) => {
        const timer = setTimeout(() => server.closeAllConnections(), graceMs);
        server.close(() => {
          clearTimeout(timer);
          resolve();
        });
        server.closeIdleConnections();
      });
      return closing;
    },
  };
}

async function serveDeno(handler: FetchHandler, hostname: string, port: number): Promise<ServedHttp> {
  let server: DenoHttpServer | undefined;
  const listening = new Promise<number>((resolve, reject) => {
    try {
      server = Deno.serve({ hostname, port, onListen: (addr) => resolve(addr.port) }, handler);
    } catch (error) {
      reject(error instanceof Error ? error : new Error(String(error)));
    }
  });
  const bound = await listening;
  const running = server as DenoHttpServer;
  let closing: Promise<void> | undefined;
  return {
    hostname,
    port: bound,
    close() {
      closing ??= running.shutdown();
      return closing;
    },
  };
}
