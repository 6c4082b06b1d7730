import type { Config, EmailSource, OAuthProvider } from "../config/index.ts";
import { accountNames, TokenNotFoundError, WrongStoredAccountError } from "../oauth/index.ts";
import { normalizeName } from "../storage/index.ts";
import type { StoredTokens, TokenStore } from "../storage/index.ts";
import { fail, failFrom, pass, skip, warn } from "./check_result.ts";
import type { CheckResult } from "./check_result.ts";
import { ERR_SOURCE_NO_USER, WARN_TOKEN_UNUSED } from "./errors.ts";

function iso(ms: number | undefined): string | undefined {
  return ms === undefined ? undefined : new Date(ms).toISOString();
}

/** `token.present`: a sign-in is stored for the source's provider and userName (case-insensitive). */
export async function checkTokenPresent(
  source: EmailSource,
  provider: OAuthProvider,
  store: TokenStore,
): Promise<CheckResult> {
  const id = "token.present";
  const username = normalizeName(source.userName);
  if (username === "") {
    return fail(
      id,
      source.name,
      ERR_SOURCE_NO_USER,
      `Could not retrieve an access token from the OAuth storage: email source '${source.name}' (config line ${source.line}) has no userName`,
      `Set userName="…" of the source to the mailbox address, then run \`mps login ${provider.name} <that address>\`.`,
    );
  }
  let entries;
  try {
    entries = await store.list();
  } catch (error) {
    return failFrom(id, source.name, error);
  }
  const found = entries.find((entry) => entry.provider === provider.id && entry.username === username);
  if (found !== undefined) {
    return pass(
      id,
      source.name,
      `A sign-in is stored for '${username}' (provider '${provider.name}'): '${found.path}'`,
      {
        path: found.path,
        updatedAt: iso(found.updatedAt),
      },
    );
  }
  const users = entries.filter((entry) => entry.provider === provider.id && entry.error === undefined).map((entry) =>
    entry.username
  );
  const error = new TokenNotFoundError(provider, username, users, store.path(provider.id, username));
  return failFrom(id, source.name, error, {
    knownUsers: users,
    loginCommand: `mps login ${provider.name} ${username}`,
  });
}

/** `token.decrypt`: the token file opens with the storage key (not tampered, not another key). */
export async function checkTokenDecrypt(
  source: EmailSource,
  provider: OAuthProvider,
  store: TokenStore,
): Promise<{ result: CheckResult; tokens: StoredTokens | undefined }> {
  const id = "token.decrypt";
  const username = normalizeName(source.userName);
  let tokens: StoredTokens | undefined;
  try {
    tokens = await store.read(provider.id, username);
  } catch (error) {
    return { result: failFrom(id, source.name, error), tokens: undefined };
  }
  if (tokens === undefined) {
    const error = new TokenNotFoundError(provider, username, [], store.path(provider.id, username));
    return { result: failFrom(id, source.name, error), tokens: undefined };
  }
  const details = {
    accessTokenExpiresAt: iso(tokens.accessTokenExpiresAt),
    refreshTokenIssuedAt: iso(tokens.refreshTokenIssuedAt),
    hasRefreshToken: typeof tokens.refreshToken === "string" && tokens.refreshToken !== "",
    scopes: tokens.scopes,
  };
  const issued = details.refreshTokenIssuedAt === undefined
    ? ""
    : `; refresh token issued ${details.refreshTokenIssuedAt}`;
  return { result: pass(id, source.name, `The token file decrypts with the storage key${issued}`, details), tokens };
}

/** `token.account`: the stored sign-in is the source's account (the ID token names it), not another one. */
export function checkTokenAccount(source: EmailSource, provider: OAuthProvider, tokens: StoredTokens): CheckResult {
  const id = "token.account";
  const username = normalizeName(source.userName);
  const names = accountNames(tokens.idTokenClaims ?? {});
  if (names.length === 0) {
    return skip(
      id,
      source.name,
      "Cannot tell which account signed in: the stored sign-in has no ID token claims (imap.login shows whether it works)",
      false,
    );
  }
  if (names.some((name) => normalizeName(name) === username)) {
    return pass(id, source.name, `Signed in as '${names[0] ?? username}', the source's userName`, { accounts: names });
  }
  const signedIn = names[0] ?? "";
  return failFrom(id, source.name, new WrongStoredAccountError(provider.name, username, signedIn), { accounts: names });
}

/** `token.unused`: stored sign-ins that no email source of the config uses (all sources, whatever --source says). */
export async function checkTokensUnused(config: Config, store: TokenStore): Promise<CheckResult> {
  const id = "token.unused";
  const used = new Set<string>();
  for (const source of config.emailSources) {
    if (source.provider === undefined) continue;
    used.add(`${source.provider}\n${normalizeName(source.tokenUser ?? "")}`);
  }
  let entries;
  try {
    entries = await store.list();
  } catch (error) {
    return failFrom(id, null, error);
  }
  const unused = entries.filter((entry) => !used.has(`${entry.provider}\n${entry.username}`));
  if (entries.length === 0) return pass(id, null, `No stored sign-ins in '${store.storageDir}'`);
  if (unused.length === 0) return pass(id, null, `Every stored sign-in (${entries.length}) belongs to an email source`);
  const names = unused.map((entry) => `${entry.provider}/${entry.username}`);
  return warn(
    id,
    null,
    WARN_TOKEN_UNUSED,
    `Stored sign-in${unused.length === 1 ? "" : "s"} that no email source uses: ${names.join(", ")}`,
    `If a source should use ${
      unused.length === 1 ? "it" : "one"
    }, set that source's userName to the name used at login; ` +
      `otherwise delete ${unused.length === 1 ? "it" : "them"}: ` +
      unused.map((entry) => `\`mps reset-storage --provider ${entry.provider} --user ${entry.username}\``).join(", ") +
      ".",
    { tokens: unused.map((entry) => ({ provider: entry.provider, username: entry.username, path: entry.path })) },
  );
}
