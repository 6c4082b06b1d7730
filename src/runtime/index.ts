// The one place that knows which runtime mps runs on. Everything else uses node: built-ins
// that both Node and Deno provide.
import * as path from "node:path";
import process from "node:process";

declare const Deno: { version: { deno: string } } | undefined;

export const isDeno = typeof Deno !== "undefined";

/**
 * Folder of the mps binary when running as a single executable, undefined when running from
 * source (where the executable is node or deno, whose folder means nothing to mps).
 */
export function executableDir(): string | undefined {
  if (isDeno) return undefined;
  const sea = process.getBuiltinModule?.("node:sea");
  return sea?.isSea() ? path.dirname(process.execPath) : undefined;
}

export function runtimeName(): string {
  return isDeno && typeof Deno !== "undefined" ? `deno ${Deno.version.deno}` : `node ${process.version}`;
}

export { serveHttp } from "./serve.ts";
export type { FetchHandler, ServedHttp, ServeOptions } from "./serve.ts";
export { browserCommand, openBrowser } from "./open_browser.ts";
export type { OpenBrowser } from "./open_browser.ts";
export { proxiedFetch } from "./proxy_fetch.ts";
