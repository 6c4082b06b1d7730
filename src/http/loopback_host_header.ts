import { isIP } from "node:net";
import { isLoopbackHost } from "../shared/is_loopback_host.ts";

/**
 * True for a `Host` header naming this machine in a way DNS cannot redirect: `localhost`, a
 * loopback IPv4 address (127.0.0.0/8) or a bracketed loopback IPv6 address (`[::1]`), each with an
 * optional port, in any case. A web page whose own name an attacker re-points at 127.0.0.1 (DNS
 * rebinding) makes the browser send that name, which this refuses.
 */
export function isLoopbackHostHeader(value: string): boolean {
  const match = /^(\[[0-9a-f:.]+\]|[^:[\]]+)(?::\d{1,5})?$/i.exec(value.trim());
  const host = match?.[1]?.toLowerCase();
  if (host === undefined) return false;
  if (host === "localhost") return true;
  const literal = host.startsWith("[") ? host.slice(1, -1) : host;
  const family = isIP(literal);
  if (family === 0 || (family === 6) !== host.startsWith("[")) return false;
  return isLoopbackHost(literal);
}
