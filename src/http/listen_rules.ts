import { httpToken } from "../config/index.ts";
import type { Config } from "../config/index.ts";
import { isLoopbackHost } from "../shared/is_loopback_host.ts";
import { HttpServerError } from "./errors.ts";

/** The token `/health` and `/metrics` require; throws when there is none and the address is reachable from other machines. */
export function requiredToken(
  http: Config["http"],
  env: Readonly<Record<string, string | undefined>>,
): string | undefined {
  const token = httpToken(http.token, env) || undefined;
  if (token === undefined && !isLoopbackHost(http.host)) {
    throw new HttpServerError(
      HttpServerError.TOKEN_REQUIRED,
      `Cannot serve /health and /metrics on '${http.host}' without a token: that address is reachable from other machines`,
      { fix: 'Add token="…" to <http> in mps.config or set MPS_HTTP_TOKEN, or bind <http host="127.0.0.1">.' },
    );
  }
  return token;
}

/** Why `<http host port>` cannot be bound, in words and with a fix. */
export function listenError(host: string, port: number, cause: unknown): HttpServerError {
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
