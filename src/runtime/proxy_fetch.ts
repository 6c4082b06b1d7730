// HTTP requests through a proxy differ between runtimes: on Node, undici's ProxyAgent with
// undici's own fetch (Node's built-in fetch cannot take a dispatcher of another undici major, and
// its env-proxy switch cannot be given a proxy from mps.config); on Deno, an HTTP client made with
// Deno.createHttpClient({ proxy }). Hosts that are reached directly use the fetch passed in.
import { proxyForUrl, proxyRefused, proxyUnreachable } from "../shared/proxy.ts";
import type { Proxies, Proxy } from "../shared/proxy.ts";

type Fetch = typeof globalThis.fetch;

declare const Deno: {
  createHttpClient(options: {
    proxy: { url: string; basicAuth?: { username: string; password: string } };
  }): unknown;
} | undefined;

/**
 * `fetch` with every request sent the way `proxies` says: through the proxy for its kind of URL,
 * or directly (noProxy, or no proxy at all). Connection failures to the proxy and its refusals
 * become `ProxyError`s that name the proxy.
 */
export function proxiedFetch(direct: Fetch, proxies: Proxies): Fetch {
  if (proxies.http === undefined && proxies.https === undefined) return direct;
  const viaProxy = new Map<string, Promise<Fetch>>();
  const through = (proxy: Proxy): Promise<Fetch> => {
    let made = viaProxy.get(proxy.url);
    if (made === undefined) {
      made = typeof Deno !== "undefined" ? Promise.resolve(denoFetch(proxy)) : nodeFetch(proxy);
      viaProxy.set(proxy.url, made);
    }
    return made;
  };
  return async (input, init) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    const proxy = proxyForUrl(proxies, url);
    if (proxy === undefined) return direct(input, init);
    const fetch = await through(proxy);
    let response: Response;
    try {
      response = await fetch(input, init);
    } catch (error) {
      throw asProxyError(error, proxy, url) ?? error;
    }
    // Through a plain (non-tunnelled) request the proxy answers for itself.
    if (response.status === 407) throw proxyRefused(proxy, url.host, 407, new Error("407 from the proxy"));
    return response;
  };
}

async function nodeFetch(proxy: Proxy): Promise<Fetch> {
  // Loaded only when a proxy is in use (and never on Deno).
  const undici = await import("undici");
  // http:// URLs go to the proxy as absolute-form requests (as curl sends them), https:// ones
  // through a CONNECT tunnel.
  const dispatcher = new undici.ProxyAgent({ uri: proxy.url, proxyTunnel: false });
  return ((input: RequestInfo | URL, init?: RequestInit) =>
    undici.fetch(
      input instanceof Request ? input.url : input instanceof URL ? input.href : input,
      { ...(init as Record<string, unknown>), dispatcher } as Parameters<typeof undici.fetch>[1],
    )) as unknown as Fetch;
}

function denoFetch(proxy: Proxy): Fetch {
  if (typeof Deno === "undefined") throw new Error("not on Deno");
  const url = new URL(proxy.url);
  url.username = "";
  url.password = "";
  const client = Deno.createHttpClient({
    proxy: {
      url: url.href,
      ...(proxy.credentials === undefined ? {} : { basicAuth: proxy.credentials }),
    },
  });
  return (input, init) => globalThis.fetch(input, { ...init, client } as RequestInit);
}

/** A failure that is the proxy's (down, refused), recognised in undici's and Deno's errors. */
function asProxyError(error: unknown, proxy: Proxy, url: URL): Error | undefined {
  const target = `${url.hostname}:${url.port || (url.protocol === "http:" ? "80" : "443")}`;
  for (let e: unknown = error, depth = 0; e !== undefined && e !== null && depth < 5; depth++) {
    const message = e instanceof Error ? e.message : String(e);
    const refused = /Proxy response \((\d{3})\)/.exec(message);
    if (refused !== null) return proxyRefused(proxy, target, Number(refused[1]), error);
    const code = Reflect.get(Object(e), "code");
    const port = Reflect.get(Object(e), "port");
    if (
      typeof code === "string" && /^(ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|EHOSTUNREACH|ECONNRESET)$/.test(code) &&
      (port === undefined || port === proxy.port)
    ) {
      return proxyUnreachable(proxy, target, code, error);
    }
    if (/proxy/i.test(message) && !/^fetch failed$/.test(message)) {
      return proxyUnreachable(proxy, target, message, error);
    }
    e = Reflect.get(Object(e), "cause");
  }
  return undefined;
}
