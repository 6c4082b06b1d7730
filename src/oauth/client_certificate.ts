/**
 * Certificate credentials for app-only sign-in: the provider's `clientCertificate` (a PEM file
 * with the certificate and its private key, or a `.pfx`/`.p12` with `clientCertificatePassword`)
 * signs RFC 7523 client assertions (`private_key_jwt`). Entra finds the uploaded certificate by
 * the assertion's `x5t#S256` header (SHA-256 of the certificate); `x5t` (SHA-1) is sent too, for
 * tenants and tools that still look for it.
 */
import { createHash, createPrivateKey, X509Certificate } from "node:crypto";
import type { KeyObject } from "node:crypto";
import { readFile } from "node:fs/promises";
import * as oauth from "oauth4webapi";
import type { OAuthProvider } from "../config/index.ts";
import { MpsError } from "../shared/errors.ts";
import { readPkcs12 } from "./pkcs12.ts";
import { ERR_OAUTH_CLIENT_CERTIFICATE } from "./errors.ts";

/** The certificate file cannot be used: unreadable, no key, key and certificate do not match, expired. */
export class ClientCertificateError extends MpsError {
  static readonly CODE = ERR_OAUTH_CLIENT_CERTIFICATE;
  constructor(provider: OAuthProvider, detail: string, options: { cause?: unknown; fix: string }) {
    super(
      ERR_OAUTH_CLIENT_CERTIFICATE,
      `Cannot use the client certificate '${
        provider.clientCertificate ?? ""
      }' of provider '${provider.name}' (config line ${provider.line}): ${detail}`,
      options,
    );
  }
}

export interface ClientCertificate {
  readonly privateKey: CryptoKey;
  /** The JWS algorithm of the assertions: RS256 for RSA keys, ES256 for P-256 keys. */
  readonly algorithm: "RS256" | "ES256";
  /** base64url SHA-256 of the DER certificate: the `x5t#S256` header. */
  readonly x5tS256: string;
  /** base64url SHA-1 of the DER certificate: the `x5t` header. */
  readonly x5t: string;
  /** Hex SHA-1 thumbprint, as the Entra portal lists it. */
  readonly thumbprint: string;
  readonly subject: string;
  readonly notBefore: number;
  readonly notAfter: number;
}

const renewFix = (provider: OAuthProvider) =>
  `Create a new certificate, upload its public part (.cer/.pem) in the app registration (Certificates & secrets > ` +
  `Certificates > Upload certificate) and point clientCertificate of <provider name="${provider.name}"> at the new file`;

/** Reads and checks the provider's certificate and key; throws `ClientCertificateError`. */
export async function loadClientCertificate(provider: OAuthProvider, now: number): Promise<ClientCertificate> {
  const file = provider.clientCertificate ?? "";
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (cause) {
    throw new ClientCertificateError(provider, `the file cannot be read (${(cause as Error).message})`, {
      cause,
      fix:
        `Check the path in clientCertificate="…" (relative paths start at the config file's folder) and that the account mps runs as may read it`,
    });
  }
  const password = provider.clientCertificatePassword;
  let key: KeyObject;
  let cert: X509Certificate;
  try {
    if (/\.(pfx|p12)$/i.test(file) || !bytes.toString("latin1").includes("-----BEGIN")) {
      const bundle = readPkcs12(bytes, password ?? "");
      key = bundle.key;
      cert = new X509Certificate(bundle.certificate);
    } else {
      const text = bytes.toString("utf8");
      const keyPem = /-----BEGIN (?:(?:RSA |EC |ENCRYPTED )?PRIVATE KEY)-----[\s\S]+?-----END [A-Z ]*PRIVATE KEY-----/
        .exec(text)?.[0];
      if (keyPem === undefined) {
        throw new Error("the PEM file has no private key (it needs the certificate and its key)");
      }
      key = createPrivateKey({ key: keyPem, ...(password === undefined ? {} : { passphrase: password }) });
      cert = new X509Certificate(text);
    }
  } catch (cause) {
    const message = (cause as Error).message;
    throw new ClientCertificateError(provider, message, {
      cause,
      fix: /password|passphrase|decrypt|mac/i.test(message)
        ? `Set clientCertificatePassword="…" on <provider name="${provider.name}"> to the password the file was exported with`
        : `Give a PEM file with the certificate and its private key (-----BEGIN CERTIFICATE----- and -----BEGIN PRIVATE KEY-----), or a .pfx with clientCertificatePassword`,
    });
  }
  if (!cert.checkPrivateKey(key)) {
    throw new ClientCertificateError(provider, "the private key does not belong to the certificate", {
      fix: "Export the certificate together with its own private key",
    });
  }
  const notAfter = Date.parse(cert.validTo);
  if (notAfter <= now) {
    throw new ClientCertificateError(provider, `the certificate expired on ${new Date(notAfter).toISOString()}`, {
      fix: renewFix(provider),
    });
  }
  const der = cert.raw;
  const algorithm = key.asymmetricKeyType === "ec"
    ? { name: "ECDSA", namedCurve: "P-256" }
    : { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" };
  let privateKey: CryptoKey;
  try {
    privateKey = await crypto.subtle.importKey(
      "pkcs8",
      new Uint8Array(key.export({ format: "der", type: "pkcs8" })),
      algorithm,
      false,
      ["sign"],
    );
  } catch (cause) {
    throw new ClientCertificateError(provider, `its key cannot sign assertions (${(cause as Error).message})`, {
      cause,
      fix: "Use an RSA key of 2048 bits or more (Entra signs and checks assertions with RS256)",
    });
  }
  return {
    privateKey,
    algorithm: key.asymmetricKeyType === "ec" ? "ES256" : "RS256",
    x5tS256: createHash("sha256").update(der).digest("base64url"),
    x5t: createHash("sha1").update(der).digest("base64url"),
    thumbprint: createHash("sha1").update(der).digest("hex").toUpperCase(),
    subject: cert.subject.replace(/\n/g, ", "),
    notBefore: Date.parse(cert.validFrom),
    notAfter,
  };
}

/**
 * `private_key_jwt` client authentication (RFC 7523) with Entra's headers: the assertion names the
 * certificate (`x5t#S256`, `x5t`) and is meant for the token endpoint (Entra refuses an `aud` that
 * is the issuer), valid for 60 s.
 */
export function certificateClientAuth(
  certificate: ClientCertificate,
  tokenEndpoint: string | undefined,
): oauth.ClientAuth {
  return async (as, client, body) => {
    const now = Math.floor(Date.now() / 1000);
    const header = { alg: certificate.algorithm, typ: "JWT", "x5t#S256": certificate.x5tS256, x5t: certificate.x5t };
    const payload = {
      aud: tokenEndpoint ?? as.token_endpoint ?? as.issuer,
      iss: client.client_id,
      sub: client.client_id,
      jti: crypto.randomUUID(),
      iat: now,
      nbf: now,
      exp: now + 60,
    };
    const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
    const input = `${encode(header)}.${encode(payload)}`;
    const signature = await crypto.subtle.sign(
      certificate.algorithm === "ES256" ? { name: "ECDSA", hash: "SHA-256" } : { name: "RSASSA-PKCS1-v1_5" },
      certificate.privateKey,
      new TextEncoder().encode(input),
    );
    body.set("client_id", client.client_id);
    body.set("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer");
    body.set("client_assertion", `${input}.${Buffer.from(signature).toString("base64url")}`);
  };
}
