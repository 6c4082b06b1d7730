import type { Config } from "../config/index.ts";
import { registerSecret } from "../log/index.ts";
import { proxiedFetch } from "../runtime/index.ts";
import { resolveProxies } from "../shared/proxy.ts";
import type { Proxies } from "../shared/proxy.ts";
import type { CliContext } from "./context.ts";

/** How a command reaches the network: the proxies in force and a fetch that uses them. */
export interface Network {
  readonly proxies: Proxies;
  readonly fetch: typeof globalThis.fetch;
}

/**
 * The config's `<proxy>`, else the environment's. Proxy credentials become secrets: no log line
 * or message shows them. Throws `ProxyError` (ERR_PROXY_CONFIG) for a proxy URL that is not one.
 */
export function networkFor(context: CliContext, config: Config): Network {
  const proxies = resolveProxies(config.proxy, context.env);
  for (const proxy of [proxies.https, proxies.http]) {
    if (proxy?.credentials === undefined) continue;
    registerSecret(proxy.credentials.password);
    registerSecret(btoa(`${proxy.credentials.username}:${proxy.credentials.password}`));
  }
  return { proxies, fetch: proxiedFetch(context.fetch, proxies) };
}

/** One line for the log: which proxy is used and what is reached directly. */
export function describeNetwork(proxies: Proxies): string | undefined {
  const parts: string[] = [];
  if (proxies.https !== undefined) {
    parts.push(`https, IMAP, SMTP and IPP through ${proxies.https.display} (${proxies.https.from})`);
  }
  if (proxies.http !== undefined && proxies.http.url !== proxies.https?.url) {
    parts.push(`http through ${proxies.http.display} (${proxies.http.from})`);
  }
  if (parts.length === 0) return undefined;
  const direct = proxies.noProxy.length === 0 ? "no host is reached directly" : `direct: ${proxies.noProxy.join(", ")}`;
  return `connections go ${parts.join("; ")}; ${direct}`;
}
