/**
 * Which connections go through an HTTP proxy, decided once for the whole program: the `<proxy>`
 * element of mps.config, else the environment as curl reads it (`https_proxy`/`HTTPS_PROXY`,
 * `http_proxy`/`HTTP_PROXY`, `no_proxy`/`NO_PROXY`; the lower-case name wins). Without a
 * noProxy list every host goes through the proxy, loopback included, as with curl.
 */
import { MpsError } from "./errors.ts";

export const ERR_PROXY_CONFIG = "ERR_PROXY_CONFIG";
export const ERR_PROXY_UNREACHABLE = "ERR_PROXY_UNREACHABLE";
export const ERR_PROXY_REFUSED = "ERR_PROXY_REFUSED";

/** A proxy failure: the proxy is down, or it refused to connect to a host. */
export class ProxyError extends MpsError {
  constructor(code: string, message: string, options: { cause?: unknown; fix: string }) {
    super(code, message, options);
  }
}

/** One proxy. `url` carries any credentials (a secret); `display` is safe to show. */
export interface Proxy {
  readonly url: string;
  readonly display: string;
  readonly host: string;
  readonly port: number;
  /** `user:password` decoded from the URL, when it has them. */
  readonly credentials: { readonly username: string; readonly password: string } | undefined;
  /** Where it was set: `<proxy> (line 12)` or the environment variable's name. */
  readonly from: string;
}

/** The proxies in force: per kind of target, and the hosts that are reached directly. */
export interface Proxies {
  /** For https:// requests and for IMAP, SMTP and IPP tunnels. */
  readonly https: Proxy | undefined;
  /** For http:// requests. */
  readonly http: Proxy | undefined;
  readonly noProxy: readonly string[];
  /** Where noProxy came from (`<proxy>` or `NO_PROXY`), for messages. */
  readonly noProxyFrom: string | undefined;
}

export const NO_PROXIES: Proxies = { https: undefined, http: undefined, noProxy: [], noProxyFrom: undefined };

/** `<proxy url noProxy/>` as the config gives it. */
export interface ProxyConfig {
  readonly url: string;
  readonly noProxy: readonly string[];
  readonly line: number;
}

/** Parses a proxy URL; throws `ProxyError` (ERR_PROXY_CONFIG) naming `from` for anything else. */
export function parseProxyUrl(text: string, from: string): Proxy {
  const trimmed = text.trim();
  // curl reads `proxy.contoso.com:8080` as http://proxy.contoso.com:8080.
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed) ? trimmed : `http://${trimmed}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch (cause) {
    throw new ProxyError(ERR_PROXY_CONFIG, `The proxy ${from} is not a URL: got '${redactUrlText(trimmed)}'`, {
      cause,
      fix: "Give the proxy as http://host:port (or http://user:password@host:port)",
    });
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new ProxyError(
      ERR_PROXY_CONFIG,
      `The proxy ${from} must be an http:// or https:// URL: got '${redactUrlText(trimmed)}'`,
      { fix: "mps speaks HTTP CONNECT to the proxy: give it as http://host:port" },
    );
  }
  const port = url.port === "" ? (url.protocol === "https:" ? 443 : 80) : Number(url.port);
  const credentials = url.username === "" && url.password === ""
    ? undefined
    : { username: decode(url.username), password: decode(url.password) };
  const display = `${url.protocol}//${credentials === undefined ? "" : `${url.username}:***@`}${url.host}`;
  return {
    url: `${url.protocol}//${url.username === "" ? "" : `${url.username}:${url.password}@`}${url.host}`,
    display,
    host: url.hostname.replace(/^\[|\]$/g, ""),
    port,
    credentials,
    from,
  };
}

/** The proxies from the config's `<proxy>`, else from the environment. */
export function resolveProxies(
  config: ProxyConfig | undefined,
  env: Readonly<Record<string, string | undefined>>,
): Proxies {
  if (config !== undefined) {
    const proxy = parseProxyUrl(config.url, `<proxy> (config line ${config.line})`);
    return {
      https: proxy,
      http: proxy,
      noProxy: config.noProxy,
      noProxyFrom: config.noProxy.length > 0 ? `<proxy> noProxy` : undefined,
    };
  }
  const pick = (name: string): [string, string] | undefined => {
    for (const key of [name.toLowerCase(), name.toUpperCase()]) {
      const value = env[key]?.trim();
      if (value) return [key, value];
    }
    return undefined;
  };
  const https = pick("https_proxy");
  const http = pick("http_proxy");
  const noProxy = pick("no_proxy");
  return {
    https: https === undefined ? undefined : parseProxyUrl(https[1], `in ${https[0]}`),
    http: http === undefined ? undefined : parseProxyUrl(http[1], `in ${http[0]}`),
    noProxy: noProxy === undefined ? [] : splitNoProxy(noProxy[1]),
    noProxyFrom: noProxy?.[0],
  };
}

/** A noProxy list: separated by commas or white space. */
export function splitNoProxy(text: string): string[] {
  return text.split(/[\s,]+/).map((entry) => entry.trim()).filter((entry) => entry !== "");
}

/**
 * The proxy to reach `host` with, or undefined to connect directly. `kind` is `http` for
 * http:// URLs; everything else (https://, IMAP, SMTP, IPP) uses the https proxy.
 */
export function proxyFor(proxies: Proxies, kind: "http" | "https", host: string): Proxy | undefined {
  const proxy = kind === "http" ? proxies.http : proxies.https;
  if (proxy === undefined) return undefined;
  return bypasses(proxies.noProxy, host) ? undefined : proxy;
}

/** The proxy for a URL (http:// → the http proxy, anything else → the https proxy). */
export function proxyForUrl(proxies: Proxies, url: URL): Proxy | undefined {
  return proxyFor(proxies, url.protocol === "http:" ? "http" : "https", url.hostname);
}

/**
 * curl's no_proxy rules: `*` matches every host; a name matches itself and its subdomains (a
 * leading `.` or `*.` is the same); an IP address or CIDR block matches addresses in it; an
 * entry's `:port` is ignored. Names compare case-insensitively.
 */
export function bypasses(noProxy: readonly string[], host: string): boolean {
  const name = host.replace(/^\[|\]$/g, "").replace(/\.$/, "").toLowerCase();
  for (const raw of noProxy) {
    // `[::1]:8080` → `::1`; `intranet:8080` keeps its port for the rule below.
    const entry = raw.toLowerCase().replace(/^\[([^\]]*)\](:\d+)?$/, "$1");
    if (entry === "*") return true;
    const cidr = /^([\d.]+|[\da-f:]+)\/(\d{1,3})$/.exec(entry);
    if (cidr !== null) {
      if (inCidr(name, cidr[1] ?? "", Number(cidr[2]))) return true;
      continue;
    }
    const ipv6 = (entry.match(/:/g) ?? []).length > 1;
    const bare = (ipv6 ? entry : entry.replace(/:\d+$/, "")).replace(/^\*?\./, "").replace(/\.$/, "");
    if (bare === "") continue;
    if (name === bare || name.endsWith(`.${bare}`)) return true;
  }
  return false;
}

function inCidr(address: string, network: string, bits: number): boolean {
  const a = ipv4(address);
  const n = ipv4(network);
  if (a === undefined || n === undefined || bits > 32) return address === network && bits >= 32;
  if (bits === 0) return true;
  const mask = (~0 << (32 - bits)) >>> 0;
  return ((a & mask) >>> 0) === ((n & mask) >>> 0);
}

function ipv4(text: string): number | undefined {
  const parts = text.split(".");
  if (parts.length !== 4) return undefined;
  let value = 0;
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part) || Number(part) > 255) return undefined;
    value = value * 256 + Number(part);
  }
  return value;
}

function decode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** Hides the password of a URL-like text that may not parse. */
function redactUrlText(text: string): string {
  return text.replace(/\/\/([^:@/]*):[^@/]*@/, "//$1:***@");
}

/** Names the proxy in messages: `the proxy http://proxy:3128 (from HTTPS_PROXY)`. */
export function describeProxy(proxy: Proxy): string {
  return `the proxy ${proxy.display} (${proxy.from.startsWith("in ") ? `from ${proxy.from.slice(3)}` : proxy.from})`;
}

function capitalized(text: string): string {
  return `${text.charAt(0).toUpperCase()}${text.slice(1)}`;
}

/** The error for a proxy that cannot be reached (connection refused, no DNS, timeout). */
export function proxyUnreachable(proxy: Proxy, target: string, reason: string, cause: unknown): ProxyError {
  return new ProxyError(
    ERR_PROXY_UNREACHABLE,
    `Cannot reach ${describeProxy(proxy)} to connect to ${target}: ${reason}`,
    {
      cause,
      fix: `Check that the proxy ${proxy.display} is up and reachable from this machine, or correct ` +
        `${proxy.from.startsWith("in ") ? proxy.from.slice(3) : 'url="…" of <proxy> in mps.config'}; hosts that ` +
        `must be reached directly go in noProxy (or NO_PROXY)`,
    },
  );
}

/** The error for a proxy that answered a CONNECT (or request) with something other than success. */
export function proxyRefused(proxy: Proxy, target: string, status: number, cause: unknown): ProxyError {
  const port = /:(\d+)$/.exec(target)?.[1] ?? "";
  const fix = status === 407
    ? `The proxy ${proxy.display} wants credentials: give them in the proxy URL (http://user:password@host:port)`
    : `Ask the proxy's admin to allow connections to ${target}${
      port === "" || port === "443" ? "" : ` (CONNECT to port ${port}: squid's SSL_ports, tinyproxy's ConnectPort)`
    }, or put the host in noProxy if it is reached directly`;
  return new ProxyError(
    ERR_PROXY_REFUSED,
    `${capitalized(describeProxy(proxy))} refused to connect to ${target} (HTTP ${status})`,
    { cause, fix },
  );
}
