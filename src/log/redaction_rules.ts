/**
 * The pattern rules of the redactor: secrets recognised by their shape or by
 * the name they are written under. Exact secrets the program knows about are
 * handled by the registry in `redact.ts`; these rules catch the rest.
 *
 * Every rule must leave ordinary log text alone: e-mail addresses, paths,
 * ISO timestamps, AADSTS codes, `code=ERR_...` fields of our own errors and
 * `MpsDownloader finished with exit code 0`.
 */

export const REDACTED = "[redacted]";

/** One rule: rewrites every secret of its kind in a line. */
export type RedactionRule = {
  readonly name: string;
  readonly apply: (text: string) => string;
};

/** An IMAP astring: quoted string (also with escaped quotes, inside JSON), literal announcement or atom. */
const ASTRING = String.raw`\\"(?:(?!\\").)*\\"|"(?:[^"\\]|\\.)*"|\{\d+\+?\}|[^\s"(){\\]+`;

/** Values that carry no secret and are kept when they follow a secret key. */
const HARMLESS_VALUES = new Set(["", REDACTED, "null", "undefined", "true", "false", "(* value hidden *)"]);

/** Replaces an IMAP argument, keeping its quotes so the line stays readable. */
function hideArgument(argument: string): string {
  if (argument.startsWith("{")) return argument; // the literal comes on the next line
  const quote = /^\\?"/.exec(argument)?.[0] ?? "";
  const inner = argument.slice(quote.length, argument.length - quote.length);
  return HARMLESS_VALUES.has(inner) ? argument : `${quote}${REDACTED}${quote}`;
}

/** Server words that may stand before `LOGIN` without it being a command. */
const NOT_A_TAG = new Set(["OK", "NO", "BAD", "BYE", "PREAUTH", "CAPABILITY"]);

/**
 * `LOGIN user password`: the command only, not prose like `mps login microsoft x`
 * or a server's `NO LOGIN failed`. Upper-case LOGIN may stand alone at the start
 * of a line or after a tag; lower-case `login` needs a tag with a digit (`a1`).
 */
function isLoginCommand(before: string, keyword: string): boolean {
  if (keyword === "LOGIN" && /(?:^|[:>])\s*$/.test(before)) return true;
  const tag = /(?:^|[\s:>"'])([A-Za-z0-9.]{1,16})\s+$/.exec(before)?.[1];
  if (tag === undefined || NOT_A_TAG.has(tag.toUpperCase())) return false;
  return keyword === "LOGIN" || /\d/.test(tag);
}

const IMAP_LOGIN = new RegExp(String.raw`\b(login)(\s+)(${ASTRING})(\s+)(${ASTRING})`, "gi");

/** Key names whose values are secrets, in any spelling (`refresh_token`, `refreshToken`, `client-secret`). */
const SECRET_KEYS = [
  String.raw`access[_-]?token`,
  String.raw`refresh[_-]?token`,
  String.raw`id[_-]?token`,
  String.raw`client[_-]?secret`,
  String.raw`assertion`,
  String.raw`passw(?:or)?d`,
  String.raw`pass[_-]?phrase`,
  String.raw`code[_-]?verifier`,
  String.raw`device[_-]?code`,
  String.raw`storage[_ -]?key`,
  String.raw`api[_-]?key`,
  String.raw`private[_-]?key`,
].join("|");

/** Keys that always name a secret, in any spelling; they may end a longer key (`client_assertion`). */
const ALWAYS_SECRET_KEY = new RegExp(String.raw`(?:${SECRET_KEYS})$`, "i");

/** Every secret key holds one of these: a cheap test that turns most keys away at once. */
const MAYBE_SECRET_KEY = /pass|secret|token|pwd|assertion|verifier|code|key/i;

/** Words that make a key secret when the key ends with one (`token`, `access_token`, `clientSecret`, `smtpPass`). */
const SECRET_WORDS = new Set(["pass", "passwd", "password", "passphrase", "pwd", "secret", "token"]);
/** A last word that still names the secret itself after a secret word (`secret_key`, `tokenValue`). */
const VALUE_WORDS = new Set(["value", "key", "string"]);

/** The words of a key: `clientSecret` → client, secret; `access_token` → access, token; `HTTPToken` → http, token. */
function keyWords(key: string): string[] {
  return key
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .replace(/([A-Z])([A-Z][a-z])/g, "$1 $2")
    .toLowerCase()
    .split(/[\s_-]+/)
    .filter((word) => word !== "");
}

/**
 * True for a key whose value is a secret: one of the known names, or a key whose last word is
 * `pass`, `password`, `secret`, `token` (...), possibly followed by `value`/`key`/`string`. A key that
 * goes on past the secret word names something about it, not the secret (`tokenExpiresAt`, `token_type`,
 * `passed`).
 */
export function isSecretKey(key: string): boolean {
  if (!MAYBE_SECRET_KEY.test(key)) return false;
  let known = judgedKeys.get(key);
  if (known === undefined) {
    known = judgeKey(key);
    if (judgedKeys.size >= 1000) judgedKeys.clear();
    judgedKeys.set(key, known);
  }
  return known;
}

/** Log lines repeat the same few keys. */
const judgedKeys = new Map<string, boolean>();

function judgeKey(key: string): boolean {
  if (ALWAYS_SECRET_KEY.test(key)) return true;
  const words = keyWords(key);
  const last = words.at(-1) ?? "";
  if (SECRET_WORDS.has(last)) return true;
  return VALUE_WORDS.has(last) && SECRET_WORDS.has(words.at(-2) ?? "");
}

/** `key` + optional closing quote (also `\"` inside escaped JSON) + `:` or `=`. */
// A key starts where no word character stands before it, so a long word is tried once, not at every letter.
const KEY_SEPARATOR = /(?<![\w-])((?:[Ss]torage )?[A-Za-z_][\w-]*)(\\?["']?)(\s*[:=]\s*)/g;
/** The value after it: `\"...\"`, `"..."`, `'...'` or a bare word. */
const KEY_VALUE = /\\"(.*?)\\"|"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)'|([^\s&"'<>]+)/y;

/**
 * Hides the value of every secret key. Keys of the known names are hidden in any form
 * (`password: hunter22`); a key that is secret only by its last word needs the form of a field
 * (`token=x`, `"token":"x"`, `token: 'x'`), so prose such as `No token: try mps login` stays.
 */
function redactSecretKeys(text: string): string {
  let out = "";
  let copied = 0;
  KEY_SEPARATOR.lastIndex = 0;
  for (let found = KEY_SEPARATOR.exec(text); found !== null; found = KEY_SEPARATOR.exec(text)) {
    const [, key = "", quote = "", separator = ""] = found;
    if (!isSecretKey(key)) continue;
    KEY_VALUE.lastIndex = KEY_SEPARATOR.lastIndex;
    const value = KEY_VALUE.exec(text);
    if (value === null) continue;
    const [, escaped, double, single, bare] = value;
    const asField = quote !== "" || separator.includes("=") || bare === undefined;
    if (!asField && !ALWAYS_SECRET_KEY.test(key)) continue;
    const inner = escaped ?? double ?? single ?? bare ?? "";
    if (HARMLESS_VALUES.has(inner)) continue;
    const hidden = escaped !== undefined
      ? `\\"${REDACTED}\\"`
      : double !== undefined
      ? `"${REDACTED}"`
      : single !== undefined
      ? `'${REDACTED}'`
      : REDACTED;
    out += text.slice(copied, KEY_SEPARATOR.lastIndex) + hidden;
    copied = KEY_VALUE.lastIndex;
    KEY_SEPARATOR.lastIndex = KEY_VALUE.lastIndex;
  }
  return out + text.slice(copied);
}

/** Characters of a Microsoft opaque token (base64url plus `.*!$~`; no `/`, so paths stay). */
const TOKEN_CHARS = String.raw`[A-Za-z0-9._~*!$-]`;

/** A word after `Bearer` that is prose ("Bearer token"), not a token. */
function looksLikeToken(word: string): boolean {
  return word.length >= 20 || /[0-9._~+/=-]/.test(word);
}

function regexRule(name: string, pattern: RegExp, replacement: string): RedactionRule {
  return { name, apply: (text) => text.replace(pattern, replacement) };
}

export const REDACTION_RULES: readonly RedactionRule[] = [
  {
    // `A1 AUTHENTICATE XOAUTH2 <b64>` (and OAUTHBEARER, PLAIN, ... with an initial response)
    name: "imap-authenticate",
    apply: (text) =>
      text
        .replace(/\b(AUTHENTICATE\s+[A-Z][A-Z0-9_-]*\s+)(?!\(\* value hidden)(\S+)/g, (_m, head: string, arg: string) =>
          head + hideArgument(arg))
        .replace(
          /\b(authenticate\s+(?:xoauth2|oauthbearer|plain|login|cram-md5|scram-sha-\d+)\s+)(?!\(\* value hidden)(\S+)/gi,
          (_m, head: string, arg: string) =>
            head + hideArgument(arg),
        ),
  },
  {
    name: "imap-login",
    apply: (text) =>
      text.replace(
        IMAP_LOGIN,
        (match: string, keyword: string, gap1: string, user: string, gap2: string, password: string, offset: number) =>
          isLoginCommand(text.slice(0, offset), keyword)
            ? `${keyword}${gap1}${user}${gap2}${hideArgument(password)}`
            : match,
      ),
  },
  {
    // `Authorization: Bearer x`, `"authorization":"Basic x"`, `Proxy-Authorization: x`
    name: "authorization-header",
    apply: (text) =>
      text.replace(
        /(authorization\\?["']?\s*[:=]\s*\\?["']?)(?:(Bearer|Basic|Digest|Negotiate|NTLM|DPoP|PoP|MAC)\s+)?([^\s"',;\\]+)/gi,
        (_m, head: string, scheme: string | undefined, value: string) =>
          `${head}${scheme === undefined ? "" : `${scheme} `}${HARMLESS_VALUES.has(value) ? value : REDACTED}`,
      ),
  },
  {
    // `Bearer eyJ...`, also inside a decoded XOAUTH2 string (`auth=Bearer ...`)
    name: "bearer",
    apply: (text) =>
      text.replace(
        /\b(Bearer\s+)(?![A-Za-z][\w-]*\s*=\s*["\w])([A-Za-z0-9._~+/-]+=*)/gi,
        (match: string, head: string, token: string) => (looksLikeToken(token) ? head + REDACTED : match),
      ),
  },
  { name: "secret-key-value", apply: redactSecretKeys },
  // OAuth authorization code in a redirect URL (`?code=...`) or a form body
  // (`code=...&redirect_uri=...`); a bare `code=ERR_X` log field stays.
  regexRule("oauth-code-query", /([?&#;]code=)(?!\[redacted\])[^&\s"'#<>]+/g, `$1${REDACTED}`),
  regexRule("oauth-code-form", /(\bcode=)(?!\[redacted\])[^&\s"'#<>]+(?=&)/g, `$1${REDACTED}`),
  // JWT (JWS with 3 parts, JWE with 5): header and payload are base64url JSON.
  regexRule("jwt", /\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{2,}\.[A-Za-z0-9_-]*(?:\.[A-Za-z0-9_-]+){0,2}/g, REDACTED),
  // SASL XOAUTH2 (`user=...\x01auth=Bearer ...`) and OAUTHBEARER (`n,a=...`, `n,,`)
  // initial responses, wherever they stand (also the continuation line alone).
  regexRule("sasl-oauth", /(?<![A-Za-z0-9+/])(?:dXNlcj[0-3]|bi[wx][A-Za-z0-9+/])[A-Za-z0-9+/]{28,}={0,2}/g, REDACTED),
  // Entra refresh tokens and codes `0.AXkA...`/`1.AXkA...`, Microsoft account
  // tokens `M.C5..._BAY...` (with `!*$`), long enough to never be a file name.
  regexRule(
    "microsoft-refresh-token",
    new RegExp(String.raw`(?<![\w.])(?:[0-9]\.A|M\.[A-Z])${TOKEN_CHARS}{78,}`, "g"),
    REDACTED,
  ),
  // Microsoft account (outlook.com) opaque access tokens `EwA...`/`EwB...`.
  regexRule("microsoft-account-token", /(?<![A-Za-z0-9+/])Ew[A-Za-z0-9+/]{100,}={0,2}/g, REDACTED),
  // Entra client secret values (`Abc8Q~...`, 40 characters).
  regexRule("entra-client-secret", /(?<![\w.~-])[A-Za-z0-9_.-]{3}\dQ~[A-Za-z0-9_.~-]{31,37}(?![\w.~-])/g, REDACTED),
  // Google: access tokens `ya29.`, refresh tokens `1//0`, client secrets `GOCSPX-`.
  regexRule("google-token", /\b(?:ya29\.[\w-]{20,}|1\/\/0[\w-]{20,}|GOCSPX-[\w-]{20,})/g, REDACTED),
  // `scheme://user:password@host`
  regexRule("url-password", /(\b[a-z][a-z0-9+.-]*:\/\/[^\s/:@?#]+:)(?!\[redacted\])[^\s/@?#]+(@)/gi, `$1${REDACTED}$2`),
  // PEM private keys (certificate credentials), whole or with escaped newlines.
  regexRule(
    "pem-private-key",
    /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z ]*PRIVATE KEY-----|$)/g,
    REDACTED,
  ),
];
