import { Hono } from "hono";
import type { Context } from "hono";
import { describeError } from "../log/index.ts";
import type { ComponentLogger } from "../log/index.ts";
import type { SourceState } from "../status/index.ts";
import { bearerTokenCheck } from "./bearer_token.ts";
import { EXPOSITION_CONTENT_TYPE, renderExposition } from "./exposition.ts";
import { healthReport } from "./health_report.ts";
import { isLoopbackHostHeader } from "./loopback_host_header.ts";
import { metricFamilies } from "./metric_families.ts";
import { processSampler } from "./process_sample.ts";
import type { ProcessSample } from "./process_sample.ts";

export interface AppOptions {
  /** The sources' live state, read on every request. */
  readonly states: () => readonly SourceState[];
  /** Clock, ms since the epoch. */
  readonly now: () => number;
  /**
   * When set, every request needs `Authorization: Bearer <token>`; when not, every request must
   * name a loopback host in its `Host` header (else 421).
   */
  readonly token?: string | undefined;
  readonly version: string;
  /** The standard process metrics; defaults to sampling this process through node:process. */
  readonly processSample?: () => ProcessSample;
  /** Where an unexpected error while answering is logged (the response never carries it). */
  readonly log?: ComponentLogger;
}

const NOT_FOUND = "Not found: mps serves /health and /metrics";
const MISDIRECTED =
  "Misdirected request: without a token mps answers only requests for 127.0.0.1, [::1] or localhost " +
  "(the Host header named another name)";

/**
 * The monitoring endpoints: `GET`/`HEAD` `/health` (JSON, 200 or 503) and `/metrics`
 * (Prometheus text). Everything else is 404; nothing is cached; no secret is ever in a response.
 */
export function createApp(options: AppOptions): Hono {
  const app = new Hono();
  const sampleProcess = options.processSample ?? processSampler(options.now);
  const authorized = options.token === undefined || options.token === "" ? undefined : bearerTokenCheck(options.token);

  app.use("*", async (c, next) => {
    // Without a token, being reachable from this machine only is the protection; a browser led
    // to a page whose name resolves to 127.0.0.1 would otherwise read the answers. A request
    // without a Host header (HTTP/1.0) comes from no browser.
    const host = c.req.header("Host");
    if (authorized === undefined && host !== undefined && !isLoopbackHostHeader(host)) {
      noStore(c);
      return c.json({ error: MISDIRECTED }, 421);
    }
    if (authorized !== undefined && !authorized(c.req.header("Authorization"))) {
      const error = c.req.header("Authorization") === undefined ? "" : ', error="invalid_token"';
      c.header("WWW-Authenticate", `Bearer realm="mps"${error}`);
      noStore(c);
      return c.json({
        error: "Unauthorized: send the token of <http token> or MPS_HTTP_TOKEN as 'Authorization: Bearer <token>'",
      }, 401);
    }
    await next();
    noStore(c);
  });

  app.get("/health", (c) => {
    const states = options.states();
    const wanted = c.req.query("source");
    let selected = states;
    if (wanted !== undefined) {
      const lower = wanted.toLowerCase();
      const found = states.find((state) => state.name === wanted) ??
        states.find((state) => state.name.toLowerCase() === lower);
      if (found === undefined) {
        return c.json({ error: `Unknown source '${wanted}'`, sources: states.map((state) => state.name) }, 404);
      }
      selected = [found];
    }
    const report = healthReport(selected, options.now(), options.version);
    return c.json(report, report.status === "ok" ? 200 : 503);
  });

  app.get("/metrics", (c) => {
    const body = renderExposition(metricFamilies(options.states(), options.now(), options.version, sampleProcess()));
    return c.body(body, 200, { "Content-Type": EXPOSITION_CONTENT_TYPE });
  });

  app.notFound((c) => {
    noStore(c);
    return c.json({ error: NOT_FOUND }, 404);
  });

  app.onError((error, c) => {
    // The message could carry anything; the admin finds it in mps.log, not here.
    options.log?.error(`Cannot answer ${c.req.method} ${c.req.path}: ${describeError(error)}`);
    noStore(c);
    return c.json({ error: "Internal error while answering the request" }, 500);
  });

  return app;
}

function noStore(c: Context): void {
  c.header("Cache-Control", "no-store");
  c.header("X-Content-Type-Options", "nosniff");
}
