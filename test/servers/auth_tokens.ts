import { createHash, randomBytes } from "node:crypto";
import { exportJWK, generateKeyPair, type JWK, type JWTPayload, jwtVerify, SignJWT } from "jose";

/** The tenant id put into tokens (`tid`), like Entra's directory id. */
export const TEST_TENANT_ID = "00000000-0000-4000-8000-00000000beef";

export type AccessTokenInput = {
  /** The signed-in user (delegated token) or undefined for an app-only token. */
  user: string | undefined;
  clientId: string;
  scope: string;
  audience: string;
  lifetimeSeconds: number;
};

export type TokenSigner = {
  kid: string;
  jwks: { keys: JWK[] };
  accessToken(input: AccessTokenInput): Promise<{ token: string; jti: string; expiresAt: number }>;
  idToken(user: string, clientId: string, nonce: string | undefined): Promise<string>;
  /** The payload when the signature, issuer and expiry are good, else undefined. */
  verify(token: string): Promise<JWTPayload | undefined>;
};

export function randomToken(bytes = 32): string {
  return randomBytes(bytes).toString("base64url");
}

/** A stable object id per user name (Entra's `oid`). */
export function objectId(name: string): string {
  const h = createHash("sha256").update(name.toLowerCase()).digest("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** RS256 key pair and JWT signing for the local authorization server. */
export async function createTokenSigner(issuer: string): Promise<TokenSigner> {
  const { privateKey, publicKey } = await generateKeyPair("RS256", { extractable: true });
  const kid = randomToken(8);
  const jwk = { ...(await exportJWK(publicKey)), kid, alg: "RS256", use: "sig" };
  const nowSeconds = (): number => Math.floor(Date.now() / 1000);
  const sign = (claims: JWTPayload, expiresAt: number): Promise<string> =>
    new SignJWT(claims)
      .setProtectedHeader({ alg: "RS256", kid, typ: "JWT" })
      .setIssuer(issuer)
      .setIssuedAt(nowSeconds())
      .setNotBefore(nowSeconds())
      .setExpirationTime(expiresAt)
      .sign(privateKey);
  const userClaims = (user: string): JWTPayload => ({
    sub: objectId(`sub:${user}`),
    oid: objectId(user),
    email: user,
    preferred_username: user,
    name: user.split("@")[0] ?? user,
  });

  return {
    kid,
    jwks: { keys: [jwk] },
    async accessToken(input) {
      const jti = randomToken(16);
      // Never expire before the promised lifetime: round the expiry up to a whole second.
      const expiresAt = Math.ceil((Date.now() + input.lifetimeSeconds * 1000) / 1000);
      const common: JWTPayload = {
        aud: input.audience,
        jti,
        tid: TEST_TENANT_ID,
        appid: input.clientId,
        azp: input.clientId,
        ver: "2.0",
      };
      const claims: JWTPayload = input.user === undefined
        ? { ...common, sub: objectId(`app:${input.clientId}`), idtyp: "app", roles: ["IMAP.AccessAsApp"] }
        : { ...common, ...userClaims(input.user), scp: input.scope };
      return { token: await sign(claims, expiresAt), jti, expiresAt };
    },
    idToken(user, clientId, nonce) {
      const claims: JWTPayload = { ...userClaims(user), aud: clientId, tid: TEST_TENANT_ID, ver: "2.0" };
      if (nonce !== undefined) claims["nonce"] = nonce;
      return sign(claims, nowSeconds() + 3600);
    },
    async verify(token) {
      try {
        const { payload } = await jwtVerify(token, publicKey, { issuer, algorithms: ["RS256"] });
        return payload;
      } catch {
        return undefined;
      }
    },
  };
}
