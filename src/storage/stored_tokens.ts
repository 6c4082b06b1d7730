/** Claims kept from the ID token: enough to tell which account signed in. */
export type IdTokenClaims = {
  sub?: string;
  email?: string;
  preferred_username?: string;
  upn?: string;
  oid?: string;
  tid?: string;
  name?: string;
  [claim: string]: unknown;
};

/**
 * What one token file holds once decrypted. Open to later fields: unknown
 * fields are kept as they are on a read-modify-write.
 */
export type StoredTokens = {
  accessToken?: string;
  /** ms epoch. */
  accessTokenExpiresAt?: number;
  refreshToken?: string;
  /** ms epoch. */
  refreshTokenIssuedAt?: number;
  idTokenClaims?: IdTokenClaims;
  scopes?: string[];
  tokenType?: string;
  [field: string]: unknown;
};

/** The only envelope format this version writes and reads. */
export const TOKEN_FORMAT = "mps-token/1";
export const TOKEN_ALG = "A256GCM";

/** A token file on disk. Provider and username are in clear; the tokens are not. */
export type TokenEnvelope = {
  format: typeof TOKEN_FORMAT;
  /** Lower-cased. */
  provider: string;
  /** Lower-cased. */
  username: string;
  /** ISO 8601. */
  createdAt: string;
  /** ISO 8601. */
  updatedAt: string;
  alg: typeof TOKEN_ALG;
  /** base64, 12 bytes. */
  iv: string;
  /** base64, AES-256-GCM output (ciphertext followed by the 16-byte tag). */
  ciphertext: string;
};
