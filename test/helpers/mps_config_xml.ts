export interface MpsConfigXmlOptions {
  /** Attributes of the one `<emailSources>/<add>`, in order. */
  readonly source: Iterable<readonly [string, string]>;
  readonly logFile: string;
  readonly logLevel: string;
  readonly storage: string;
  readonly keyFile: string;
  /** The local authorization server, as provider "Local". */
  readonly issuer: string;
  readonly clientId: string;
  /** More elements inside `<mps>` (e.g. `<printers>`). */
  readonly extraXml?: string;
}

/**
 * The mps.config the tests and benchmarks run with: one email source, Spool and Failed beside
 * the config, the HTTP server on a free port, and the local authorization server as provider.
 */
export function mpsConfigXml(options: MpsConfigXmlOptions): string {
  const add = [...options.source].map(([key, value]) => `${key}="${value}"`).join(" ");
  return `<mps version="6">
  <emailSources>
    <add ${add} />
  </emailSources>
  <spool folder="Spool" />
  <http port="0" />
  <failedFiles folder="Failed" maxAge="604800" />
  <log file="${options.logFile}" level="${options.logLevel}" />
  <oauth storage="${options.storage}" keyFile="${options.keyFile}">
    <provider name="Local" issuer="${options.issuer}" clientId="${options.clientId}" scopes="openid email offline_access" />
  </oauth>
${options.extraXml ?? ""}
</mps>
`;
}
