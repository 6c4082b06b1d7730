import { connect as tcpConnect } from "node:net";
import type { Socket } from "node:net";
import { connect as tlsConnect } from "node:tls";
import { proxyRefused, proxyUnreachable } from "./proxy.ts";
import type { Proxy } from "./proxy.ts";

/** The proxy's answer to CONNECT is a few header lines; more than this is not a proxy. */
const MAX_ANSWER_BYTES = 16 * 1024;

/**
 * An HTTP CONNECT tunnel through `proxy` to `host:port`: resolves with the socket, on which the
 * caller then speaks (TLS, IMAP) as if connected directly. Rejects with `ProxyError`:
 * ERR_PROXY_UNREACHABLE when the proxy cannot be reached, ERR_PROXY_REFUSED when it answers
 * anything but 2xx.
 */
export function openTunnel(proxy: Proxy, host: string, port: number, timeoutMs: number): Promise<Socket> {
  const target = `${host.includes(":") ? `[${host}]` : host}:${port}`;
  return new Promise<Socket>((resolve, reject) => {
    const socket: Socket = proxy.url.startsWith("https:")
      ? tlsConnect({ host: proxy.host, port: proxy.port, servername: proxy.host })
      : tcpConnect({ host: proxy.host, port: proxy.port });
    let answer = Buffer.alloc(0);
    let settled = false;
    const fail = (error: Error) => {
      if (settled) return;
      settled = true;
      socket.destroy();
      reject(error);
    };
    socket.setTimeout(
      timeoutMs,
      () => fail(proxyUnreachable(proxy, target, `no answer within ${timeoutMs / 1000} s`, new Error("timeout"))),
    );
    const onError = (error: NodeJS.ErrnoException) =>
      fail(proxyUnreachable(proxy, target, error.code ?? error.message, error));
    socket.on("error", onError);
    socket.once(proxy.url.startsWith("https:") ? "secureConnect" : "connect", () => {
      const auth = proxy.credentials === undefined
        ? ""
        : `Proxy-Authorization: Basic ${
          Buffer.from(`${proxy.credentials.username}:${proxy.credentials.password}`).toString("base64")
        }\r\n`;
      socket.write(`CONNECT ${target} HTTP/1.1\r\nHost: ${target}\r\n${auth}\r\n`);
    });
    // Read with 'readable', not 'data': once it is removed the socket is neither flowing nor paused,
    // so what the server sends first (an SMTP or IMAP greeting) waits for the caller's listener.
    const onReadable = () => {
      let chunk: Buffer | null;
      while (!settled && (chunk = socket.read() as Buffer | null) !== null) onData(chunk);
    };
    const onData = (chunk: Buffer) => {
      answer = Buffer.concat([answer, chunk]);
      const end = answer.indexOf("\r\n\r\n");
      if (end < 0) {
        if (answer.length > MAX_ANSWER_BYTES) {
          fail(proxyUnreachable(proxy, target, "it does not answer as an HTTP proxy", new Error("answer too long")));
        }
        return;
      }
      socket.off("readable", onReadable);
      const status = Number(/^HTTP\/\d(?:\.\d)? (\d{3})/.exec(answer.subarray(0, end).toString("latin1"))?.[1] ?? 0);
      if (status < 200 || status > 299) {
        fail(
          proxyRefused(proxy, target, status, new Error(answer.subarray(0, end).toString("latin1").split("\r\n")[0])),
        );
        return;
      }
      settled = true;
      socket.setTimeout(0);
      // The caller listens from here on; errors before it does must not end the process.
      socket.off("error", onError);
      socket.on("error", () => undefined);
      const rest = answer.subarray(end + 4);
      if (rest.length > 0) socket.unshift(rest);
      resolve(socket);
    };
    socket.on("readable", onReadable);
  });
}
