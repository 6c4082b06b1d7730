import { httpToken } from "../config/index.ts";
import type { Config } from "../config/index.ts";
import { HttpServerError, probeHttpPort } from "../http/index.ts";
import { fail, failFrom, pass } from "./check_result.ts";
import type { CheckResult } from "./check_result.ts";

export interface HttpCheckOptions {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly fetch: typeof globalThis.fetch;
  readonly timeoutMs: number;
}

/** The body of mps's own `/health`: `{status, version, sources: [...]}`. */
function isMpsHealth(body: unknown): body is { status: string; version: string } {
  if (typeof body !== "object" || body === null) return false;
  const value = body as Record<string, unknown>;
  return (value["status"] === "ok" || value["status"] === "fail") && typeof value["version"] === "string" &&
    Array.isArray(value["sources"]);
}

/**
 * `http.port`: `<http host port>` can be bound for /health and /metrics (tried by binding it the
 * way `mps run` does, then letting go), or it is taken by a running mps (its /health answers).
 */
export async function checkHttpPort(config: Config, options: HttpCheckOptions): Promise<CheckResult> {
  const id = "http.port";
  const { host, port } = config.http;
  if (port === 0) return pass(id, null, `<http port="0">: mps run picks a free port for /health and /metrics at start`);
  try {
    await probeHttpPort(config.http, options.env);
    return pass(id, null, `Port ${port} on ${host} is free for /health and /metrics`, { host, port });
  } catch (error) {
    if (!(error instanceof HttpServerError) || error.code !== HttpServerError.LISTEN || !/in use/.test(error.message)) {
      return failFrom(id, null, error, { host, port });
    }
    const urlHost = host.includes(":") && !host.startsWith("[") ? `[${host}]` : host;
    const url = `http://${urlHost}:${port}/health`;
    const token = httpToken(config.http.token, options.env);
    let body: unknown;
    try {
      const response = await options.fetch(url, {
        signal: AbortSignal.timeout(options.timeoutMs),
        headers: token === undefined ? {} : { Authorization: `Bearer ${token}` },
      });
      body = await response.json();
    } catch {
      body = undefined;
    }
    if (isMpsHealth(body)) {
      return pass(
        id,
        null,
        `Port ${port} on ${host} is in use by a running mps ${body.version} (its /health says '${body.status}')`,
        { host, port, runningVersion: body.version, runningStatus: body.status },
      );
    }
    return fail(
      id,
      null,
      error.code,
      `${error.message}, and not by a running mps (GET ${url} does not answer as mps does)`,
      error.fix ?? `Choose another port in <http port="…"> in mps.config.`,
      { host, port },
    );
  }
}
