// Shared set-up of the token service tests: a temp folder with mps.config pointing at the
// local authorization server, the real encrypted token store, and tokens from a real sign-in.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { loadConfig } from "../../src/config/index.ts";
import type { Config, EmailSource } from "../../src/config/index.ts";
import { openTokenStore } from "../../src/storage/index.ts";
import type { StoredTokens, TokenStore } from "../../src/storage/index.ts";
import { scriptedLogin } from "../servers/index.ts";
import type { AuthServer } from "../servers/index.ts";

export const USER = "print@contoso.com";
export const OTHER_USER = "scan@contoso.com";
export const IMAP_SCOPES = "openid email offline_access https://outlook.office.com/IMAP.AccessAsUser.All";

export type TokenDir = {
  readonly dir: string;
  readonly configFile: string;
  readonly config: Config;
  readonly store: TokenStore;
  source(name: string): EmailSource;
  /** A real sign-in at the server, stored as `mps login` would; `expired` makes the access token stale. */
  seed(provider: string, user: string, options?: { expired?: boolean }): Promise<StoredTokens>;
  remove(): Promise<void>;
};

export type TokenDirOptions = {
  /** clientSecret of the Microsoft provider (app-only); default the server's. */
  microsoftSecret?: string | undefined;
  /** Issuer of the local provider; default the server's. */
  issuer?: string;
};

export function configXml(auth: AuthServer, options: TokenDirOptions = {}): string {
  const secret = "microsoftSecret" in options ? options.microsoftSecret : auth.clientSecret;
  const secretAttr = secret === undefined ? "" : ` clientSecret="${secret}" clientSecretExpires="2099-12-31"`;
  return `<mps version="6">
  <emailSources>
    <add name="local" type="ImapOAuth" provider="Local" host="127.0.0.1" userName="${USER}" />
    <add name="ms" type="ImapOAuthMicrosoft" host="127.0.0.1" userName="${USER}" />
    <add name="app" type="ImapOAuthMicrosoftApp" host="127.0.0.1" userName="${USER}" />
    <add name="app-noname" type="ImapOAuthMicrosoftApp" host="127.0.0.1" userName="" />
    <add name="nobody" type="ImapOAuth" provider="Local" host="127.0.0.1" userName="nobody@contoso.com" />
  </emailSources>
  <oauth storage="oauth-storage">
    <provider name="Local" issuer="${
    options.issuer ?? auth.issuer
  }" clientId="${auth.clientId}" scopes="${IMAP_SCOPES}" />
    <provider name="Microsoft" authority="${auth.issuer}" clientId="${auth.clientId}"${secretAttr} />
  </oauth>
</mps>
`;
}

export async function makeTokenDir(auth: AuthServer, options: TokenDirOptions = {}): Promise<TokenDir> {
  const dir = await mkdtemp(path.join(tmpdir(), "mps-token-"));
  const configFile = path.join(dir, "mps.config");
  await writeFile(configFile, configXml(auth, options));
  const config = await loadConfig(configFile, { env: {} });
  const store = openTokenStore({
    storageDir: config.oauth.storageDir,
    keyFile: config.oauth.keyFile,
    env: {},
    now: Date.now,
  });
  return {
    dir,
    configFile,
    config,
    store,
    source(name) {
      const found = config.emailSources.find((s) => s.name === name);
      if (found === undefined) throw new Error(`no source ${name}`);
      return found;
    },
    async seed(provider, user, seedOptions = {}) {
      const set = await scriptedLogin(auth, { username: user, scope: IMAP_SCOPES });
      const now = Date.now();
      const tokens: StoredTokens = {
        accessToken: set.access_token,
        accessTokenExpiresAt: seedOptions.expired ? now - 1000 : now + set.expires_in * 1000,
        refreshTokenIssuedAt: now,
        scopes: set.scope.split(" "),
        tokenType: set.token_type,
        idTokenClaims: { email: user, preferred_username: user },
      };
      if (set.refresh_token !== undefined) tokens.refreshToken = set.refresh_token;
      await store.write(provider, user, tokens);
      return tokens;
    },
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}

/** POSTs a refresh token to the server as the public client: true when accepted. */
export async function refreshWorks(
  auth: AuthServer,
  refreshToken: string,
): Promise<{ ok: boolean; body: Record<string, unknown> }> {
  const response = await fetch(auth.tokenEndpoint, {
    method: "POST",
    body: new URLSearchParams({ client_id: auth.clientId, grant_type: "refresh_token", refresh_token: refreshToken }),
  });
  return { ok: response.ok, body: (await response.json()) as Record<string, unknown> };
}

/** Asks the server's introspection endpoint whether an access token is active. */
export async function isActive(auth: AuthServer, accessToken: string): Promise<boolean> {
  const response = await fetch(auth.introspectionUrl, {
    method: "POST",
    body: new URLSearchParams({ token: accessToken }),
  });
  return ((await response.json()) as { active?: unknown }).active === true;
}
