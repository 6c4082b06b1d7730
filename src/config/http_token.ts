/** The token `/health` and `/metrics` require: `MPS_HTTP_TOKEN` when set and not empty, else `<http token>`. */
export function httpToken(
  configToken: string | undefined,
  env: Readonly<Record<string, string | undefined>>,
): string | undefined {
  return env["MPS_HTTP_TOKEN"] || configToken;
}
