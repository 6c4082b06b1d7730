import type { EmailSourceTypeName } from "./schema.ts";
import type { SignInKind } from "./types.ts";

/** Name an app-only token is stored under when its source has no userName. */
export const APP_TOKEN_USER = "app";

/** How a source of this type signs in: `Imap` with a password, the app-only type as the app, the rest as a user. */
export function signInOf(type: EmailSourceTypeName): SignInKind {
  if (type === "Imap") return "password";
  if (type === "ImapOAuthMicrosoftApp") return "app";
  return "delegated";
}

/** The name a source's token is stored under: its trimmed userName, `app` for an app-only source without one. */
export function tokenUserOf(signIn: SignInKind, userName: string): string | undefined {
  if (signIn === "password") return undefined;
  const user = userName.trim();
  return signIn === "app" && user === "" ? APP_TOKEN_USER : user;
}
