/**
 * The sign-in failures mps knows by name: a stable code, a title and the fix an admin can act on,
 * for Entra's AADSTS numbers and the OAuth error values they come with.
 */
import type { OAuthProvider } from "../config/index.ts";
import { MICROSOFT_DEFAULT_TENANT, MICROSOFT_LOGIN_HOST } from "./provider_endpoints.ts";

import {
  ClientSecretError,
  ERR_OAUTH_ACCESS_DENIED,
  ERR_OAUTH_ACCOUNT_DISABLED,
  ERR_OAUTH_ACCOUNT_NOT_IN_TENANT,
  ERR_OAUTH_APP_NOT_FOUND,
  ERR_OAUTH_CLIENT_CERTIFICATE,
  ERR_OAUTH_CLIENT_SECRET,
  ERR_OAUTH_CODE_REUSED,
  ERR_OAUTH_CONDITIONAL_ACCESS,
  ERR_OAUTH_CONSENT_REQUIRED,
  ERR_OAUTH_DEVICE_CODE_EXPIRED,
  ERR_OAUTH_MALFORMED_REQUEST,
  ERR_OAUTH_MFA_REQUIRED,
  ERR_OAUTH_PASSWORD_EXPIRED,
  ERR_OAUTH_PUBLIC_CLIENT_FLOWS_OFF,
  ERR_OAUTH_REDIRECT_URI,
  ERR_OAUTH_REFRESH_FAILED,
  ERR_OAUTH_RESOURCE_NOT_IN_TENANT,
  ERR_OAUTH_SESSION_ENDED,
  ERR_OAUTH_TENANT_NOT_FOUND,
} from "./errors.ts";

/** What a failure's fix may name. */
export type SignInContext = {
  readonly provider: OAuthProvider;
  readonly username: string;
  readonly redirectUri?: string | undefined;
};

export type SignInFailure = { code: string; title: string; fix: (ctx: SignInContext) => string };

function loginHost(provider: OAuthProvider): string {
  if (provider.authority !== undefined && URL.canParse(provider.authority)) return new URL(provider.authority).origin;
  return MICROSOFT_LOGIN_HOST;
}

function tenantOf(provider: OAuthProvider): string {
  return provider.tenant?.trim() || MICROSOFT_DEFAULT_TENANT;
}

/** `https://login.microsoftonline.com/{tenant}/adminconsent?client_id=…` for the provider. */
export function adminConsentUrl(provider: OAuthProvider): string {
  return `${loginHost(provider)}/${encodeURIComponent(tenantOf(provider))}/adminconsent?client_id=${
    encodeURIComponent(provider.clientId)
  }`;
}

export const relogin = (ctx: SignInContext): string =>
  `Run \`mps reset-storage --user ${ctx.username}\`, then \`mps login ${ctx.provider.name} ${ctx.username}\`.`;

const login = (ctx: SignInContext): string => `\`mps login ${ctx.provider.name} ${ctx.username}\``;

export const SIGN_IN_FAILURES = {
  consent: {
    code: ERR_OAUTH_CONSENT_REQUIRED,
    title: "Needs admin approval",
    fix: (ctx) =>
      `The tenant does not let users consent to this app; any one of these works: ` +
      `(1) an administrator opens ${adminConsentUrl(ctx.provider)} and consents for the whole organisation; ` +
      `(2) give the account '${ctx.username}' an admin role (e.g. Cloud Application Administrator) and log in again; ` +
      `(3) enable the admin consent request workflow (Entra admin center > Enterprise applications > Consent and permissions > Admin consent settings), ` +
      `request approval at login and log in again once an admin approved it.`,
  },
  refresh: {
    code: ERR_OAUTH_REFRESH_FAILED,
    title: "Cannot refresh access token",
    fix: (ctx) =>
      `The stored refresh token was revoked or expired (password change, admin revocation, 90 days unused). ${
        relogin(ctx)
      }`,
  },
  secret: {
    code: ERR_OAUTH_CLIENT_SECRET,
    title: ClientSecretError.FINDING,
    fix: (ctx) => ClientSecretError.fixFor(ctx.provider.name),
  },
  appNotFound: {
    code: ERR_OAUTH_APP_NOT_FOUND,
    title: "The app registration was not found in this tenant",
    fix: (ctx) =>
      `Check clientId '${ctx.provider.clientId}' (the Application (client) ID of the app registration) and tenant ` +
      `'${
        tenantOf(ctx.provider)
      }' of provider '${ctx.provider.name}'; a single-tenant app needs the tenant it is registered in.`,
  },
  mfa: {
    code: ERR_OAUTH_MFA_REQUIRED,
    title: "Multi-factor authentication is required",
    fix: (ctx) =>
      `Run ${login(ctx)} in a browser and complete the MFA prompt (a refresh token issued after MFA keeps working); ` +
      `if the account has no MFA method yet, register one first at https://aka.ms/mfasetup signed in as '${ctx.username}'.`,
  },
  conditionalAccess: {
    code: ERR_OAUTH_CONDITIONAL_ACCESS,
    title: "A Conditional Access policy blocked the sign-in",
    fix: (ctx) =>
      `Entra admin center > Monitoring > Sign-in logs, filtered on '${ctx.username}', names the policy and the condition ` +
      `that failed (location, device, app); an admin excludes the print mailbox (or this app) from it, or adds this ` +
      `server's public IP address to a trusted named location; then run ${login(ctx)}.`,
  },
  redirect: {
    code: ERR_OAUTH_REDIRECT_URI,
    title: "The redirect URI is not registered for this app",
    fix: (ctx) =>
      `In the app registration add the platform 'Mobile and desktop applications' with the redirect URI 'http://localhost' ` +
      `(Entra ignores the port for localhost)${
        ctx.redirectUri === undefined ? "" : `; this login used '${ctx.redirectUri}'`
      }, then log in again.`,
  },
  codeReused: {
    code: ERR_OAUTH_CODE_REUSED,
    title: "The authorization code was already used",
    fix: (ctx) => `Run ${login(ctx)} again (do not reload the browser's callback page).`,
  },
  denied: {
    code: ERR_OAUTH_ACCESS_DENIED,
    title: "The sign-in was cancelled or access was denied",
    fix: (ctx) => `Run ${login(ctx)} again and accept the requested permissions.`,
  },
  deviceExpired: {
    code: ERR_OAUTH_DEVICE_CODE_EXPIRED,
    title: "The device code expired before the sign-in was completed",
    fix: (ctx) =>
      `Run \`mps login ${ctx.provider.name} ${ctx.username} --device-code\` again and enter the code within its lifetime.`,
  },
  publicClient: {
    code: ERR_OAUTH_PUBLIC_CLIENT_FLOWS_OFF,
    title: "The app registration does not allow public client flows",
    fix: (ctx) =>
      `In the app registration (clientId '${ctx.provider.clientId}') open Authentication > Advanced settings, set ` +
      `'Allow public client flows' to Yes (needed for --device-code) and register 'http://localhost' under ` +
      `'Mobile and desktop applications', not 'Web'; then run ${login(ctx)} again.`,
  },
  resourceNotInTenant: {
    code: ERR_OAUTH_RESOURCE_NOT_IN_TENANT,
    title: "Exchange Online is not available in this tenant",
    fix: (ctx) =>
      `Tenant '${
        tenantOf(ctx.provider)
      }' of provider '${ctx.provider.name}' has no Office 365 Exchange Online (no licence, ` +
      `or the wrong tenant): set tenant="…" to the tenant that holds the mailbox '${ctx.username}'; for app-only access ` +
      `an admin of that tenant consents at ${adminConsentUrl(ctx.provider)}.`,
  },
  tenantNotFound: {
    code: ERR_OAUTH_TENANT_NOT_FOUND,
    title: "The tenant does not exist",
    fix: (ctx) =>
      `Correct tenant '${
        tenantOf(ctx.provider)
      }' of provider '${ctx.provider.name}': use the tenant's primary domain ` +
      `(contoso.onmicrosoft.com) or its Directory (tenant) ID from the Entra admin center overview; a national cloud ` +
      `also needs authority="…".`,
  },
  accountNotInTenant: {
    code: ERR_OAUTH_ACCOUNT_NOT_IN_TENANT,
    title: "The account does not exist in this tenant",
    fix: (ctx) =>
      `Check the spelling of '${ctx.username}' (userName of the source and the account picked at sign-in) and tenant ` +
      `'${tenantOf(ctx.provider)}' of provider '${ctx.provider.name}'; a guest or personal account cannot open this ` +
      `tenant's mailboxes: sign in with an account of the tenant, then run ${login(ctx)}.`,
  },
  accountDisabled: {
    code: ERR_OAUTH_ACCOUNT_DISABLED,
    title: "The account is disabled",
    fix: (ctx) =>
      `An admin allows sign-in for '${ctx.username}' (Microsoft 365 admin center > Users > Active users > the user > ` +
      `Block sign-in off), then run ${login(ctx)}. A shared mailbox's own account is disabled on purpose: sign in as ` +
      `a user with Full Access to it and set mailbox="${ctx.username}" on the source instead.`,
  },
  passwordExpired: {
    code: ERR_OAUTH_PASSWORD_EXPIRED,
    title: "The account's password has expired",
    fix: (ctx) =>
      `Sign in to https://myaccount.microsoft.com as '${ctx.username}' and set a new password, then run ${
        login(ctx)
      }; ` +
      `for a service mailbox an admin may exempt it from password expiry.`,
  },
  sessionEnded: {
    code: ERR_OAUTH_SESSION_ENDED,
    title: "The sign-in session has ended",
    fix: (ctx) =>
      `The password was changed, the session was revoked, or a Conditional Access sign-in frequency policy ended it. ${
        relogin(ctx)
      } If it recurs every few days, an admin excludes the print mailbox from the sign-in frequency policy.`,
  },
  certificate: {
    code: ERR_OAUTH_CLIENT_CERTIFICATE,
    title: "The client certificate was not accepted",
    fix: (ctx) =>
      `Upload the certificate of clientCertificate (its public part, .cer or .pem) in the app registration of ` +
      `clientId '${ctx.provider.clientId}' (Certificates & secrets > Certificates > Upload certificate); the ` +
      `thumbprint listed there must be the one 'mps doctor' shows. An expired certificate must be replaced.`,
  },
  malformed: {
    code: ERR_OAUTH_MALFORMED_REQUEST,
    title: "The identity provider rejected the request as malformed",
    fix: (ctx) =>
      `A proxy or TLS inspection that rewrites requests to ${loginHost(ctx.provider)} causes this: exclude that host ` +
      `from inspection. Otherwise check clientId, tenant and authority of provider '${ctx.provider.name}'.`,
  },
} as const satisfies Record<string, SignInFailure>;

export type SignInFailureName = keyof typeof SIGN_IN_FAILURES;

/** Entra's AADSTS numbers that name one of the failures above. */
export const BY_AADSTS: Readonly<Record<number, SignInFailureName>> = {
  65001: "consent",
  90094: "consent",
  90095: "consent",
  700082: "refresh",
  50173: "refresh",
  70043: "refresh",
  70008: "refresh",
  7000215: "secret",
  7000222: "secret",
  700016: "appNotFound",
  50076: "mfa",
  50079: "mfa",
  53003: "conditionalAccess",
  50011: "redirect",
  70004: "redirect",
  54005: "codeReused",
  65004: "denied",
  7000218: "publicClient",
  500011: "resourceNotInTenant",
  90002: "tenantNotFound",
  50020: "accountNotInTenant",
  50034: "accountNotInTenant",
  50057: "accountDisabled",
  50055: "passwordExpired",
  70044: "sessionEnded",
  50132: "sessionEnded",
  50133: "sessionEnded",
  9002313: "malformed",
  700027: "certificate",
};
