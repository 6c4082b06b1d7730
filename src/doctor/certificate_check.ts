import type { EmailSource, OAuthProvider } from "../config/index.ts";
import { loadClientCertificate } from "../oauth/index.ts";
import { fail, failFrom, pass, warn } from "./check_result.ts";
import type { CheckResult } from "./check_result.ts";
import type { RefreshOutcome } from "./refresh_checks.ts";

export const WARN_CLIENT_CERTIFICATE_EXPIRING = "WARN_CLIENT_CERTIFICATE_EXPIRING";
const DAY_MS = 86_400_000;
const WARN_DAYS = 30;

/**
 * `secret.valid` for a provider with certificate credentials: the file loads, its key belongs to
 * the certificate, and the certificate is valid for more than 30 days; with the thumbprint the
 * app registration must list. Whether the provider accepted it is token.refresh's finding.
 */
export async function checkClientCertificate(
  source: EmailSource,
  provider: OAuthProvider,
  refresh: RefreshOutcome,
  now: number,
): Promise<CheckResult> {
  const id = "secret.valid";
  let certificate;
  try {
    certificate = await loadClientCertificate(provider, now);
  } catch (error) {
    return failFrom(id, source.name, error);
  }
  const expires = new Date(certificate.notAfter).toISOString();
  const details = {
    file: provider.clientCertificate,
    subject: certificate.subject,
    thumbprint: certificate.thumbprint,
    x5tS256: certificate.x5tS256,
    expiresAt: expires,
  };
  const subject =
    `The client certificate of provider '${provider.name}' (${certificate.subject}, thumbprint ${certificate.thumbprint})`;
  const accepted = refresh.result.status === "pass" ? "was accepted by the token endpoint" : "was not accepted yet";
  if (refresh.result.status === "fail" && refresh.result.code === "ERR_OAUTH_CLIENT_CERTIFICATE") {
    return fail(
      id,
      source.name,
      "ERR_OAUTH_CLIENT_CERTIFICATE",
      `${subject} was refused by the token endpoint: ${refresh.result.finding}`,
      refresh.result.fix ?? "Upload the certificate in the app registration",
      details,
    );
  }
  const days = Math.floor((certificate.notAfter - now) / DAY_MS);
  if (days < WARN_DAYS) {
    return warn(
      id,
      source.name,
      WARN_CLIENT_CERTIFICATE_EXPIRING,
      `${subject} expires on ${expires.slice(0, 10)}, in ${days} day${days === 1 ? "" : "s"}; it ${accepted}`,
      `Before ${expires.slice(0, 10)}: create a new certificate, upload it in the app registration (Certificates & ` +
        `secrets > Certificates) and point clientCertificate of <provider name="${provider.name}"> at it.`,
      details,
    );
  }
  return pass(
    id,
    source.name,
    `${subject} ${accepted}; it expires on ${expires.slice(0, 10)}, in ${days} days`,
    details,
  );
}
