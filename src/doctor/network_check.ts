import { lookup } from "node:dns/promises";
import { readFile } from "node:fs/promises";
import { connect as tcpConnect, isIP } from "node:net";
import type { Socket } from "node:net";
import { checkServerIdentity, connect as tlsConnect } from "node:tls";
import type { PeerCertificate, TLSSocket } from "node:tls";
import type { EmailSource } from "../config/index.ts";
import { IMAP_TLS, ImapError, imapTarget, toImapError } from "../imap/index.ts";
import { describeProxy, NO_PROXIES, proxyFor } from "../shared/proxy.ts";
import type { Proxies } from "../shared/proxy.ts";
import { openTunnel } from "../shared/proxy_tunnel.ts";
import { DAY_MS } from "../shared/time.ts";
import { failFrom, pass, warn } from "./check_result.ts";
import type { CheckResult } from "./check_result.ts";
import { WARN_CERT_EXPIRING } from "./errors.ts";

const CERT_WARN_DAYS = 14;

function withCode(message: string, code: string): Error {
  return Object.assign(new Error(message), { code });
}

/** Resolves with the open socket once connected (and, for TLS, handshaken); rejects on error or timeout. */
function opened<T extends Socket>(socket: T, event: "connect" | "secureConnect", timeoutMs: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    socket.setTimeout(timeoutMs, () => socket.destroy(withCode(`no answer within ${timeoutMs / 1000} s`, "ETIMEDOUT")));
    socket.once(event, () => {
      socket.setTimeout(0);
      resolve(socket);
    });
    socket.once("error", reject);
  });
}

function certificateDetails(cert: PeerCertificate): Record<string, unknown> {
  const name = (
    entity: Record<string, unknown> | undefined,
  ) => (typeof entity?.["CN"] === "string" ? entity["CN"] : undefined);
  return {
    subject: name(cert.subject as unknown as Record<string, unknown>),
    subjectAltName: cert.subjectaltname,
    issuer: name(cert.issuer as unknown as Record<string, unknown>),
    validFrom: cert.valid_from === undefined ? undefined : new Date(cert.valid_from).toISOString(),
    validTo: cert.valid_to === undefined ? undefined : new Date(cert.valid_to).toISOString(),
    fingerprint256: cert.fingerprint256,
  };
}

/**
 * `network.connect`: DNS, TCP and (for secure sources) the TLS handshake with the source's
 * caFile, each failure in the words `mps run` logs (`toImapError`), certificate problems
 * explained (self-signed or private CA, another host name, expired).
 */
export async function checkNetwork(
  source: EmailSource,
  options: { timeoutMs: number; now: () => number; proxies?: Proxies },
): Promise<CheckResult> {
  const id = "network.connect";
  const target = imapTarget(source);
  const where = `${source.host}:${source.port}`;
  const proxy = proxyFor(options.proxies ?? NO_PROXIES, "https", source.host);
  let addresses: string[] = [];
  let resolved: string;
  let tunnel: Socket | undefined;
  if (proxy === undefined) {
    try {
      addresses = (await lookup(source.host, { all: true })).map((entry) => entry.address);
    } catch (error) {
      return failFrom(id, source.name, toImapError(error, target), { step: "dns" });
    }
    resolved = isIP(source.host) === 0 ? `${source.host} resolves to ${addresses.join(", ")}; ` : "";
  } else {
    // Through a proxy, the proxy resolves the name and connects.
    try {
      tunnel = await openTunnel(proxy, source.host, source.port, options.timeoutMs);
    } catch (error) {
      return failFrom(id, source.name, error, { step: "proxy", proxy: proxy.display });
    }
    resolved = `through ${describeProxy(proxy)}: `;
    if (!source.secure) {
      tunnel.destroy();
      return pass(
        id,
        source.name,
        `${resolved}tunnel to ${where} open (plain IMAP: imap.login checks the upgrade to TLS)`,
        {
          proxy: proxy.display,
        },
      );
    }
  }
  if (!source.secure) {
    try {
      (await opened(tcpConnect({ host: source.host, port: source.port }), "connect", options.timeoutMs)).destroy();
    } catch (error) {
      return failFrom(id, source.name, toImapError(error, target), { step: "tcp", addresses });
    }
    return pass(
      id,
      source.name,
      `${resolved}TCP connects to ${where} (plain IMAP: imap.login checks the upgrade to TLS)`,
      { addresses },
    );
  }
  let ca: string | undefined;
  if (source.caFile !== undefined) {
    try {
      ca = await readFile(source.caFile, "utf8");
    } catch (cause) {
      return failFrom(
        id,
        source.name,
        new ImapError(IMAP_TLS, `Cannot read caFile '${source.caFile}': ${(cause as Error).message}`, {
          cause,
          fix: "Point caFile at a readable PEM file of the CA that signed the IMAP server's certificate",
        }),
        { step: "caFile" },
      );
    }
  }
  let socket: TLSSocket;
  try {
    socket = await opened(
      tlsConnect({
        ...(tunnel === undefined ? { host: source.host, port: source.port } : { socket: tunnel }),
        ...(isIP(source.host) === 0 ? { servername: source.host } : {}),
        ...(ca === undefined ? {} : { ca }),
        // Verified below, so that the certificate can be described even when it is not trusted.
        rejectUnauthorized: false,
      }),
      "secureConnect",
      options.timeoutMs,
    );
  } catch (error) {
    tunnel?.destroy();
    return failFrom(id, source.name, toImapError(error, target), { step: "tls", addresses });
  }
  const cert = socket.getPeerCertificate();
  const protocol = socket.getProtocol();
  const trustError = socket.authorizationError;
  socket.destroy();
  const certificate = certificateDetails(cert);
  const details = { addresses, protocol, certificate, caFile: source.caFile ?? null };
  const problem = checkServerIdentity(source.host, cert) ??
    (trustError === null || trustError === undefined ? undefined : withCode(String(trustError), String(trustError)));
  if (problem !== undefined) {
    return failFrom(id, source.name, toImapError(problem, target), { step: "certificate", ...details });
  }
  const validTo = cert.valid_to === undefined ? undefined : Date.parse(cert.valid_to);
  const summary =
    `${resolved}TLS (${protocol ?? "?"}) to ${where} with a trusted certificate for ${
      cert.subjectaltname ?? String(certificate["subject"])
    }` +
    ` issued by '${String(certificate["issuer"])}'${source.caFile === undefined ? "" : " (caFile)"}`;
  if (validTo !== undefined && validTo - options.now() < CERT_WARN_DAYS * DAY_MS) {
    const days = Math.max(0, Math.floor((validTo - options.now()) / DAY_MS));
    return warn(
      id,
      source.name,
      WARN_CERT_EXPIRING,
      `${summary}; it expires in ${days} day${days === 1 ? "" : "s"}, on ${String(certificate["validTo"])}`,
      `Renew the IMAP server's certificate before ${
        String(certificate["validTo"])
      }, or mps will stop connecting to ${where}.`,
      details,
    );
  }
  return pass(id, source.name, `${summary}; valid until ${String(certificate["validTo"])}`, details);
}
