import type { Config } from "../config/index.ts";

/** Exchange Online's delegated permission to send mail over SMTP AUTH. */
export const MICROSOFT_SMTP_SEND_SCOPE = "https://outlook.office.com/SMTP.Send";

/**
 * Scopes a login with `providerId` must ask for besides the provider's own, so replies can be
 * sent with the same token: SMTP.Send when replies sign in with a delegated Microsoft token.
 * (Google's mail scope covers SMTP already; app-only tokens carry what the app was granted.)
 */
export function sendScopes(config: Config, providerId: string): string[] {
  const settings = config.notifications;
  if (settings === undefined || settings.auth !== "oauth" || settings.provider !== providerId) return [];
  const provider = config.oauth.providers.find((known) => known.id === providerId);
  if (provider?.kind !== "microsoft") return [];
  if (provider.scopes?.some((scope) => scope.toLowerCase() === MICROSOFT_SMTP_SEND_SCOPE.toLowerCase())) return [];
  return [MICROSOFT_SMTP_SEND_SCOPE];
}
