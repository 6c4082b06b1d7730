import type { AfterDownload } from "./attributes.ts";
import type { ProxyConfig } from "../shared/proxy.ts";
import type { LogLevel } from "../shared/log_levels.ts";
import type { EMAIL_SOURCE_TYPES } from "./schema.ts";

export type { AfterDownload, ProxyConfig };
export type EmailSourceType = typeof EMAIL_SOURCE_TYPES[number];
export type { LogLevel };
export type ProviderKind = "microsoft" | "google" | "oidc";
/** Who signs in to the mailbox: a password (`Imap`), a user token from `mps login`, or the app itself. */
export type SignInKind = "password" | "delegated" | "app";

/** The validated `mps.config`: read-only, every default filled in, every path resolved. */
export interface Config {
  /** Absolute path of the file. */
  readonly file: string;
  /** The path as the admin gave it, used in messages. */
  readonly displayPath: string;
  /** Folder that relative paths resolve against. */
  readonly dir: string;
  readonly version: number | undefined;
  readonly folderSources: readonly FolderSource[];
  readonly emailSources: readonly EmailSource[];
  readonly failedFiles: { readonly folder: string; readonly maxAgeSeconds: number };
  readonly spool: { readonly folder: string };
  /** `token`: `MPS_HTTP_TOKEN` when set, else `<http token>` (see `httpToken`). */
  readonly http: { readonly host: string; readonly port: number; readonly token: string | undefined };
  readonly log: {
    readonly file: string;
    readonly level: LogLevel;
    readonly maxBytes: number;
    readonly maxFiles: number;
  };
  /** IPP printers jobs are delivered to; empty: the spool is the hand-off. */
  readonly printers: readonly Printer[];
  /** `auto` (look for LibreOffice) or the path of `soffice`. */
  readonly convert: { readonly soffice: string };
  readonly oauth: {
    readonly storageDir: string;
    readonly keyFile: string;
    readonly refreshEveryDays: number;
    readonly providers: readonly OAuthProvider[];
  };
  /** `<localization language default>`: the language replies to senders are written in. */
  readonly localization: { readonly language: string; readonly fallback: string };
  /** `<notifications>`: replies to senders; undefined when the element is absent. */
  readonly notifications: Notifications | undefined;
  /** `<proxy url noProxy/>`; undefined when absent (the environment may still name one). */
  readonly proxy?: ProxyConfig | undefined;
  /** Line of the legacy `<communicator>` element, which mps accepts and does not use. */
  readonly communicatorLine: number | undefined;
  /** Unknown elements and attributes, and settings that will not work as written. */
  readonly warnings: readonly string[];
}

export interface FolderSource {
  readonly kind: "folder";
  readonly name: string;
  readonly line: number;
  readonly host: string;
  /** `path` exactly as written. */
  readonly path: string;
  /** Where the files are read from: resolved, or `\\host\C$\...` for an admin share. */
  readonly location: string;
  readonly userName: string;
  readonly password: string;
  readonly downloadIntervalMs: number;
  /** Name of the `<printers>` entry its jobs go to. */
  readonly printer: string | undefined;
}

export interface EmailSource {
  readonly kind: "email";
  readonly name: string;
  readonly line: number;
  readonly type: EmailSourceType;
  readonly host: string;
  readonly port: number;
  readonly secure: boolean;
  readonly userName: string;
  readonly password: string;
  /**
   * A shared mailbox opened with `userName`'s sign-in (a delegate with Full Access): XOAUTH2
   * `user=` names it. Undefined: the source opens `userName`'s own mailbox.
   */
  readonly mailbox?: string | undefined;
  readonly folder: string;
  readonly afterDownload: AfterDownload;
  readonly allowedSenders: readonly string[];
  readonly pollIntervalMs: number;
  readonly idle: boolean;
  readonly caFile: string | undefined;
  /** How the source signs in, derived from `type`. */
  readonly signIn: SignInKind;
  /** Lower-cased name of the `<oauth>` provider the source signs in with; undefined for `Imap`. */
  readonly provider: string | undefined;
  /** That `<oauth>` provider itself; undefined for `Imap`, or when no such provider is defined (a load warning). */
  readonly providerConfig: OAuthProvider | undefined;
  /**
   * The name its token is stored under (not yet normalised): the trimmed userName, or `app` for an app-only
   * source without one; undefined when it signs in with a password.
   */
  readonly tokenUser: string | undefined;
  readonly printableTypes: readonly string[];
  readonly printBody: "auto" | "always" | "never";
  readonly maxMessageSize: number;
  readonly maxAttachments: number;
  /** Name of the `<printers>` entry its jobs go to. */
  readonly printer: string | undefined;
  /** Only mail that the receiving server's topmost `Authentication-Results` vouches for (dmarc or compauth pass). */
  readonly requireAuthenticated: boolean;
  /** The authserv-id that topmost field must carry; undefined accepts any, and none. */
  readonly authservId: string | undefined;
}

export type Source = FolderSource | EmailSource;

export interface OAuthProvider {
  /** As written in the config (`Microsoft`). */
  readonly name: string;
  /** Lower-cased name: what `mps login` matches and the storage folder is called. */
  readonly id: string;
  readonly kind: ProviderKind;
  readonly line: number;
  readonly clientId: string;
  readonly clientSecret: string | undefined;
  readonly clientSecretExpiresAt: number | undefined;
  /** PEM (certificate and key) or PFX file for certificate credentials (app-only); resolved path. */
  readonly clientCertificate?: string | undefined;
  /** Password of the PFX file or of an encrypted PEM key (a secret). */
  readonly clientCertificatePassword?: string | undefined;
  readonly tenant: string | undefined;
  readonly authority: string | undefined;
  readonly issuer: string | undefined;
  readonly scopes: readonly string[] | undefined;
}

/** How replies to senders are sent: SMTP, signed in with a token (delegated or app-only) or a password. */
export interface Notifications {
  readonly line: number;
  /** The address replies come from (bare address, lower-cased). */
  readonly from: string;
  readonly host: string;
  readonly port: number;
  /** `starttls` upgrades a plain connection (587), `tls` is TLS from the start (465), `none` never encrypts. */
  readonly secure: "starttls" | "tls" | "none";
  readonly caFile: string | undefined;
  /** `oauth`: the stored delegated token of `userName`; `app`: client credentials; `password`: SMTP AUTH PLAIN/LOGIN. */
  readonly auth: "oauth" | "app" | "password";
  /** Lower-cased `<oauth>` provider id; undefined for `password`. */
  readonly provider: string | undefined;
  /** Who signs in (and, for tokens, the XOAUTH2 user). */
  readonly userName: string;
  readonly password: string;
  readonly onAccepted: boolean;
  readonly onRejected: "all" | "allowed" | "none";
  /** Folder of `<language>.json` files that override or add languages. */
  readonly templates: string | undefined;
  readonly maxPerHour: number;
}

export interface Printer {
  readonly name: string;
  readonly line: number;
  /** As written: `ipp://`, `ipps://`, `http://` or `https://`. */
  readonly uri: string;
  /** PEM of a private CA that signed the printer's certificate, resolved. */
  readonly caFile: string | undefined;
  /** `requesting-user-name`: the owner's whole address, or the part before `@`. */
  readonly owner: "address" | "localpart";
  readonly userName: string;
  readonly password: string;
  /** Seconds a delivered job stays in the spool. */
  readonly keepPrintedSeconds: number;
}
