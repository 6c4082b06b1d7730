import * as v from "valibot";
import { LOG_LEVELS } from "../shared/log_levels.ts";
import { DAY_MS } from "../shared/time.ts";
import * as a from "./attributes.ts";

// One valibot object per XML element: its keys are the element's known attributes (anything
// else is warned about and ignored), its output the typed values with their defaults.

const MAX = Number.MAX_SAFE_INTEGER;

export const EMAIL_SOURCE_TYPES = [
  "Imap",
  "ImapOAuthMicrosoft",
  "ImapOAuthMicrosoftApp",
  "ImapOAuthGoogle",
  "ImapOAuth",
] as const;

export const rootSchema = v.object({
  version: a.optionalWholeNumber(1, 999),
});

export const folderSourceSchema = v.object({
  name: a.optionalText(),
  host: a.text(""),
  path: a.requiredText(),
  userName: a.text(""),
  password: a.text(""),
  downloadInterval: a.wholeNumber(100, DAY_MS, 1000),
  printer: a.optionalText(),
});

export const emailSourceSchema = v.object({
  name: a.optionalText(),
  type: v.pipe(
    v.string("is required"),
    v.picklist(EMAIL_SOURCE_TYPES, `must be one of ${EMAIL_SOURCE_TYPES.map((type) => `'${type}'`).join(", ")}`),
  ),
  host: a.requiredText(),
  port: a.optionalWholeNumber(1, 65535),
  secure: a.boolean(true),
  userName: a.text(""),
  password: a.text(""),
  mailbox: a.optionalText(),
  folder: a.text("INBOX"),
  afterDownload: a.afterDownload(),
  allowedSenders: a.list(),
  pollInterval: a.wholeNumber(1000, DAY_MS, 60_000),
  idle: a.boolean(true),
  caFile: a.optionalText(),
  provider: a.optionalText(),
  printableTypes: a.list(),
  printBody: a.oneOf(["auto", "always", "never"], "auto"),
  maxMessageSize: a.wholeNumber(1024, MAX, 100 * 1024 * 1024),
  maxAttachments: a.wholeNumber(1, 10_000, 20),
  printer: a.optionalText(),
  requireAuthenticated: a.boolean(false),
  authservId: a.optionalAuthservId(),
});

export const failedFilesSchema = v.object({
  folder: a.text("Failed"),
  maxAge: a.wholeNumber(0, MAX, 604_800),
});

export const spoolSchema = v.object({
  folder: a.text("Spool"),
});

export const httpSchema = v.object({
  host: a.text("127.0.0.1"),
  port: a.wholeNumber(0, 65535, 5556),
  token: a.optionalText(),
});

export const logSchema = v.object({
  file: a.text("mps.log"),
  level: a.oneOf(LOG_LEVELS, "info"),
  maxSize: a.wholeNumber(65_536, MAX, 10 * 1024 * 1024),
  maxFiles: a.wholeNumber(1, 100, 5),
});

export const oauthSchema = v.object({
  storage: a.text("oauth-storage"),
  keyFile: a.text("mps.key"),
  refreshEveryDays: a.wholeNumber(1, 80, 7),
});

export const providerSchema = v.object({
  name: a.requiredText(),
  clientId: a.optionalText(),
  clientSecret: a.optionalText(),
  clientSecretExpires: a.optionalDate(),
  clientCertificate: a.optionalText(),
  clientCertificatePassword: a.optionalText(),
  tenant: a.optionalText(),
  authority: a.optionalUrl(),
  issuer: a.optionalUrl(),
  scopes: a.optionalText(),
});

export const printerSchema = v.object({
  name: a.requiredText(),
  uri: a.printerUri(),
  caFile: a.optionalText(),
  owner: a.oneOf(["address", "localpart"], "address"),
  userName: a.text(""),
  password: a.text(""),
  keepPrinted: a.wholeNumber(0, MAX, 86_400),
});

export const convertSchema = v.object({
  soffice: a.text("auto"),
});

export const proxySchema = v.object({
  url: a.requiredText(),
  noProxy: a.list(),
});

// The language of replies to senders (`default` when a language has no texts).
export const localizationSchema = v.object({
  language: a.optionalText(),
  default: a.optionalText(),
});

export const communicatorSchema = v.object({
  connectionLostTimeout: a.optionalText(),
  controllerPort: a.optionalText(),
});

export type EmailSourceTypeName = typeof EMAIL_SOURCE_TYPES[number];
export type AnyElementSchema = v.ObjectSchema<v.ObjectEntries, undefined>;

export const notificationsSchema = v.object({
  from: a.requiredText(),
  transport: a.oneOf(["smtp"], "smtp"),
  host: a.requiredText(),
  port: a.optionalWholeNumber(1, 65535),
  secure: a.oneOf(["starttls", "tls", "none"], "starttls"),
  caFile: a.optionalText(),
  auth: a.oneOf(["auto", "oauth", "app", "password"], "auto"),
  provider: a.optionalText(),
  userName: a.text(""),
  password: a.text(""),
  onAccepted: a.boolean(true),
  onRejected: a.oneOf(["all", "allowed", "none"], "allowed"),
  templates: a.optionalText(),
  maxPerHour: a.wholeNumber(0, 100_000, 20),
});
