import type { Config } from "../config/index.ts";
import type { ComponentLogger } from "../log/index.ts";
import { serveHttp } from "../runtime/index.ts";
import type { ServedHttp } from "../runtime/index.ts";
import type { SourceState } from "../service/source_state.ts";
import { VERSION } from "../version.ts";
import { createApp } from "./create_app.ts";
import { HttpServerError } from "./http_server_error.ts";
import { isLoopbackHost } from "./is_loopback_host.ts";

export interface StartHttpServerOptions {
  /** `<http host port token>`; only `http` is read. Port 0 picks a free port (tests). */
  readonly config: { readonly http: Config["http"] };
  /** The sources' live state: the array the loops update in place, or a function returning it. */
  readonly states: readonly SourceState[] | (() => readonly SourceState[]);
  readonly now: () => number;
  /** `MPS_HTTP_TOKEN` here wins over `<http token>`, as in loadConfig. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly version?: string;
  /** Logs errors met while answering requests. */
  readonly log?: ComponentLogger;
  /** Replies to senders by result, when `<notifications>` is configured. */
  readonly notifications?: (() => ReadonlyMap<string, number>) | undefined;
}

export interface HttpServer {
  /** Base URL, e.g. `http://127.0.0.1:5556/`. */
  readonly url: string;
  /** The port bound (the one picked when 0 was asked for). */
  readonly port: number;
  /** Stops listening; resolves when the requests in flight are answered. */
  close(): Promise<void>;
}

/** Serves `/health` and `/metrics` on `<http>` (Node or Deno, through src/runtime). Throws `HttpServerError`. */
export async function startHttpServer(options: StartHttpServerOptions): Promise<HttpServer> {
  const { host, port } = options.config.http;
  const token = options.env?.["MPS_HTTP_TOKEN"] || options.config.http.token || undefined;
  if (token === undefined && !isLoopbackHost(host)) {
    throw new HttpServerError(
      HttpServerError.TOKEN_REQUIRED,
      `Cannot serve /health and /metrics on '${host}' without a token: that address is reachable from other machines`,
      { fix: 'Add token="…" to <http> in mps.config or set MPS_HTTP_TOKEN, or bind <http host="127.0.0.1">.' },
    );
  }
  const states = options.states;
  const app = createApp({
    states: typeof states === "function" ? states : () => states,
    now: options.now,
    token,
    version: options.version ?? VERSION,
    ...(options.log === undefined ? {} : { log: options.log }),
    notifications: options.notifications,
  });
  let served: ServedHttp;
  try {
    served = await serveHttp(app.fetch, { hostname: host, port });
  } catch (cause) {
    throw listenError(host, port, cause);
  }
  const urlHost = host.includes(":") && !host.startsWith("[") ? `[${host}]` : host;
  return {
    url: `http://${urlHost}:${served.port}/`,
    port: served.port,
    close: () => served.close(),
  };
}

function listenError(host: string, port: number, cause: unknown): HttpServerError {
  const error = cause as { code?: unknown; name?: unknown; message?: unknown };
  const code = typeof error?.code === "string" ? error.code : typeof error?.name === "string" ? error.name : "";
  const where = `${host}:${port}`;
  const [reason, fix] = code === "EADDRINUSE" || code === "AddrInUse"
    ? [
      "the port is already in use",
      `Stop the program using port ${port} (another mps?) or choose another port in <http port="…"> in mps.config.`,
    ]
    : code === "EADDRNOTAVAIL" || code === "AddrNotAvailable" || code === "ENOTFOUND"
    ? [
      "no network interface of this machine has that address",
      `Set <http host="…"> in mps.config to 127.0.0.1 or an address of this machine.`,
    ]
    : code === "EACCES" || code === "PermissionDenied"
    ? ["the system does not allow it", `Choose a port above 1023 in <http port="…"> in mps.config.`]
    : [String(error?.message ?? cause), `Check <http host="…" port="…"> in mps.config.`];
  return new HttpServerError(HttpServerError.LISTEN, `Cannot serve /health and /metrics on ${where}: ${reason}`, {
    cause,
    fix,
  });
}
