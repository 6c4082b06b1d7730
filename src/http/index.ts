// /health and /metrics for monitoring tools: a verdict per source, counters, and nothing secret.
export { createApp } from "./create_app.ts";
export type { AppOptions } from "./create_app.ts";
export { probeHttpPort } from "./probe_http_port.ts";
export { startHttpServer } from "./start_http_server.ts";
export type { HttpServer, StartHttpServerOptions } from "./start_http_server.ts";
export { HttpServerError } from "./errors.ts";
export { healthReport } from "./health_report.ts";
export type { HealthReport } from "./health_report.ts";
export { sourceHealth } from "./source_health.ts";
export type { HealthProblem, SourceHealth } from "./source_health.ts";
export { escapeLabelValue, EXPOSITION_CONTENT_TYPE, renderExposition } from "./exposition.ts";
export type { MetricFamily, Sample } from "./exposition.ts";
export { metricFamilies } from "./metric_families.ts";
export { processSampler } from "./process_sample.ts";
export type { ProcessSample } from "./process_sample.ts";
