import { createHash, X509Certificate } from "node:crypto";
import { decodeProtectedHeader, importX509, jwtVerify } from "jose";

/** What Entra answers for a client assertion it does not accept (AADSTS700027 and friends). */
export const ASSERTION_ERRORS = {
  notRegistered:
    "AADSTS700027: The certificate with identifier used to sign the client assertion is not registered on application.",
  expired: "AADSTS700027: The certificate with identifier used to sign the client assertion is expired on application.",
  signature: "AADSTS700027: Client assertion failed signature validation.",
  type:
    "AADSTS700023: Client assertion type is invalid; it must be urn:ietf:params:oauth:client-assertion-type:jwt-bearer.",
  noThumbprint: "AADSTS700027: Client assertion contains no x5t#S256 or x5t header that identifies the certificate.",
};

/**
 * Checks an RFC 7523 client assertion as Entra does: the `x5t#S256` (or `x5t`) header names a
 * certificate uploaded to the app, the certificate is within its validity, the signature verifies
 * with its public key, and iss = sub = client id, aud = the token endpoint, exp in the future.
 * Returns the error description, or undefined when the assertion is good.
 */
export async function checkClientAssertion(
  params: Record<string, string>,
  uploaded: readonly string[],
  clientId: string,
  tokenEndpoint: string,
): Promise<string | undefined> {
  if (params["client_assertion_type"] !== "urn:ietf:params:oauth:client-assertion-type:jwt-bearer") {
    return ASSERTION_ERRORS.type;
  }
  const assertion = params["client_assertion"] ?? "";
  let header: Record<string, unknown>;
  try {
    header = decodeProtectedHeader(assertion) as Record<string, unknown>;
  } catch {
    return ASSERTION_ERRORS.signature;
  }
  const s256 = header["x5t#S256"];
  const s1 = header["x5t"];
  if (typeof s256 !== "string" && typeof s1 !== "string") return ASSERTION_ERRORS.noThumbprint;
  const pem = uploaded.find((candidate) => {
    const der = new X509Certificate(candidate).raw;
    return (typeof s256 === "string" && createHash("sha256").update(der).digest("base64url") === s256) ||
      (typeof s256 !== "string" && createHash("sha1").update(der).digest("base64url") === s1);
  });
  if (pem === undefined) return ASSERTION_ERRORS.notRegistered;
  if (Date.parse(new X509Certificate(pem).validTo) <= Date.now()) return ASSERTION_ERRORS.expired;
  try {
    const key = await importX509(pem, typeof header["alg"] === "string" ? header["alg"] : "RS256");
    await jwtVerify(assertion, key, { issuer: clientId, subject: clientId, audience: tokenEndpoint });
  } catch {
    return ASSERTION_ERRORS.signature;
  }
  return undefined;
}
