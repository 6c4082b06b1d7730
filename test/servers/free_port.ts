import { connect, createServer } from "node:net";
import type { NetConnectOpts } from "node:net";

/**
 * A TCP port on 127.0.0.1 that is free right now: bind port 0, read the port the
 * kernel chose, release it. Another process may take it before the caller binds
 * it, so callers that can bind port 0 themselves should do that instead.
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      if (address === null || typeof address === "string") {
        server.close();
        reject(new Error("Cannot find a free port: the server has no TCP address"));
        return;
      }
      const { port } = address;
      server.close(() => resolve(port));
    });
  });
}

/** True when something accepts a connection at `target` (a TCP port, or a Unix socket's path). */
export function isListening(target: NetConnectOpts): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(target);
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}
