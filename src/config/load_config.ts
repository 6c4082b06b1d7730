import { readFile } from "node:fs/promises";
import * as path from "node:path";
import { defaultRedactor } from "../log/index.ts";
import type { Redactor } from "../log/index.ts";
import { errnoCode } from "../shared/errno.ts";
import { isLoopbackHost } from "../shared/is_loopback_host.ts";
import { jobIdPrefix } from "../shared/job_id_prefix.ts";
import { configSecrets } from "./config_secrets.ts";
import { ConfigError } from "./errors.ts";
import { httpToken } from "./http_token.ts";
import { readNotifications } from "./read_notifications.ts";
import { folderSourceLocation, resolvePath } from "./resolve_path.ts";
import * as s from "./schema.ts";
import { parseProxyUrl } from "../shared/proxy.ts";
import type { Config, EmailSource, FolderSource, OAuthProvider, ProviderKind, ProxyConfig } from "./types.ts";
import { signInOf, tokenUserOf } from "./sign_in.ts";
import { checkPrinterNames, readPrinters } from "./read_printers.ts";
import { describeElement, validateElement } from "./validate_element.ts";
import type { ElementContext } from "./validate_element.ts";
import { parseXmlTree } from "./xml_tree.ts";
import type { XmlElement } from "./xml_tree.ts";

export interface LoadConfigOptions {
  /** Environment, for `MPS_HTTP_TOKEN` (and `MPS_STORAGE_KEY`, registered as a secret). */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Where the config's secrets are registered; default the shared log redactor. */
  readonly redactor?: Pick<Redactor, "registerSecret">;
}

const SINGLE_ELEMENTS = [
  "folderSources",
  "emailSources",
  "failedFiles",
  "localization",
  "communicator",
  "spool",
  "http",
  "log",
  "oauth",
  "notifications",
  "printers",
  "convert",
  "proxy",
] as const;
type SingleElement = typeof SINGLE_ELEMENTS[number];

/** Reads, parses and validates `mps.config`. Throws `ConfigError`; never returns a partial config. */
export async function loadConfig(file: string, options: LoadConfigOptions = {}): Promise<Config> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (cause) {
    const reason = errnoCode(cause) === "ENOENT"
      ? "the file does not exist"
      : `the file cannot be read (${(cause as Error).message})`;
    throw new ConfigError(file, reason, { cause });
  }
  return parseConfig(text, file, options);
}

/** Validates config text; `file` is used in messages and to resolve relative paths. */
export function parseConfig(text: string, file: string, options: LoadConfigOptions = {}): Config {
  const env = options.env ?? {};
  const root = parseXmlTree(text, file);
  if (root.name !== "mps") {
    throw new ConfigError(file, `the root element must be <mps>: got <${root.name}>`, { line: root.line });
  }
  const dir = path.dirname(path.resolve(file));
  const warnings: string[] = [];
  const context = (label: string): ElementContext => ({ file, label, warnings });
  const rootValues = validateElement(root, s.rootSchema, context("<mps>"));

  const single = new Map<SingleElement, XmlElement>();
  for (const child of root.children) {
    const name = SINGLE_ELEMENTS.find((known) => known === child.name);
    if (name === undefined) {
      warnings.push(`Config '${file}': line ${child.line}: unknown element <${child.name}> is ignored`);
      continue;
    }
    const first = single.get(name);
    if (first !== undefined) {
      throw new ConfigError(file, `element <${name}> may appear only once (first on line ${first.line})`, {
        line: child.line,
      });
    }
    single.set(name, child);
  }

  const attributesOf = <T extends s.AnyElementSchema>(name: SingleElement, schema: T) =>
    validateElement(single.get(name) ?? emptyElement(name), schema, context(`<${name}>`));

  const providers = readProviders(single.get("oauth"), file, dir, warnings);
  const folderSources = readFolderSources(single.get("folderSources"), file, dir, warnings);
  const emailSources = readEmailSources(single.get("emailSources"), file, dir, warnings, providers);
  uniqueSourceNames([...folderSources, ...emailSources], file);
  const printers = readPrinters(single.get("printers"), file, dir, warnings);
  checkPrinterNames([...folderSources, ...emailSources], printers, file);

  const localization = attributesOf("localization", s.localizationSchema);
  const notifications = readNotifications(single.get("notifications"), file, dir, warnings, providers);
  attributesOf("communicator", s.communicatorSchema);
  const failed = attributesOf("failedFiles", s.failedFilesSchema);
  const spool = attributesOf("spool", s.spoolSchema);
  const http = attributesOf("http", s.httpSchema);
  const log = attributesOf("log", s.logSchema);
  const oauth = attributesOf("oauth", s.oauthSchema);
  const convert = attributesOf("convert", s.convertSchema);
  const proxy = readProxy(single.get("proxy"), file, warnings);

  const token = httpToken(http.token, env);
  if (!isLoopbackHost(http.host) && token === undefined) {
    throw new ConfigError(
      file,
      `<http>: attribute 'host' is '${http.host}', which is reachable from other machines, so a token is required: add token="…" to <http> or set MPS_HTTP_TOKEN`,
      { line: single.get("http")?.line ?? root.line },
    );
  }

  const config: Config = deepFreeze({
    file: path.resolve(file),
    displayPath: file,
    dir,
    version: rootValues.version,
    folderSources,
    emailSources,
    failedFiles: { folder: resolvePath(dir, failed.folder), maxAgeSeconds: failed.maxAge },
    spool: { folder: resolvePath(dir, spool.folder) },
    http: { host: http.host, port: http.port, token },
    log: { file: resolvePath(dir, log.file), level: log.level, maxBytes: log.maxSize, maxFiles: log.maxFiles },
    printers,
    convert: { soffice: sofficePath(dir, convert.soffice) },
    oauth: {
      storageDir: resolvePath(dir, oauth.storage),
      keyFile: resolvePath(dir, oauth.keyFile),
      refreshEveryDays: oauth.refreshEveryDays,
      providers,
    },
    localization: {
      language: (localization.language ?? localization.default ?? "en").trim().toLowerCase() || "en",
      fallback: (localization.default ?? "en").trim().toLowerCase() || "en",
    },
    notifications,
    ...(proxy === undefined ? {} : { proxy }),
    communicatorLine: single.get("communicator")?.line,
    warnings,
  });
  const redactor = options.redactor ?? defaultRedactor;
  // `<http token>` too when MPS_HTTP_TOKEN overrides it: it is still written in the file.
  for (const secret of [...configSecrets(config, env), http.token]) redactor.registerSecret(secret);
  return config;
}

function readProxy(element: XmlElement | undefined, file: string, warnings: string[]): ProxyConfig | undefined {
  if (element === undefined) return undefined;
  const values = validateElement(element, s.proxySchema, { file, label: "<proxy>", warnings });
  try {
    parseProxyUrl(values.url, "url");
  } catch (cause) {
    throw new ConfigError(file, `<proxy>: attribute 'url' ${(cause as Error).message.replace(/^The proxy url /, "")}`, {
      line: element.line,
      cause,
    });
  }
  return { url: values.url, noProxy: values.noProxy, line: element.line };
}

function readProviders(
  oauth: XmlElement | undefined,
  file: string,
  dir: string,
  warnings: string[],
): OAuthProvider[] {
  const providers: OAuthProvider[] = [];
  for (const [index, element] of childrenNamed(oauth, "provider", file, warnings)) {
    const label = describeElement(element, oauth, index);
    const values = validateElement(element, s.providerSchema, { file, label, warnings });
    const id = values.name.toLowerCase();
    const kind: ProviderKind = id === "microsoft" ? "microsoft" : id === "google" ? "google" : "oidc";
    const fail = (detail: string) => new ConfigError(file, `${label}: ${detail}`, { line: element.line });
    if (values.clientId === undefined) throw fail("attribute 'clientId' is required");
    if (kind === "oidc" && values.issuer === undefined) {
      throw fail(
        `attribute 'issuer' is required for provider '${values.name}' (only Microsoft and Google have built-in endpoints)`,
      );
    }
    const twin = providers.find((other) => other.id === id);
    if (twin !== undefined) throw fail(`provider '${values.name}' is already defined on line ${twin.line}`);
    providers.push({
      name: values.name,
      id,
      kind,
      line: element.line,
      clientId: values.clientId,
      clientSecret: values.clientSecret,
      clientSecretExpiresAt: values.clientSecretExpires,
      ...(values.clientCertificate?.trim()
        ? {
          clientCertificate: resolvePath(dir, values.clientCertificate.trim()),
          clientCertificatePassword: values.clientCertificatePassword,
        }
        : {}),
      tenant: values.tenant,
      authority: values.authority,
      issuer: values.issuer,
      scopes: values.scopes?.split(/\s+/).filter((scope: string) => scope !== ""),
    });
  }
  return providers;
}

function readFolderSources(
  parent: XmlElement | undefined,
  file: string,
  dir: string,
  warnings: string[],
): FolderSource[] {
  return childrenNamed(parent, "add", file, warnings).map(([index, element]) => {
    const label = describeElement(element, parent, index);
    const values = validateElement(element, s.folderSourceSchema, { file, label, warnings });
    if (/[\\/\s]/.test(values.host)) {
      throw new ConfigError(file, `${label}: attribute 'host' must be a host name or address: got '${values.host}'`, {
        line: element.line,
      });
    }
    return {
      kind: "folder",
      name: values.name ?? values.path,
      line: element.line,
      host: values.host,
      path: values.path,
      location: folderSourceLocation(values.host, values.path, dir),
      userName: values.userName,
      password: values.password,
      downloadIntervalMs: values.downloadInterval,
      printer: values.printer,
    };
  });
}

function readEmailSources(
  parent: XmlElement | undefined,
  file: string,
  dir: string,
  warnings: string[],
  providers: readonly OAuthProvider[],
): EmailSource[] {
  return childrenNamed(parent, "add", file, warnings).map(([index, element]) => {
    const label = describeElement(element, parent, index);
    const values = validateElement(element, s.emailSourceSchema, { file, label, warnings });
    const provider = providerFor(
      values.type,
      values.provider,
      providers,
      (detail) => new ConfigError(file, `${label}: ${detail}`, { line: element.line }),
    );
    if (provider !== undefined && !providers.some((known) => known.id === provider)) {
      warnings.push(
        `Config '${file}': line ${element.line}: ${label}: type '${values.type}' signs in with provider '${
          displayName(provider)
        }', ` +
          `which is not defined: add <provider name="${
            displayName(provider)
          }" clientId="…"/> to <oauth> before 'mps login' or 'mps run'`,
      );
    }
    const signIn = signInOf(values.type);
    if (signIn === "delegated" && values.userName === "") {
      warnings.push(
        `Config '${file}': line ${element.line}: ${label}: attribute 'userName' is empty: the source cannot sign in`,
      );
    }
    if (values.authservId !== undefined && !values.requireAuthenticated) {
      warnings.push(
        `Config '${file}': line ${element.line}: ${label}: attribute 'authservId' has no effect without requireAuthenticated="true"`,
      );
    }
    const mailbox = values.mailbox?.trim() || undefined;
    if (mailbox !== undefined && values.type === "Imap") {
      warnings.push(
        `Config '${file}': line ${element.line}: ${label}: attribute 'mailbox' is used by OAuth sources only; ` +
          `type 'Imap' opens the mailbox of userName '${values.userName}'`,
      );
    }
    return {
      kind: "email",
      name: values.name ?? (mailbox || values.userName || values.host),
      line: element.line,
      type: values.type,
      host: values.host,
      port: values.port ?? (values.secure ? 993 : 143),
      secure: values.secure,
      userName: values.userName,
      password: values.password,
      mailbox: values.type === "Imap" ? undefined : mailbox,
      folder: values.folder,
      afterDownload: values.afterDownload,
      allowedSenders: values.allowedSenders,
      pollIntervalMs: values.pollInterval,
      idle: values.idle,
      caFile: values.caFile === undefined ? undefined : resolvePath(dir, values.caFile),
      signIn,
      provider,
      providerConfig: providers.find((known) => known.id === provider),
      tokenUser: tokenUserOf(signIn, values.userName),
      printableTypes: values.printableTypes,
      printBody: values.printBody,
      maxMessageSize: values.maxMessageSize,
      maxAttachments: values.maxAttachments,
      printer: values.printer,
      requireAuthenticated: values.requireAuthenticated,
      authservId: values.authservId,
    };
  });
}

function providerFor(
  type: s.EmailSourceTypeName,
  explicit: string | undefined,
  providers: readonly OAuthProvider[],
  fail: (detail: string) => ConfigError,
): string | undefined {
  if (signInOf(type) === "password") return undefined;
  if (explicit !== undefined) {
    const id = explicit.toLowerCase();
    if (!providers.some((provider) => provider.id === id)) {
      const known = providers.map((provider) => `'${provider.name}'`).join(", ") || "none";
      throw fail(`attribute 'provider' names '${explicit}', which is not an <oauth> <provider> (defined: ${known})`);
    }
    return id;
  }
  if (type === "ImapOAuthGoogle") return "google";
  if (type !== "ImapOAuth") return "microsoft";
  const generic = providers.filter((provider) => provider.kind === "oidc");
  if (generic.length === 1 && generic[0] !== undefined) return generic[0].id;
  throw fail("attribute 'provider' is required for type 'ImapOAuth': name the <oauth> <provider> to sign in with");
}

function uniqueSourceNames(sources: readonly (FolderSource | EmailSource)[], file: string): void {
  const seen = new Map<string, FolderSource | EmailSource>();
  for (const source of sources) {
    const key = source.name.toLowerCase();
    const first = seen.get(key);
    if (first !== undefined) {
      throw new ConfigError(
        file,
        `two sources are named '${source.name}' (also on line ${first.line}): give one a distinct name="…"`,
        { line: source.line },
      );
    }
    seen.set(key, source);
  }
  const prefixes = new Map<string, FolderSource | EmailSource>();
  for (const source of sources) {
    const prefix = jobIdPrefix(source.name);
    const first = prefixes.get(prefix.toLowerCase());
    if (first !== undefined) {
      throw new ConfigError(
        file,
        `sources '${first.name}' (line ${first.line}) and '${source.name}' would share the job id prefix '${prefix}', so one could take the other's jobs for its own: give one a distinct name="…"`,
        { line: source.line },
      );
    }
    prefixes.set(prefix.toLowerCase(), source);
  }
}

function childrenNamed(
  parent: XmlElement | undefined,
  name: string,
  file: string,
  warnings: string[],
): Array<[number, XmlElement]> {
  const found: Array<[number, XmlElement]> = [];
  for (const child of parent?.children ?? []) {
    if (child.name === name) found.push([found.length + 1, child]);
    else {warnings.push(
        `Config '${file}': line ${child.line}: unknown element <${parent?.name}>/<${child.name}> is ignored`,
      );}
  }
  return found;
}

function emptyElement(name: string): XmlElement {
  return { name, attributes: {}, line: 0, children: [] };
}

/** `auto` and a bare command name (found on PATH) stay as written; a path resolves. */
function sofficePath(dir: string, value: string): string {
  return value === "auto" || !/[\\/]/.test(value) ? value : resolvePath(dir, value);
}

function deepFreeze<T>(value: T): T {
  if (typeof value === "object" && value !== null && !Object.isFrozen(value)) {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}

function displayName(id: string): string {
  if (id === "microsoft") return "Microsoft";
  if (id === "google") return "Google";
  return id;
}
