import type { Config } from "./types.ts";

/**
 * Every secret the config and its environment hold: IMAP, folder source and printer passwords,
 * passwords written into a printer's uri, client secrets, client certificate passwords, the password of the
 * `<proxy>` URL, the HTTP token (`<http token>` and `MPS_HTTP_TOKEN`), the SMTP password of `<notifications>` and
 * `MPS_STORAGE_KEY`. They are
 * registered with the log redactor as soon as the config is loaded, so no later line can leak one.
 */
export function configSecrets(config: Config, env: Readonly<Record<string, string | undefined>>): string[] {
  const values = [
    ...config.emailSources.map((source) => source.password),
    ...config.folderSources.map((source) => source.password),
    ...config.oauth.providers.map((provider) => provider.clientSecret),
    ...config.printers.map((printer) => printer.password),
    ...config.printers.map((printer) => uriPassword(printer.uri)),
    ...config.oauth.providers.map((provider) => provider.clientCertificatePassword),
    proxyPassword(config.proxy?.url),
    config.http.token,
    config.notifications?.password,
    env["MPS_HTTP_TOKEN"],
    env["MPS_STORAGE_KEY"],
  ];
  return values.filter((value): value is string => value !== undefined && value.trim() !== "");
}

function uriPassword(uri: string): string | undefined {
  try {
    const password = decodeURIComponent(new URL(uri).password);
    return password === "" ? undefined : password;
  } catch {
    return undefined;
  }
}

/** The password in a proxy URL (`http://user:password@proxy:8080`), decoded. */
function proxyPassword(url: string | undefined): string | undefined {
  const password = /^[a-z][a-z0-9+.-]*:\/\/[^:@/]*:([^@/]*)@/i.exec(url?.trim() ?? "")?.[1];
  if (password === undefined) return undefined;
  try {
    return decodeURIComponent(password);
  } catch {
    return password;
  }
}
