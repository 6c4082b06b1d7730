export {
  findProvider,
  MICROSOFT_APP_SCOPES,
  MICROSOFT_DELEGATED_SCOPES,
  MICROSOFT_LOGIN_HOST,
  providerForSource,
  resolveProvider,
} from "./provider_endpoints.ts";
export type { ResolvedProvider } from "./provider_endpoints.ts";
export {
  AccountUnknownError,
  ClientSecretError,
  ERR_OAUTH,
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
  ERR_OAUTH_INVALID_RESPONSE,
  ERR_OAUTH_MALFORMED_REQUEST,
  ERR_OAUTH_MFA_REQUIRED,
  ERR_OAUTH_NETWORK,
  ERR_OAUTH_NO_CLIENT_SECRET,
  ERR_OAUTH_PASSWORD_EXPIRED,
  ERR_OAUTH_PUBLIC_CLIENT_FLOWS_OFF,
  ERR_OAUTH_REDIRECT_URI,
  ERR_OAUTH_REFRESH_FAILED,
  ERR_OAUTH_RESOURCE_NOT_IN_TENANT,
  ERR_OAUTH_SERVER,
  ERR_OAUTH_SESSION_ENDED,
  ERR_OAUTH_TENANT_NOT_FOUND,
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
export { BY_AADSTS, SIGN_IN_FAILURES } from "./sign_in_failures.ts";
export type { SignInFailure, SignInFailureName } from "./sign_in_failures.ts";
export { certificateClientAuth, ClientCertificateError, loadClientCertificate } from "./client_certificate.ts";
export type { ClientCertificate } from "./client_certificate.ts";
export { requestAppToken } from "./client_credentials.ts";
export { createTokenService } from "./token_service.ts";
export type { TokenService, TokenServiceOptions } from "./token_service.ts";
// Interactive sign-in: mps login (browser with loopback redirect, device code).
export { accountNames, checkAccount } from "./account_check.ts";
export type { LoginResult, SaveTokens } from "./login_tokens.ts";
export { authorizationUrl, loginLoopback } from "./login_loopback.ts";
export { loginDeviceCode } from "./device_code.ts";
export type { DeviceCodePrompt } from "./device_code.ts";
