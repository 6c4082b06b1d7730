import type { OAuthProvider } from "../config/index.ts";
import { MpsError } from "../shared/errors.ts";

export const ERR_TOKEN_NOT_FOUND = "ERR_TOKEN_NOT_FOUND";
export const ERR_OAUTH_NO_CLIENT_SECRET = "ERR_OAUTH_NO_CLIENT_SECRET";

/** No stored token for the source's provider and userName (often: another name was used at login). */
export class TokenNotFoundError extends MpsError {
  static readonly CODE = ERR_TOKEN_NOT_FOUND;
  readonly provider: string;
  readonly username: string;
  /** Users that do have a token file for this provider. */
  readonly knownUsers: readonly string[];
  constructor(provider: OAuthProvider, username: string, knownUsers: readonly string[], path: string) {
    const others = knownUsers.length === 0
      ? `No user has tokens for provider '${provider.name}' yet`
      : `Tokens for provider '${provider.name}' exist only for ${knownUsers.map((u) => `'${u}'`).join(", ")}`;
    super(
      ERR_TOKEN_NOT_FOUND,
      `Could not retrieve an access token from the OAuth storage: no token for provider '${provider.name}' and user '${username}' ('${path}' does not exist)`,
      {
        cause: new Error(`no token file ${path}`),
        fix: `${others}. Run \`mps login ${provider.name} ${username}\`` +
          (knownUsers.length === 0 ? "." : `, or set userName of the email source to the name used at login.`),
      },
    );
    this.provider = provider.id;
    this.username = username;
    this.knownUsers = knownUsers;
  }
}

/** An app-only (ImapOAuthMicrosoftApp) source whose provider has no clientSecret. */
export class MissingClientSecretError extends MpsError {
  static readonly CODE = ERR_OAUTH_NO_CLIENT_SECRET;
  readonly provider: string;
  constructor(provider: OAuthProvider, sourceName: string) {
    super(
      ERR_OAUTH_NO_CLIENT_SECRET,
      `Email source '${sourceName}' signs in app-only (client credentials) but provider '${provider.name}' (config line ${provider.line}) has no clientSecret`,
      {
        cause: new Error("clientSecret is not set"),
        fix:
          `Create a client secret in the app registration (Certificates & secrets) and set clientSecret="…" and clientSecretExpires="YYYY-MM-DD" ` +
          `on <provider name="${provider.name}"> in mps.config, or upload a certificate there and set clientCertificate="…" instead.`,
      },
    );
    this.provider = provider.id;
  }
}
