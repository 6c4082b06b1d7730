// /health and /metrics for monitoring tools: a verdict per source, counters, and nothing secret.
export { createApp } from "./create_app.ts";
export { probeHttpPort } from "./probe_http_port.ts";
export { startHttpServer } from "./start_http_server.ts";
export type { HttpServer } from "./start_http_server.ts";
export { HttpServerError } from "./errors.ts";
export type { HealthReport } from "./health_report.ts";
export type { SourceHealth } from "./source_health.ts";
export { escapeLabelValue } from "./exposition.ts";
export type { ProcessSample } from "./process_sample.ts";
