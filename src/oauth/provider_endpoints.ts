import * as oauth from "oauth4webapi";
import type { Config, EmailSource, OAuthProvider } from "../config/index.ts";
import { registerSecret } from "../log/index.ts";
import { certificateClientAuth, loadClientCertificate } from "./client_certificate.ts";
import type { ClientCertificate } from "./client_certificate.ts";
import { isLoopbackHost } from "../shared/is_loopback_host.ts";
import { ProviderResolveError, UnknownProviderError } from "./errors.ts";

/** Microsoft's delegated scopes for IMAP; without offline_access there is no refresh token. */
export const MICROSOFT_DELEGATED_SCOPES: readonly string[] = [
  "https://outlook.office.com/IMAP.AccessAsUser.All",
  "offline_access",
  "openid",
  "profile",
  "email",
];
/** Microsoft's app-only (client credentials) scope for IMAP. */
export const MICROSOFT_APP_SCOPES: readonly string[] = ["https://outlook.office365.com/.default"];
export const MICROSOFT_DEFAULT_TENANT = "organizations";
export const MICROSOFT_LOGIN_HOST = "https://login.microsoftonline.com";
export const GOOGLE_SCOPES: readonly string[] = ["https://mail.google.com/", "openid", "email"];
export const OIDC_DEFAULT_SCOPES: readonly string[] = ["openid", "email", "offline_access"];

/** `customFetch` (the injected fetch) and, for a loopback http issuer only, `allowInsecureRequests`. */
export type FetchOptions = {
  [oauth.customFetch]: (url: string, options: oauth.CustomFetchOptions<string, unknown>) => Promise<Response>;
  [oauth.allowInsecureRequests]?: boolean;
};

/** Everything oauth4webapi needs to talk to one provider. */
export type ResolvedProvider = {
  readonly provider: OAuthProvider;
  readonly as: oauth.AuthorizationServer;
  readonly client: oauth.Client;
  /**
   * `None()` for a public client, `ClientSecretPost` when the provider has a clientSecret,
   * `private_key_jwt` when it has a clientCertificate.
   */
  readonly clientAuth: oauth.ClientAuth;
  /** The provider's client certificate, when it has one. */
  readonly certificate?: ClientCertificate | undefined;
  /** For `mps login` and refresh: `provider.scopes` when set, else the provider's defaults. */
  readonly delegatedScopes: readonly string[];
  /** For client credentials (app-only); empty when the provider has none. */
  readonly appScopes: readonly string[];
  readonly fetchOptions: FetchOptions;
  /**
   * The authorization server to pass to oauth4webapi's `process*Response` for this token
   * endpoint response. Entra's multi-tenant endpoints (`organizations`, `common`, a domain
   * tenant) issue ID tokens with the issuer `https://login.microsoftonline.com/{tid}/v2.0`,
   * so for Microsoft the expected issuer is taken from the ID token's `tid` (the approach the
   * oauth4webapi author recommends); every other provider gets `as` unchanged.
   * The response is cloned, never consumed.
   */
  asForResponse(response: Response): Promise<oauth.AuthorizationServer>;
};

export type ResolveProviderOptions = {
  fetch: typeof globalThis.fetch;
  /** ms epoch, for checking a client certificate's validity; default the system clock. */
  now?: () => number;
  signal?: AbortSignal;
};

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** True for `http://127.0.0.1`, `http://localhost` and `http://[::1]` URLs (test and lab servers). */
export function isLoopbackHttp(url: URL): boolean {
  return url.protocol === "http:" && isLoopbackHost(url.hostname);
}

function withSlash(url: string): string {
  return url.endsWith("/") ? url : `${url}/`;
}

function definedList(config: Config): string {
  return config.oauth.providers.map((p) => `'${p.name}'`).join(", ") || "none";
}

/** The `<oauth>` provider named `name` (case-insensitive), or a clear error listing the defined ones. */
export function findProvider(config: Config, name: string): OAuthProvider {
  const id = name.trim().toLowerCase();
  const found = config.oauth.providers.find((p) => p.id === id);
  if (found !== undefined) return found;
  const defined = definedList(config);
  throw new UnknownProviderError(
    `OAuth provider '${name}' is not defined in '${config.displayPath}' (defined: ${defined})`,
    config.oauth.providers.length === 0
      ? `Add <oauth><provider name="Microsoft" clientId="…"/></oauth> to '${config.displayPath}'.`
      : `Use one of ${defined}, or add <provider name="${name}" clientId="…"/> to <oauth> in '${config.displayPath}'.`,
    { cause: new Error(`no provider with id '${id}'`) },
  );
}

/** The provider an email source signs in with; an error for a password (`Imap`) source. */
export function providerForSource(config: Config, source: EmailSource): OAuthProvider {
  if (source.provider === undefined) {
    throw new UnknownProviderError(
      `Email source '${source.name}' (config line ${source.line}) of type '${source.type}' does not sign in with OAuth`,
      `Use an OAuth type (ImapOAuthMicrosoft, ImapOAuthMicrosoftApp, ImapOAuthGoogle, ImapOAuth) for source '${source.name}'.`,
      { cause: new Error("source has no provider") },
    );
  }
  return source.providerConfig ?? findProvider(config, source.provider);
}

function makeFetchOptions(fetch: typeof globalThis.fetch, insecure: boolean, signal?: AbortSignal): FetchOptions {
  const options: FetchOptions = {
    [oauth.customFetch]: (url, init) =>
      fetch(url, {
        ...(init as RequestInit),
        ...(signal !== undefined && init.signal === undefined ? { signal } : {}),
      }),
  };
  if (insecure) options[oauth.allowInsecureRequests] = true;
  return options;
}

function microsoftServer(provider: OAuthProvider): { as: oauth.AuthorizationServer; authority: URL } {
  const tenant = provider.tenant?.trim() || MICROSOFT_DEFAULT_TENANT;
  const authorityText = withSlash(
    provider.authority?.trim() || `${MICROSOFT_LOGIN_HOST}/${encodeURIComponent(tenant)}/oauth2/v2.0/`,
  );
  let authority: URL;
  try {
    authority = new URL(authorityText);
  } catch (error) {
    throw new ProviderResolveError(
      provider,
      `authority '${authorityText}' is not a URL`,
      `Set authority to a URL such as '${MICROSOFT_LOGIN_HOST}/${tenant}/oauth2/v2.0/', or remove it.`,
      { cause: error },
    );
  }
  // login.microsoftonline.com/{tenant}/oauth2/v2.0/ → issuer login.microsoftonline.com/{tenant}/v2.0
  const issuer = authority.href.endsWith("/oauth2/v2.0/")
    ? `${authority.href.slice(0, -"/oauth2/v2.0/".length)}/v2.0`
    : authority.href;
  return {
    authority,
    as: {
      issuer,
      authorization_endpoint: new URL("authorize", authority).href,
      token_endpoint: new URL("token", authority).href,
      device_authorization_endpoint: new URL("devicecode", authority).href,
    },
  };
}

const GOOGLE_SERVER: oauth.AuthorizationServer = {
  issuer: "https://accounts.google.com",
  authorization_endpoint: "https://accounts.google.com/o/oauth2/v2/auth",
  token_endpoint: "https://oauth2.googleapis.com/token",
  device_authorization_endpoint: "https://oauth2.googleapis.com/device/code",
  revocation_endpoint: "https://oauth2.googleapis.com/revoke",
  userinfo_endpoint: "https://openidconnect.googleapis.com/v1/userinfo",
  jwks_uri: "https://www.googleapis.com/oauth2/v3/certs",
};

async function discover(
  provider: OAuthProvider,
  fetch: typeof globalThis.fetch,
  signal?: AbortSignal,
): Promise<oauth.AuthorizationServer> {
  const issuerText = provider.issuer?.trim() ?? "";
  let issuer: URL;
  try {
    issuer = new URL(issuerText);
  } catch (error) {
    throw new ProviderResolveError(
      provider,
      `issuer '${issuerText}' is not a URL`,
      `Set issuer to the provider's issuer URL, e.g. 'https://idp.example.com/'.`,
      { cause: error },
    );
  }
  const fetchOptions = makeFetchOptions(fetch, isLoopbackHttp(issuer), signal);
  try {
    const response = await oauth.discoveryRequest(issuer, { ...fetchOptions, algorithm: "oidc" });
    return await oauth.processDiscoveryResponse(issuer, response);
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    throw new ProviderResolveError(
      provider,
      `OIDC discovery from '${issuer.href}.well-known/openid-configuration' failed: ${detail}`,
      `Check that issuer '${issuer.href}' is right (it must match the 'issuer' the server publishes, trailing '/' included) ` +
        `and that this machine can reach it (network, proxy, firewall).`,
      { cause: error },
    );
  }
}

function decodeIdTokenClaims(idToken: unknown): Record<string, unknown> | undefined {
  if (typeof idToken !== "string") return undefined;
  const payload = idToken.split(".")[1];
  if (payload === undefined) return undefined;
  try {
    const text = new TextDecoder().decode(
      Uint8Array.from(atob(payload.replace(/-/g, "+").replace(/_/g, "/")), (c) => c.charCodeAt(0)),
    );
    const claims: unknown = JSON.parse(text);
    return typeof claims === "object" && claims !== null ? (claims as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Entra multi-tenant issuer: only `{authority origin}/{tid}/v2.0` with a GUID `tid` from the
 * same token is accepted in place of the configured issuer; anything else is left for
 * oauth4webapi to reject as usual.
 */
function microsoftIssuerFor(as: oauth.AuthorizationServer, authority: URL) {
  return async (response: Response): Promise<oauth.AuthorizationServer> => {
    if (!response.ok) return as;
    let body: unknown;
    try {
      body = await response.clone().json();
    } catch {
      return as;
    }
    const claims = decodeIdTokenClaims((body as { id_token?: unknown } | null)?.id_token);
    const tid = claims?.["tid"];
    if (typeof tid !== "string" || !GUID.test(tid)) return as;
    const tenantIssuer = `${authority.origin}/${tid}/v2.0`;
    return claims?.["iss"] === tenantIssuer && as.issuer !== tenantIssuer ? { ...as, issuer: tenantIssuer } : as;
  };
}

/** Endpoints, client and scopes of a provider; OIDC discovery for providers other than Microsoft and Google. */
export async function resolveProvider(
  provider: OAuthProvider,
  options: ResolveProviderOptions,
): Promise<ResolvedProvider> {
  registerSecret(provider.clientCertificatePassword);
  const certificate = provider.clientCertificate === undefined
    ? undefined
    : await loadClientCertificate(provider, options.now?.() ?? Date.now());
  const client: oauth.Client = { client_id: provider.clientId };
  const unchanged = (): Promise<oauth.AuthorizationServer> => Promise.resolve(as);
  let as: oauth.AuthorizationServer;
  let asForResponse: (response: Response) => Promise<oauth.AuthorizationServer> = unchanged;
  let delegatedScopes: readonly string[];
  let appScopes: readonly string[];
  if (provider.kind === "microsoft") {
    const server = microsoftServer(provider);
    as = server.as;
    asForResponse = microsoftIssuerFor(as, server.authority);
    delegatedScopes = MICROSOFT_DELEGATED_SCOPES;
    appScopes = MICROSOFT_APP_SCOPES;
  } else if (provider.kind === "google") {
    as = GOOGLE_SERVER;
    delegatedScopes = GOOGLE_SCOPES;
    appScopes = [];
  } else {
    as = await discover(provider, options.fetch, options.signal);
    delegatedScopes = OIDC_DEFAULT_SCOPES;
    appScopes = provider.scopes?.filter((s) => s.endsWith("/.default")) ?? [];
  }
  if (provider.scopes !== undefined && provider.scopes.length > 0) delegatedScopes = provider.scopes;
  const insecure = [as.issuer, as.token_endpoint, as.authorization_endpoint]
    .every((u) =>
      u === undefined || (URL.canParse(u) && (new URL(u).protocol === "https:" || isLoopbackHttp(new URL(u))))
    ) &&
    [as.issuer, as.token_endpoint].some((u) => u !== undefined && URL.canParse(u) && isLoopbackHttp(new URL(u)));
  const clientAuth = certificate !== undefined
    ? certificateClientAuth(certificate, as.token_endpoint)
    : provider.clientSecret
    ? oauth.ClientSecretPost(provider.clientSecret)
    : oauth.None();
  return {
    provider,
    as,
    client,
    clientAuth,
    ...(certificate === undefined ? {} : { certificate }),
    delegatedScopes: [...delegatedScopes],
    appScopes: [...appScopes],
    fetchOptions: makeFetchOptions(options.fetch, insecure, options.signal),
    asForResponse,
  };
}
