import assert from "node:assert/strict";
import { test } from "node:test";
import { ConfigError, parseConfig } from "../../src/config/index.ts";

const FILE = "conf/mps.config";

/** Wraps source elements in a minimal config; line 1 is `<mps>`, so `body` starts on line 2. */
function config(body: string): string {
  return `<mps version="6">\n${body}\n</mps>\n`;
}

function email(attributes: string): string {
  return `<emailSources>\n<add ${attributes} />\n</emailSources>`;
}

const OK_EMAIL = `type="Imap" host="imap.example.test" userName="u@example.test" password="p"`;
const PROVIDER_LOCAL = `<provider name="Local" issuer="http://127.0.0.1:18080/" clientId="mps" />`;
const TYPES = "'Imap', 'ImapOAuthMicrosoft', 'ImapOAuthMicrosoftApp', 'ImapOAuthGoogle', 'ImapOAuth'";

const cases: Array<[string, string, string]> = [
  [
    "rejects a port that is not a number",
    config(email(`type="Imap" host="h" port="abc"`)),
    "line 3: <emailSources>/<add> #1: attribute 'port' must be a whole number from 1 to 65535: got 'abc'",
  ],
  [
    "rejects a port above 65535",
    config(email(`type="Imap" host="h" port="70000"`)),
    "line 3: <emailSources>/<add> #1: attribute 'port' must be a whole number from 1 to 65535: got '70000'",
  ],
  [
    "rejects a port of zero",
    config(email(`type="Imap" host="h" port="0"`)),
    "line 3: <emailSources>/<add> #1: attribute 'port' must be a whole number from 1 to 65535: got '0'",
  ],
  [
    "rejects a port with a fraction",
    config(email(`type="Imap" host="h" port="993.5"`)),
    "line 3: <emailSources>/<add> #1: attribute 'port' must be a whole number from 1 to 65535: got '993.5'",
  ],
  [
    "rejects a boolean that is not True or False",
    config(email(`type="Imap" host="h" secure="yes"`)),
    "line 3: <emailSources>/<add> #1: attribute 'secure' must be True or False: got 'yes'",
  ],
  [
    "rejects idle written as a number",
    config(email(`type="Imap" host="h" idle="1"`)),
    "line 3: <emailSources>/<add> #1: attribute 'idle' must be True or False: got '1'",
  ],
  [
    "rejects an unknown source type",
    config(email(`type="Pop3" host="h"`)),
    `line 3: <emailSources>/<add> #1: attribute 'type' must be one of ${TYPES}: got 'Pop3'`,
  ],
  [
    "rejects a source without a type",
    config(email(`host="h"`)),
    "line 3: <emailSources>/<add> #1: attribute 'type' is required",
  ],
  [
    "rejects an email source without a host",
    config(email(`type="Imap" host=""`)),
    "line 3: <emailSources>/<add> #1: attribute 'host' is required",
  ],
  [
    "names the second source when only it is wrong",
    config(`<emailSources>\n<add ${OK_EMAIL} />\n<add type="Imap" host="h2" pollInterval="often" />\n</emailSources>`),
    "line 4: <emailSources>/<add> #2: attribute 'pollInterval' must be a whole number from 1000 to 86400000: got 'often'",
  ],
  [
    "rejects a poll interval below one second",
    config(email(`type="Imap" host="h" pollInterval="10"`)),
    "line 3: <emailSources>/<add> #1: attribute 'pollInterval' must be a whole number from 1000 to 86400000: got '10'",
  ],
  [
    "rejects a max message size written with a unit",
    config(email(`type="Imap" host="h" maxMessageSize="100MB"`)),
    "line 3: <emailSources>/<add> #1: attribute 'maxMessageSize' must be a whole number of at least 1024: got '100MB'",
  ],
  [
    "rejects zero attachments",
    config(email(`type="Imap" host="h" maxAttachments="0"`)),
    "line 3: <emailSources>/<add> #1: attribute 'maxAttachments' must be a whole number from 1 to 10000: got '0'",
  ],
  [
    "rejects an unknown afterDownload action",
    config(email(`type="Imap" host="h" afterDownload="archive"`)),
    "line 3: <emailSources>/<add> #1: attribute 'afterDownload' must be 'delete', 'seen' or 'move:FOLDER': got 'archive'",
  ],
  [
    "rejects an unknown printBody mode",
    config(email(`type="Imap" host="h" printBody="sometimes"`)),
    "line 3: <emailSources>/<add> #1: attribute 'printBody' must be one of 'auto', 'always', 'never': got 'sometimes'",
  ],
  [
    "rejects a folder source download interval that is not a number",
    config(`<folderSources>\n<add path="in" downloadInterval="fast" />\n</folderSources>`),
    "line 3: <folderSources>/<add> #1: attribute 'downloadInterval' must be a whole number from 100 to 86400000: got 'fast'",
  ],
  [
    "rejects a folder source without a path",
    config(`<folderSources>\n<add host="127.0.0.1" path="" />\n</folderSources>`),
    "line 3: <folderSources>/<add> #1: attribute 'path' is required",
  ],
  [
    "rejects a negative maxAge for failed files",
    config(`<failedFiles folder="Failed" maxAge="-1" />`),
    "line 2: <failedFiles>: attribute 'maxAge' must be a whole number of at least 0: got '-1'",
  ],
  [
    "rejects an http port that is not a number",
    config(`<http port="x" />`),
    "line 2: <http>: attribute 'port' must be a whole number from 0 to 65535: got 'x'",
  ],
  [
    "rejects an unknown log level",
    config(`<log level="verbose" />`),
    "line 2: <log>: attribute 'level' must be one of 'error', 'warn', 'info', 'debug': got 'verbose'",
  ],
  [
    "rejects a provider without a client id",
    config(`<oauth>\n<provider name="Microsoft" tenant="contoso.onmicrosoft.com" />\n</oauth>`),
    "line 3: <oauth>/<provider> #1: attribute 'clientId' is required",
  ],
  [
    "rejects an OIDC provider without an issuer",
    config(`<oauth>\n<provider name="Keycloak" clientId="mps" />\n</oauth>`),
    "line 3: <oauth>/<provider> #1: attribute 'issuer' is required for provider 'Keycloak' (only Microsoft and Google have built-in endpoints)",
  ],
  [
    "rejects an issuer that is not an http URL",
    config(`<oauth>\n<provider name="Local" issuer="ftp://127.0.0.1/" clientId="mps" />\n</oauth>`),
    "line 3: <oauth>/<provider> #1: attribute 'issuer' must be an http:// or https:// URL: got 'ftp://127.0.0.1/'",
  ],
  [
    "rejects two providers of the same name in other case",
    config(`<oauth>\n<provider name="Microsoft" clientId="a" />\n<provider name="microsoft" clientId="b" />\n</oauth>`),
    "line 4: <oauth>/<provider> #2: provider 'microsoft' is already defined on line 3",
  ],
  [
    "rejects a client secret expiry that is not a date",
    config(`<oauth>\n<provider name="Microsoft" clientId="a" clientSecretExpires="next year" />\n</oauth>`),
    "line 3: <oauth>/<provider> #1: attribute 'clientSecretExpires' must be a date such as 2027-03-31: got 'next year'",
  ],
  [
    "rejects a source naming a provider that is not defined",
    config(`<oauth>\n${PROVIDER_LOCAL}\n</oauth>\n${email(`type="ImapOAuth" host="h" userName="u" provider="Nope"`)}`),
    "line 6: <emailSources>/<add> #1: attribute 'provider' names 'Nope', which is not an <oauth> <provider> (defined: 'Local')",
  ],
  [
    "rejects an ImapOAuth source that does not say which of two providers",
    config(
      `<oauth>\n${PROVIDER_LOCAL}\n<provider name="Other" issuer="http://127.0.0.1:1/" clientId="x" />\n</oauth>\n${
        email(`type="ImapOAuth" host="h" userName="u"`)
      }`,
    ),
    "line 7: <emailSources>/<add> #1: attribute 'provider' is required for type 'ImapOAuth': name the <oauth> <provider> to sign in with",
  ],
  [
    "rejects two sources with the same name",
    config(`<emailSources>\n<add ${OK_EMAIL} />\n<add ${OK_EMAIL} folder="Other" />\n</emailSources>`),
    "line 4: two sources are named 'u@example.test' (also on line 3): give one a distinct name=\"…\"",
  ],
  [
    "rejects requireAuthenticated that is not True or False",
    config(email(`${OK_EMAIL} requireAuthenticated="yes"`)),
    "line 3: <emailSources>/<add> #1: attribute 'requireAuthenticated' must be True or False: got 'yes'",
  ],
  [
    "rejects an authservId with a space or a semicolon",
    config(email(`${OK_EMAIL} requireAuthenticated="true" authservId="mx.contoso.com; dmarc=pass"`)),
    "line 3: <emailSources>/<add> #1: attribute 'authservId' must be the authserv-id the receiving server writes, such as mx.contoso.com (no spaces, ';', '(', '\"' or '\\'): got 'mx.contoso.com; dmarc=pass'",
  ],
  [
    "rejects two sources whose job ids would share a prefix, naming both lines",
    config(
      `<folderSources>\n<add path="in" name="print a@x" />\n</folderSources>\n` +
        `<emailSources>\n<add ${OK_EMAIL} name="print_a@x_ef99c796" />\n</emailSources>`,
    ),
    "line 6: sources 'print a@x' (line 3) and 'print_a@x_ef99c796' would share the job id prefix 'print_a@x_ef99c796', so one could take the other's jobs for its own: give one a distinct name=\"…\"",
  ],
  [
    "rejects an element that may appear only once",
    config(`<spool folder="A" />\n<spool folder="B" />`),
    "line 3: element <spool> may appear only once (first on line 2)",
  ],
  [
    "rejects a root element other than mps",
    `<configuration>\n</configuration>\n`,
    "line 1: the root element must be <mps>: got <configuration>",
  ],
  [
    "names line and column of malformed XML",
    `<mps>\n  <spool folder="A">\n  </log>\n</mps>\n`,
    "line 3: column 8: the XML is malformed: unexpected close tag",
  ],
  [
    "names line and column of an unquoted attribute",
    `<mps>\n<http port=5556 />\n</mps>\n`,
    "line 2: column 12: the XML is malformed: unquoted attribute value",
  ],
  [
    "rejects an empty file",
    "  \n",
    "the file is empty: it must hold an <mps> element",
  ],
  [
    "requires a token when health is served beyond loopback",
    config(`<http host="0.0.0.0" />`),
    "line 2: <http>: attribute 'host' is '0.0.0.0', which is reachable from other machines, so a token is required: add token=\"…\" to <http> or set MPS_HTTP_TOKEN",
  ],
];

for (const [name, text, detail] of cases) {
  test(name, () => {
    assert.throws(() => parseConfig(text, FILE, { env: {} }), (error: unknown) => {
      assert.ok(error instanceof ConfigError, `expected ConfigError, got ${String(error)}`);
      assert.equal(error.message, `Cannot load config '${FILE}': ${detail}`);
      assert.equal(error.code, "ERR_CONFIG");
      return true;
    });
  });
}

test("there are at least twenty bad-config cases", () => {
  assert.ok(cases.length >= 20, `only ${cases.length} cases`);
});
