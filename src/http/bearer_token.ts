import type { Buffer } from "node:buffer";
import { createHash, timingSafeEqual } from "node:crypto";

/**
 * Checks `Authorization: Bearer <token>` headers against the configured token in constant time:
 * both sides are hashed to equal-length SHA-256 digests first, so neither the content nor the
 * length of the token leaks through timing.
 */
export function bearerTokenCheck(token: string): (authorization: string | undefined) => boolean {
  const expected = digest(token);
  return (authorization) => {
    const match = /^Bearer +(.+?) *$/i.exec(authorization ?? "");
    const given = match?.[1];
    // Hash something even without a token, so a missing header takes as long as a wrong one.
    return timingSafeEqual(digest(given ?? ""), expected) && given !== undefined;
  };
}

function digest(text: string): Buffer {
  return createHash("sha256").update(text, "utf8").digest();
}
