import { ConfigError } from "./errors.ts";
import { resolvePath } from "./resolve_path.ts";
import { notificationsSchema } from "./schema.ts";
import type { Notifications, OAuthProvider } from "./types.ts";
import { validateElement } from "./validate_element.ts";
import type { XmlElement } from "./xml_tree.ts";

const ADDRESS = /^[^\s@<>(),;:"]+@[^\s@<>(),;:"]+\.[^\s@<>(),;:"]+$/;
const PORTS = { starttls: 587, tls: 465, none: 25 } as const;

/**
 * `<notifications>`: where and how replies to senders are sent. The sign-in follows from what
 * is written when `auth` is not: a password means SMTP AUTH with it, else a provider's token.
 */
export function readNotifications(
  element: XmlElement | undefined,
  file: string,
  dir: string,
  warnings: string[],
  providers: readonly OAuthProvider[],
): Notifications | undefined {
  if (element === undefined) return undefined;
  const values = validateElement(element, notificationsSchema, { file, label: "<notifications>", warnings });
  const fail = (detail: string) => new ConfigError(file, `<notifications>: ${detail}`, { line: element.line });
  const from = values.from.trim().toLowerCase();
  if (!ADDRESS.test(from)) throw fail(`attribute 'from' must be an email address: got '${values.from}'`);
  const auth = values.auth !== "auto" ? values.auth : values.password !== "" ? "password" : "oauth";
  let provider: string | undefined;
  if (auth === "password") {
    if (values.password === "") throw fail(`attribute 'password' is required with auth="password"`);
  } else {
    const defined = providers.map((known) => `'${known.name}'`).join(", ") || "none";
    if (values.provider === undefined) {
      throw fail(
        `attribute 'provider' is required to sign in with a token (auth="${auth}"): name an <oauth> <provider> (defined: ${defined}), or give a password`,
      );
    }
    provider = values.provider.toLowerCase();
    const found = providers.find((known) => known.id === provider);
    if (found === undefined) {
      throw fail(
        `attribute 'provider' names '${values.provider}', which is not an <oauth> <provider> (defined: ${defined})`,
      );
    }
    if (auth === "app" && found.kind !== "microsoft") {
      throw fail(`auth="app" (client credentials) works with provider 'Microsoft' only: got '${values.provider}'`);
    }
  }
  const userName = values.userName.trim() || from;
  if (values.secure === "none" && auth !== "password" && values.host !== "localhost" && values.host !== "127.0.0.1") {
    warnings.push(
      `Config '${file}': line ${element.line}: <notifications>: secure="none" sends the access token unencrypted to '${values.host}'`,
    );
  }
  return {
    line: element.line,
    from,
    host: values.host,
    port: values.port ?? PORTS[values.secure],
    secure: values.secure,
    caFile: values.caFile === undefined ? undefined : resolvePath(dir, values.caFile),
    auth,
    provider,
    userName,
    password: values.password,
    onAccepted: values.onAccepted,
    onRejected: values.onRejected,
    templates: values.templates === undefined ? undefined : resolvePath(dir, values.templates),
    maxPerHour: values.maxPerHour,
  };
}
