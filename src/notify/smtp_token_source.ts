import type { Config, EmailSource, Notifications } from "../config/index.ts";

/** The name replies sign in under in the token service (its status and logs). */
export const NOTIFICATIONS_NAME = "<notifications>";

/**
 * The token service hands out tokens per email source; replies sign in as `<notifications>`
 * `userName` with its provider, so they are described as a source of the matching type. With
 * the same provider and user as an email source, both share one stored token.
 */
export function smtpTokenSource(config: Config, settings: Notifications): EmailSource {
  const provider = config.oauth.providers.find((known) => known.id === settings.provider);
  const type = settings.auth === "app"
    ? "ImapOAuthMicrosoftApp"
    : provider?.kind === "microsoft"
    ? "ImapOAuthMicrosoft"
    : provider?.kind === "google"
    ? "ImapOAuthGoogle"
    : "ImapOAuth";
  return {
    kind: "email",
    name: NOTIFICATIONS_NAME,
    line: settings.line,
    type,
    host: settings.host,
    port: settings.port,
    secure: settings.secure !== "none",
    userName: settings.userName,
    password: "",
    folder: "INBOX",
    afterDownload: { action: "delete" },
    allowedSenders: [],
    pollIntervalMs: 60_000,
    idle: false,
    caFile: settings.caFile,
    signIn: settings.auth === "app" ? "app" : "delegated",
    provider: settings.provider,
    providerConfig: provider,
    tokenUser: settings.userName,
    printableTypes: [],
    printBody: "auto",
    maxMessageSize: 0,
    maxAttachments: 0,
    requireAuthenticated: false,
    authservId: undefined,
    printer: undefined,
  };
}
