import { connect as tcpConnect } from "node:net";
import type { Config, EmailSource } from "../config/index.ts";
import { MICROSOFT_LOGIN_HOST } from "../oauth/index.ts";
import { MpsError } from "../shared/errors.ts";
import { describeProxy, proxyFor, proxyUnreachable } from "../shared/proxy.ts";
import type { Proxies, Proxy } from "../shared/proxy.ts";
import { openTunnel } from "../shared/proxy_tunnel.ts";
import { fail, pass } from "./check_result.ts";
import type { CheckResult } from "./check_result.ts";

/** A host mps connects to, and why. */
interface Endpoint {
  readonly kind: "http" | "https";
  readonly host: string;
  readonly port: number;
  /** `IMAP of source 'print'`, `OAuth provider 'Microsoft'`. */
  readonly purpose: string;
}

/**
 * `network.proxy`: for each host the chosen sources connect to (their IMAP servers and their
 * OAuth providers), whether it is reached directly or through the proxy; each proxied route is
 * tried (a CONNECT tunnel, or for http:// a connection to the proxy), so a proxy that is down
 * or refuses a host is a finding of its own, with the proxy's address. Only run when a proxy is set.
 */
export async function checkProxy(
  config: Config,
  sources: readonly EmailSource[],
  proxies: Proxies,
  timeoutMs: number,
): Promise<CheckResult> {
  const id = "network.proxy";
  const endpoints = endpointsOf(config, sources);
  const routes = endpoints.map((endpoint) => ({ endpoint, proxy: proxyFor(proxies, endpoint.kind, endpoint.host) }));
  const hosts = routes.map(({ endpoint, proxy }) => ({
    host: `${endpoint.host}:${endpoint.port}`,
    purpose: endpoint.purpose,
    via: proxy === undefined ? "direct" : proxy.display,
  }));
  const problems: MpsError[] = [];
  await Promise.all(routes.map(async ({ endpoint, proxy }) => {
    if (proxy === undefined) return;
    try {
      if (endpoint.kind === "https") (await openTunnel(proxy, endpoint.host, endpoint.port, timeoutMs)).destroy();
      else await reachProxy(proxy, `${endpoint.host}:${endpoint.port}`, timeoutMs);
    } catch (error) {
      problems.push(
        error instanceof MpsError
          ? error
          : new MpsError("ERR_PROXY_UNREACHABLE", String(error), { cause: error, fix: "Check the proxy" }),
      );
    }
  }));
  const details = {
    proxies: [...new Set([proxies.https, proxies.http].filter((p) => p !== undefined).map((p) => describeProxy(p)))],
    noProxy: proxies.noProxy,
    hosts,
  };
  const summary = hosts.map((entry) =>
    `${entry.host} (${entry.purpose}) ${entry.via === "direct" ? "directly" : `through ${entry.via}`}`
  ).join("; ");
  // The proxy being down hides every other finding: report that alone.
  const first = problems.find((problem) => problem.code === "ERR_PROXY_UNREACHABLE") ?? problems[0];
  if (first !== undefined) {
    const others = problems.filter((problem) => problem !== first && problem.code !== first.code);
    return fail(
      id,
      null,
      first.code,
      `${first.message}${others.length === 0 ? "" : `; also: ${others.map((other) => other.message).join("; ")}`}`,
      first.fix ?? "Check the proxy",
      details,
    );
  }
  return pass(id, null, summary === "" ? "A proxy is set, but no source connects anywhere" : summary, details);
}

function endpointsOf(config: Config, sources: readonly EmailSource[]): Endpoint[] {
  const found = new Map<string, Endpoint>();
  const add = (endpoint: Endpoint) => {
    const key = `${endpoint.kind}:${endpoint.host}:${endpoint.port}`;
    if (!found.has(key)) found.set(key, endpoint);
  };
  for (const source of sources) {
    add({ kind: "https", host: source.host, port: source.port, purpose: `IMAP of source '${source.name}'` });
    const provider = config.oauth.providers.find((candidate) => candidate.id === source.provider);
    if (provider === undefined) continue;
    const purpose = `OAuth provider '${provider.name}'`;
    const urls = provider.kind === "google"
      ? ["https://oauth2.googleapis.com/"]
      : provider.kind === "microsoft"
      ? [provider.authority ?? `${MICROSOFT_LOGIN_HOST}/`]
      : [provider.issuer ?? ""];
    for (const text of urls) {
      if (!URL.canParse(text)) continue;
      const url = new URL(text);
      const kind = url.protocol === "http:" ? "http" : "https";
      add({ kind, host: url.hostname, port: Number(url.port || (kind === "http" ? 80 : 443)), purpose });
    }
  }
  return [...found.values()];
}

/** An http:// URL goes to the proxy as a plain request: the proxy has to take connections. */
function reachProxy(proxy: Proxy, target: string, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = tcpConnect({ host: proxy.host, port: proxy.port });
    socket.setTimeout(timeoutMs, () => {
      socket.destroy();
      reject(proxyUnreachable(proxy, target, `no answer within ${timeoutMs / 1000} s`, new Error("timeout")));
    });
    socket.once("connect", () => {
      socket.destroy();
      resolve();
    });
    socket.once("error", (error: NodeJS.ErrnoException) => {
      reject(proxyUnreachable(proxy, target, error.code ?? error.message, error));
    });
  });
}
