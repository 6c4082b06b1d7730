import assert from "node:assert/strict";
import * as path from "node:path";
import { test } from "node:test";
import { ConfigError, parseConfig } from "../../src/config/index.ts";
import { MICROSOFT_SMTP_SEND_SCOPE, sendScopes } from "../../src/notify/index.ts";

const FILE = "conf/mps.config";
const PROVIDERS = `<oauth>
<provider name="Microsoft" clientId="GUID" tenant="contoso.onmicrosoft.com" clientSecret="s3cret" />
<provider name="Local" issuer="http://127.0.0.1:18080/" clientId="mps" />
</oauth>`;

/** Line 1 `<mps>`, line 2-5 `<oauth>`, line 6 `<notifications>`. */
function withNotifications(attributes: string, extra = ""): string {
  return `<mps version="6">\n${PROVIDERS}\n<notifications ${attributes} />\n${extra}</mps>\n`;
}

test("without <notifications> nothing is replied and English is the language", () => {
  const config = parseConfig(`<mps version="6"></mps>`, FILE);
  assert.equal(config.notifications, undefined);
  assert.deepEqual(config.localization, { language: "en", fallback: "en" });
});

test("reads <notifications> with defaults: STARTTLS on 587, the from address signs in, replies on jobs and to allowed senders, 20 an hour", () => {
  const config = parseConfig(
    withNotifications(`from="Print@Contoso.com" host="smtp.office365.com" provider="Microsoft" templates="tpl"`),
    FILE,
  );
  assert.deepEqual(config.notifications, {
    line: 6,
    from: "print@contoso.com",
    host: "smtp.office365.com",
    port: 587,
    secure: "starttls",
    caFile: undefined,
    auth: "oauth",
    provider: "microsoft",
    userName: "print@contoso.com",
    password: "",
    onAccepted: true,
    onRejected: "allowed",
    templates: path.resolve("conf", "tpl"),
    maxPerHour: 20,
  });
});

test("the documented example loads as written, an empty caFile counting as not set", () => {
  const config = parseConfig(
    withNotifications(
      `from="print@contoso.com" transport="smtp" host="smtp.office365.com" port="587" secure="starttls" caFile="" provider="Microsoft" userName="print@contoso.com" onAccepted="true" onRejected="allowed" templates="templates"`,
    ),
    FILE,
  );
  assert.equal(config.notifications?.caFile, undefined);
  assert.equal(config.notifications?.auth, "oauth");
  assert.deepEqual(config.warnings, []);
});

test("a password means SMTP AUTH with it, TLS means port 465, and the language comes from <localization>", () => {
  const config = parseConfig(
    withNotifications(
      `from="print@contoso.com" host="mail.contoso.com" secure="tls" userName="relay" password="pw" onAccepted="False" onRejected="all" maxPerHour="5"`,
      `<localization language="DE" default="cs" />\n`,
    ),
    FILE,
  );
  assert.equal(config.notifications?.auth, "password");
  assert.equal(config.notifications?.port, 465);
  assert.equal(config.notifications?.userName, "relay");
  assert.equal(config.notifications?.onAccepted, false);
  assert.equal(config.notifications?.onRejected, "all");
  assert.equal(config.notifications?.maxPerHour, 5);
  assert.deepEqual(config.localization, { language: "de", fallback: "cs" });
});

test("the Microsoft login asks for SMTP.Send when delegated replies sign in with that provider, and only then", () => {
  const delegated = parseConfig(withNotifications(`from="p@contoso.com" host="h" provider="microsoft"`), FILE);
  assert.deepEqual(sendScopes(delegated, "microsoft"), [MICROSOFT_SMTP_SEND_SCOPE]);
  assert.deepEqual(sendScopes(delegated, "local"), []);
  const app = parseConfig(withNotifications(`from="p@contoso.com" host="h" provider="Microsoft" auth="app"`), FILE);
  assert.deepEqual(sendScopes(app, "microsoft"), []);
  const password = parseConfig(withNotifications(`from="p@contoso.com" host="h" password="x"`), FILE);
  assert.deepEqual(sendScopes(password, "microsoft"), []);
});

const bad: Array<[string, string, string]> = [
  [
    "rejects <notifications> without from",
    `host="h" password="x"`,
    "line 6: <notifications>: attribute 'from' is required",
  ],
  [
    "rejects a from that is not an address",
    `from="print desk" host="h" password="x"`,
    "line 6: <notifications>: attribute 'from' must be an email address: got 'print desk'",
  ],
  [
    "rejects <notifications> without host",
    `from="p@contoso.com" password="x"`,
    "line 6: <notifications>: attribute 'host' is required",
  ],
  [
    "rejects a port that is not a number",
    `from="p@contoso.com" host="h" port="smtp" password="x"`,
    "line 6: <notifications>: attribute 'port' must be a whole number from 1 to 65535: got 'smtp'",
  ],
  [
    "rejects an unknown secure mode",
    `from="p@contoso.com" host="h" secure="True" password="x"`,
    "line 6: <notifications>: attribute 'secure' must be one of 'starttls', 'tls', 'none': got 'True'",
  ],
  [
    "rejects an unknown onRejected",
    `from="p@contoso.com" host="h" onRejected="some" password="x"`,
    "line 6: <notifications>: attribute 'onRejected' must be one of 'all', 'allowed', 'none': got 'some'",
  ],
  [
    "rejects a maxPerHour that is not a whole number",
    `from="p@contoso.com" host="h" maxPerHour="-1" password="x"`,
    "line 6: <notifications>: attribute 'maxPerHour' must be a whole number from 0 to 100000: got '-1'",
  ],
  [
    "rejects a token sign-in without a provider",
    `from="p@contoso.com" host="h"`,
    "line 6: <notifications>: attribute 'provider' is required to sign in with a token (auth=\"oauth\"): name an <oauth> <provider> (defined: 'Microsoft', 'Local'), or give a password",
  ],
  [
    "rejects a provider that is not defined",
    `from="p@contoso.com" host="h" provider="Google"`,
    "line 6: <notifications>: attribute 'provider' names 'Google', which is not an <oauth> <provider> (defined: 'Microsoft', 'Local')",
  ],
  [
    "rejects auth=password without a password",
    `from="p@contoso.com" host="h" auth="password"`,
    `line 6: <notifications>: attribute 'password' is required with auth="password"`,
  ],
  [
    "rejects app-only sign-in with a provider other than Microsoft",
    `from="p@contoso.com" host="h" auth="app" provider="Local"`,
    `line 6: <notifications>: auth="app" (client credentials) works with provider 'Microsoft' only: got 'Local'`,
  ],
];

for (const [name, attributes, expected] of bad) {
  test(name, () => {
    assert.throws(() => parseConfig(withNotifications(attributes), FILE), (error: unknown) => {
      assert.ok(error instanceof ConfigError, String(error));
      assert.equal(error.message, `Cannot load config '${FILE}': ${expected}`);
      return true;
    });
  });
}

test('warns that secure="none" sends a token in the clear to a remote host', () => {
  const config = parseConfig(
    withNotifications(`from="p@contoso.com" host="smtp.contoso.com" secure="none" provider="Microsoft"`),
    FILE,
  );
  assert.equal(config.notifications?.port, 25);
  assert.ok(config.warnings.some((warning) => warning.includes(`secure="none" sends the access token unencrypted`)));
});
