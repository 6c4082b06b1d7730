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

/**
 * The `assets` folder of the source tree when running from source (`src/main.ts`), where files
 * that a binary carries inside it are found; undefined in the binary or the bundle.
 */
export function sourceAssetsDir(): string | undefined {
  const script = process.argv[1] ?? "";
  if (!/[\\/]src[\\/]main\.ts$/.test(script)) return undefined;
  return path.join(path.dirname(script), "assets");
}

export function runtimeName(): string {
  return isDeno && typeof Deno !== "undefined" ? `deno ${Deno.version.deno}` : `node ${process.version}`;
}

export { serveHttp } from "./serve.ts";
export type { ServedHttp } from "./serve.ts";
export { browserCommand, browserEnvironment, BrowserUrlError, checkBrowserUrl, openBrowser } from "./open_browser.ts";
export { proxiedFetch } from "./proxy_fetch.ts";
