export { openTokenStore } from "./token_store.ts";
export type { TokenEntry, TokenStore, TokenStoreOptions } from "./token_store.ts";
export type { IdTokenClaims, StoredTokens } from "./stored_tokens.ts";
export { loadStorageKey } from "./storage_key.ts";
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
