/** Realistic-looking (but fake) secrets for the log tests. */
import { Buffer } from "node:buffer";

function base64url(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString("base64url");
}

/** An Entra access token for outlook.office.com (RS256 JWT). */
export const ACCESS_TOKEN = [
  base64url({
    typ: "JWT",
    nonce: "Xk3p9QmW2sYb7RfLc1uTz0hVa",
    alg: "RS256",
    x5t: "JDNa_4i4r7FgigL3sHIlI3xV-IU",
    kid: "JDNa_4i4r7FgigL3sHIlI3xV-IU",
  }),
  base64url({
    aud: "https://outlook.office.com",
    iss: "https://sts.windows.net/72f988bf-86f1-41af-91ab-2d7cd011db47/",
    iat: 1795799385,
    exp: 1795803285,
    scp: "IMAP.AccessAsUser.All",
    upn: "print@contoso.com",
    tid: "72f988bf-86f1-41af-91ab-2d7cd011db47",
  }),
  "Vq3kz2Ya8Hc0_pL1sN9dWmQx4RtFb7uGj6KeYo2TiAs5vXhC-rMnJ8gEaD0wPlZyUcB3fSHk1NqIm4OtLx9Rj7Wv2YeGd5aKsP0bQn6TzFh1c",
].join(".");

/** An Entra refresh token (`1.A...` shape, about 900 characters in reality). */
export const REFRESH_TOKEN =
  "1.AXkAv4j5cvGGr0GRqy180BHbR8nJ2h0Kq3ZGnbh7Wk1wWZ0BAMI7AQ.AgABAwEAAADW6jl31mB3T7ugrWTT8pFeAwDs_wUA9P-dWmVnT2sHx" +
  "Yb7RfLc1uTz0hVa9Qk3pXmW2sFqNcE8jL4oB6tRy0gZiK5vM7wD1aH3eS9uP2fJ6lQ_xO8nC4bT0rU5kG7yV3mI1zA9sW2dE6hR-pL8qN4jX0cF" +
  "5tB7oK3gY1vM9uZ2wS6aD8eH4iJ0lP3rT7xQ5nC1bU9kF2yG6mV0oA4sW8dE3hR7pL1qN5jX9cZ2tB6oK0gY4vM8uS3wD7aH1eJ5iP9lT2rQ6xN0";

/** A Microsoft personal account refresh token (`M.C...` with `!*$`). */
export const MSA_REFRESH_TOKEN =
  "M.C540_BAY.0.U.-CrVj3mTq!Zp8HhGx*Yb2Lw1Kd0Fs9Qn4Ru7Ta6Ec5Wo3Ij2Mv1Ol0Pk9Ny8Bx7Cz6Dq5Er4Fs3Gt2Hu1Iv0Jw9Kx8Ly7Mz6Na5Ob4Pc3Qd2Re1Sf$$";

/** SASL XOAUTH2 initial response, as sent after `AUTHENTICATE XOAUTH2`. */
export const XOAUTH2 = Buffer.from(`user=print@contoso.com\x01auth=Bearer ${ACCESS_TOKEN}\x01\x01`).toString("base64");

/** SASL OAUTHBEARER initial response (RFC 7628). */
export const OAUTHBEARER = Buffer.from(
  `n,a=print@contoso.com,\x01host=outlook.office365.com\x01port=993\x01auth=Bearer ${ACCESS_TOKEN}\x01\x01`,
).toString("base64");

/** OAUTHBEARER without an authorization identity (`n,,`). */
export const OAUTHBEARER_NO_AUTHZID = Buffer.from(`n,,\x01auth=Bearer ${ACCESS_TOKEN}\x01\x01`).toString("base64");

/** An Entra client secret value. */
export const CLIENT_SECRET = "Qx48Q~vKd2.p_HsN3mB7cRtY9wLzA1eF5gJ0uIo6";

/** A storage key: base64 of 32 bytes. */
export const STORAGE_KEY = "q3ZfN8pL2sW7vB4xC9mK1tR6yH0dJ5aG3eU8iO2nQ7w=";
