export { openTokenStore } from "./token_store.ts";
export type { TokenChange, TokenEntry, TokenFilter, TokenStore, TokenStoreOptions } from "./token_store.ts";
export type { IdTokenClaims, StoredTokens, TokenEnvelope } from "./stored_tokens.ts";
export { TOKEN_ALG, TOKEN_FORMAT } from "./stored_tokens.ts";
export { loadStorageKey, STORAGE_KEY_ENV } from "./storage_key.ts";
export type { StorageKey, StorageKeyOptions } from "./storage_key.ts";
export { normalizeName, parseSafeFileName, safeFileName } from "./safe_file_name.ts";
export {
  describeHolder,
  StorageDecryptError,
  StorageFormatError,
  StorageIoError,
  StorageKeyError,
  StorageKeyMissingError,
  StorageLockTimeoutError,
  StorageNameError,
} from "./errors.ts";
export type { LockHolder } from "./errors.ts";
