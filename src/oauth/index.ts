export {
  findProvider,
  MICROSOFT_APP_SCOPES,
  MICROSOFT_DELEGATED_SCOPES,
  providerForSource,
  resolveProvider,
} from "./provider_endpoints.ts";
export type { ResolvedProvider } from "./provider_endpoints.ts";
export {
  AccountUnknownError,
  ClientSecretError,
  ERR_OAUTH,
  ERR_OAUTH_ACCESS_DENIED,
  ERR_OAUTH_APP_NOT_FOUND,
  ERR_OAUTH_CLIENT_SECRET,
  ERR_OAUTH_CODE_REUSED,
  ERR_OAUTH_CONSENT_REQUIRED,
  ERR_OAUTH_DEVICE_CODE_EXPIRED,
  ERR_OAUTH_INVALID_RESPONSE,
  ERR_OAUTH_MFA_OR_CONDITIONAL_ACCESS,
  ERR_OAUTH_NETWORK,
  ERR_OAUTH_NO_CLIENT_SECRET,
  ERR_OAUTH_REDIRECT_URI,
  ERR_OAUTH_REFRESH_FAILED,
  ERR_OAUTH_SERVER,
  ERR_TOKEN_NOT_FOUND,
  LoopbackPortError,
  OAuthError,
  ProviderResolveError,
  TokenNotFoundError,
  UnknownProviderError,
  WrongAccountError,
  WrongStoredAccountError,
} from "./errors.ts";
export { aadstsOf, adminConsentUrl, toOAuthError } from "./oauth_error.ts";
export type { OAuthErrorContext } from "./oauth_error.ts";
export { requestAppToken } from "./client_credentials.ts";
export { createTokenService } from "./token_service.ts";
export type { TokenService, TokenServiceOptions } from "./token_service.ts";
// Interactive sign-in: mps login (browser with loopback redirect, device code).
export { accountNames, checkAccount } from "./account_check.ts";
export type { LoginResult, SaveTokens } from "./login_tokens.ts";
export { authorizationUrl, loginLoopback } from "./login_loopback.ts";
export { loginDeviceCode } from "./device_code.ts";
export type { DeviceCodePrompt } from "./device_code.ts";
