import type { IdTokenClaims } from "../storage/index.ts";
import { AccountUnknownError, WrongAccountError } from "./errors.ts";

/** The ID token claims that name an account, in the order they are shown. */
export const ACCOUNT_CLAIMS = ["preferred_username", "email", "upn"] as const;

function claimText(claims: Readonly<Record<string, unknown>>, name: string): string | undefined {
  const value = claims[name];
  return typeof value === "string" && value.trim() !== "" ? value.trim() : undefined;
}

/** The names the ID token gives for the signed-in account (preferred_username, email, upn). */
export function accountNames(claims: Readonly<Record<string, unknown>>): string[] {
  return ACCOUNT_CLAIMS.map((name) => claimText(claims, name)).filter((value) => value !== undefined);
}

/**
 * Right account or nothing: one of the ID token's `preferred_username`, `email` or `upn`
 * must equal `expected` (case-insensitive). Throws `WrongAccountError` otherwise, and
 * `AccountUnknownError` when the ID token names no account at all.
 */
export function checkAccount(claims: Readonly<Record<string, unknown>> | undefined, expected: string): void {
  if (claims === undefined) throw new AccountUnknownError(expected, "the provider returned no ID token");
  const names = accountNames(claims);
  const wanted = expected.trim().toLowerCase();
  if (names.some((name) => name.toLowerCase() === wanted)) return;
  const signedIn = names[0];
  if (signedIn === undefined) {
    throw new AccountUnknownError(expected, `the ID token has none of the claims ${ACCOUNT_CLAIMS.join(", ")}`);
  }
  throw new WrongAccountError(signedIn, expected.trim());
}

/** The claims worth keeping from an ID token: who signed in, in which tenant. */
export function keptClaims(claims: Readonly<Record<string, unknown>>): IdTokenClaims {
  const kept: IdTokenClaims = {};
  for (const name of ["iss", "sub", "oid", "tid", "name", ...ACCOUNT_CLAIMS]) {
    const value = claims[name];
    if (typeof value === "string") kept[name] = value;
  }
  return kept;
}
