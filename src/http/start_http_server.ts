import type { Config } from "../config/index.ts";
import type { ComponentLogger } from "../log/index.ts";
import { serveHttp } from "../runtime/index.ts";
import type { ServedHttp } from "../runtime/index.ts";
import type { SourceState } from "../status/index.ts";
import { VERSION } from "../version.ts";
import { createApp } from "./create_app.ts";
import { listenError, requiredToken } from "./listen_rules.ts";

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
  const token = requiredToken(options.config.http, options.env ?? {});
  const states = options.states;
  const app = createApp({
    states: typeof states === "function" ? states : () => states,
    now: options.now,
    token,
    version: options.version ?? VERSION,
    ...(options.log === undefined ? {} : { log: options.log }),
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
