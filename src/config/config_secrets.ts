import type { Config } from "./types.ts";

/**
 * Every secret the config and its environment hold: IMAP, folder source and printer passwords,
 * passwords written into a printer's uri, client secrets, the HTTP token (`<http token>` and `MPS_HTTP_TOKEN`) and `MPS_STORAGE_KEY`. They are
 * registered with the log redactor as soon as the config is loaded, so no later line can leak one.
 */
export function configSecrets(config: Config, env: Readonly<Record<string, string | undefined>>): string[] {
  const values = [
    ...config.emailSources.map((source) => source.password),
    ...config.folderSources.map((source) => source.password),
    ...config.oauth.providers.map((provider) => provider.clientSecret),
    ...config.printers.map((printer) => printer.password),
    ...config.printers.map((printer) => uriPassword(printer.uri)),
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
