import assert from "node:assert/strict";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { test } from "node:test";
import { findConfig, loadConfig, parseConfig } from "../../src/config/index.ts";

const FIXTURE = path.join(import.meta.dirname ?? "test/config", "..", "fixtures", "legacy.mps.config");

test("loads the legacy config unchanged", async () => {
  const config = await loadConfig(FIXTURE, { env: {} });
  assert.equal(config.version, 6);
  const [folder] = config.folderSources;
  assert.equal(folder?.path, "C$\\SafeQ6\\SPOC\\server\\mobile");
  assert.equal(folder?.location, "\\\\127.0.0.1\\C$\\SafeQ6\\SPOC\\server\\mobile");
  assert.equal(folder?.downloadIntervalMs, 1000);
  const [mail] = config.emailSources;
  assert.equal(mail?.type, "ImapOAuthMicrosoft");
  assert.equal(mail?.host, "outlook.office365.com");
  assert.equal(mail?.userName, "print@contoso.com");
  assert.equal(mail?.port, 993);
  assert.equal(mail?.secure, true);
  assert.equal(mail?.provider, "microsoft");
  assert.equal(mail?.folder, "INBOX");
  assert.deepEqual(mail?.afterDownload, { action: "delete" });
  assert.equal(config.failedFiles.folder, path.join(path.dirname(FIXTURE), "Failed"));
  assert.equal(config.failedFiles.maxAgeSeconds, 604800);
  assert.equal(config.communicatorLine, 10);
});

test("warns that a legacy Microsoft source has no provider block yet", async () => {
  const config = await loadConfig(FIXTURE, { env: {} });
  assert.deepEqual(config.warnings, [
    `Config '${FIXTURE}': line 6: <emailSources>/<add> #1: type 'ImapOAuthMicrosoft' signs in with provider 'Microsoft', which is not defined: add <provider name="Microsoft" clientId="…"/> to <oauth> before 'mps login' or 'mps run'`,
  ]);
});

test("fills in defaults that work out of the box", () => {
  const config = parseConfig("<mps/>", "/etc/mps/mps.config", { env: {} });
  assert.equal(config.spool.folder, "/etc/mps/Spool");
  assert.equal(config.failedFiles.folder, "/etc/mps/Failed");
  assert.deepEqual(config.http, { host: "127.0.0.1", port: 5556, token: undefined });
  assert.deepEqual(config.log, { file: "/etc/mps/mps.log", level: "info", maxBytes: 10485760, maxFiles: 5 });
  assert.equal(config.oauth.storageDir, "/etc/mps/oauth-storage");
  assert.equal(config.oauth.keyFile, "/etc/mps/mps.key");
  assert.equal(config.oauth.refreshEveryDays, 7);
  assert.deepEqual(config.warnings, []);
});

test("accepts every spelling of the legacy booleans", () => {
  for (const [written, expected] of [["True", true], ["true", true], ["False", false], ["false", false]] as const) {
    const config = parseConfig(
      `<mps><emailSources><add type="Imap" host="h" secure="${written}" idle="${written}" /></emailSources></mps>`,
      "/c/mps.config",
      { env: {} },
    );
    assert.equal(config.emailSources[0]?.secure, expected);
    assert.equal(config.emailSources[0]?.idle, expected);
    assert.equal(config.emailSources[0]?.port, expected ? 993 : 143);
  }
});

test("warns about unknown elements and attributes instead of failing", () => {
  const config = parseConfig(
    `<mps>\n<printers count="2" />\n<spool folder="S" color="blue" />\n<emailSources>\n<remove name="x" />\n</emailSources>\n</mps>`,
    "conf/mps.config",
    { env: {} },
  );
  assert.deepEqual(config.warnings, [
    "Config 'conf/mps.config': line 2: unknown element <printers> is ignored",
    "Config 'conf/mps.config': line 5: unknown element <emailSources>/<remove> is ignored",
    "Config 'conf/mps.config': line 3: <spool>: unknown attribute 'color' is ignored",
  ]);
});

test("resolves relative paths against the config folder and keeps Windows paths as written", () => {
  const config = parseConfig(
    `<mps><spool folder="D:\\spool" /><failedFiles folder="../Failed" /><log file="/var/log/mps.log" />` +
      `<emailSources><add type="Imap" host="h" caFile="certs/ca.pem" /></emailSources></mps>`,
    "/opt/mps/conf/mps.config",
    { env: {} },
  );
  assert.equal(config.spool.folder, "D:\\spool");
  assert.equal(config.failedFiles.folder, "/opt/mps/Failed");
  assert.equal(config.log.file, "/var/log/mps.log");
  assert.equal(config.emailSources[0]?.caFile, "/opt/mps/conf/certs/ca.pem");
});

test("reads every additional source attribute", () => {
  const config = parseConfig(
    `<mps><oauth><provider name="Local" issuer="http://127.0.0.1:18080/" clientId="mps" scopes="openid email offline_access" clientSecretExpires="2027-03-31" /></oauth>` +
      `<emailSources><add name="print" type="ImapOAuth" host="localhost" port="14993" userName="Print@Example.test" folder="Jobs" ` +
      `afterDownload="move:Printed" allowedSenders="*@contoso.com; boss@example.test," pollInterval="5000" idle="false" ` +
      `printableTypes="application/pdf,.docx" printBody="never" maxMessageSize="2048" maxAttachments="3" /></emailSources></mps>`,
    "/c/mps.config",
    { env: {} },
  );
  const [source] = config.emailSources;
  assert.equal(source?.name, "print");
  assert.equal(source?.provider, "local");
  assert.deepEqual(source?.afterDownload, { action: "move", folder: "Printed" });
  assert.deepEqual(source?.allowedSenders, ["*@contoso.com", "boss@example.test"]);
  assert.deepEqual(source?.printableTypes, ["application/pdf", ".docx"]);
  assert.equal(source?.pollIntervalMs, 5000);
  assert.equal(source?.idle, false);
  assert.equal(source?.printBody, "never");
  assert.equal(source?.maxMessageSize, 2048);
  assert.equal(source?.maxAttachments, 3);
  const [provider] = config.oauth.providers;
  assert.equal(provider?.kind, "oidc");
  assert.deepEqual(provider?.scopes, ["openid", "email", "offline_access"]);
  assert.equal(provider?.clientSecretExpiresAt, Date.parse("2027-03-31T00:00:00Z"));
});

test("reads requireAuthenticated and authservId, off by default, and warns about an authservId alone", () => {
  const source = (attributes: string) =>
    parseConfig(
      `<mps><emailSources><add type="Imap" host="h" userName="u" ${attributes} /></emailSources></mps>`,
      "/c/mps.config",
      {
        env: {},
      },
    );
  const plain = source("");
  assert.equal(plain.emailSources[0]?.requireAuthenticated, false);
  assert.equal(plain.emailSources[0]?.authservId, undefined);
  const strict = source(`requireAuthenticated="True" authservId=" mx.contoso.com "`);
  assert.equal(strict.emailSources[0]?.requireAuthenticated, true);
  assert.equal(strict.emailSources[0]?.authservId, "mx.contoso.com");
  assert.deepEqual(strict.warnings, []);
  assert.deepEqual(source(`authservId="mx.contoso.com"`).warnings, [
    `Config '/c/mps.config': line 1: <emailSources>/<add> #1: attribute 'authservId' has no effect without requireAuthenticated="true"`,
  ]);
});

test("loads sources whose names differ only in punctuation, as their job ids differ", () => {
  const config = parseConfig(
    `<mps><emailSources><add type="Imap" host="h" name="print a@x" /><add type="Imap" host="h" name="print_a@x" />` +
      `<add type="Imap" host="h" name="print/a@x" /></emailSources></mps>`,
    "/c/mps.config",
    { env: {} },
  );
  assert.deepEqual(config.emailSources.map((source) => source.name), ["print a@x", "print_a@x", "print/a@x"]);
});

test("takes the health token from MPS_HTTP_TOKEN", () => {
  const config = parseConfig(`<mps><http host="0.0.0.0" /></mps>`, "/c/mps.config", {
    env: { MPS_HTTP_TOKEN: "s3cret-token" },
  });
  assert.equal(config.http.token, "s3cret-token");
});

test("returns a config that cannot be changed", () => {
  const config = parseConfig(`<mps><emailSources><add type="Imap" host="h" /></emailSources></mps>`, "/c/mps.config", {
    env: {},
  });
  assert.ok(Object.isFrozen(config));
  assert.ok(Object.isFrozen(config.emailSources[0]));
  assert.throws(() => Object.assign(config.http, { port: 1 }), TypeError);
});

test("looks for the config in the flag, MPS_CONFIG, the working folder and beside the binary, in that order", async () => {
  const root = await mkdtemp(path.join(tmpdir(), "mps-find-"));
  try {
    const cwd = path.join(root, "work");
    const exe = path.join(root, "bin");
    await mkdir(path.join(exe, "conf"), { recursive: true });
    await mkdir(path.join(cwd, "conf"), { recursive: true });
    await writeFile(path.join(exe, "conf", "mps.config"), "<mps/>");
    const base = { env: {}, cwd, executableDir: exe };
    assert.equal(findConfig({ ...base, flag: "x.config", env: { MPS_CONFIG: "y.config" } }), "x.config");
    assert.equal(findConfig({ ...base, flag: undefined, env: { MPS_CONFIG: "y.config" } }), "y.config");
    assert.equal(findConfig({ ...base, flag: undefined }), path.join(exe, "conf", "mps.config"));
    await writeFile(path.join(cwd, "conf", "mps.config"), "<mps/>");
    assert.equal(findConfig({ ...base, flag: undefined }), path.join("conf", "mps.config"));
    await rm(path.join(cwd, "conf"), { recursive: true });
    await rm(path.join(exe, "conf"), { recursive: true });
    assert.throws(
      () => findConfig({ ...base, flag: undefined }),
      /Cannot load config '.*conf\/mps\.config': the file does not exist \(no --config was given/,
    );
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});

test("the shipped default config loads without warnings", async () => {
  const shipped = path.join(import.meta.dirname ?? "test/config", "..", "..", "conf", "mps.config");
  const config = await loadConfig(shipped, { env: {} });
  assert.deepEqual(config.warnings, []);
  assert.equal(config.folderSources[0]?.name, "incoming");
  assert.equal(config.http.port, 5556);
});
