import assert from "node:assert/strict";
import * as path from "node:path";
import { test } from "node:test";
import { parseConfig } from "../../src/config/index.ts";
import { configSecrets } from "../../src/config/config_secrets.ts";
import { createRedactor } from "../../src/log/index.ts";

const FILE = path.join(path.sep, "etc", "mps", "mps.config");

test("reads printers with their defaults and sends a source's jobs to one", () => {
  const config = parseConfig(
    `<mps version="6">
  <printers>
    <add name="floor2" uri="ipps://print.contoso.test/printers/floor2" caFile="print-ca.pem" owner="localpart" userName="mps" password="secret" keepPrinted="600" />
    <add name="lobby" uri="ipp://lobby.contoso.test/ipp/print" />
  </printers>
  <convert soffice="/opt/libreoffice/program/soffice" />
  <emailSources>
    <add type="Imap" host="imap.contoso.test" userName="print@contoso.test" password="p" printer="Floor2" />
  </emailSources>
  <folderSources><add path="in" printer="lobby" /></folderSources>
</mps>`,
    FILE,
    { env: {} },
  );
  assert.deepEqual(config.printers, [
    {
      name: "floor2",
      line: 3,
      uri: "ipps://print.contoso.test/printers/floor2",
      caFile: path.join(path.sep, "etc", "mps", "print-ca.pem"),
      owner: "localpart",
      userName: "mps",
      password: "secret",
      keepPrintedSeconds: 600,
    },
    {
      name: "lobby",
      line: 4,
      uri: "ipp://lobby.contoso.test/ipp/print",
      caFile: undefined,
      owner: "address",
      userName: "",
      password: "",
      keepPrintedSeconds: 86_400,
    },
  ]);
  assert.equal(config.emailSources[0]?.printer, "Floor2");
  assert.equal(config.folderSources[0]?.printer, "lobby");
  assert.equal(config.convert.soffice, "/opt/libreoffice/program/soffice");
  assert.deepEqual(config.warnings, []);
});

test("without printers the spool is the hand-off and LibreOffice is looked for", () => {
  const config = parseConfig(`<mps><emailSources><add type="Imap" host="h" /></emailSources></mps>`, FILE, { env: {} });
  assert.deepEqual(config.printers, []);
  assert.equal(config.emailSources[0]?.printer, undefined);
  assert.equal(config.convert.soffice, "auto");
});

test("warns about a user name without a password and a CA file on a plain ipp:// printer", () => {
  const config = parseConfig(
    `<mps><printers><add name="p" uri="ipp://p.test/ipp/print" userName="mps" caFile="ca.pem" /></printers></mps>`,
    FILE,
    { env: {} },
  );
  assert.equal(config.warnings.length, 2);
  assert.match(config.warnings[0] ?? "", /'userName' and 'password' go together/);
  assert.match(config.warnings[1] ?? "", /'caFile' is ignored: uri 'ipp:\/\/p.test\/ipp\/print' does not use TLS/);
});

test("printer passwords, also one written into a uri, are secrets the log never shows", () => {
  const config = parseConfig(
    `<mps><printers>
  <add name="a" uri="ipp://print.contoso.test/ipp/print" userName="mps" password="printer-pass-1" />
  <add name="b" uri="ipps://svc:uri-pass-2@print.contoso.test/printers/b" />
</printers></mps>`,
    FILE,
    { env: {} },
  );
  assert.deepEqual(configSecrets(config, {}), ["printer-pass-1", "uri-pass-2"]);
  const redactor = createRedactor();
  for (const secret of configSecrets(config, {})) redactor.registerSecret(secret);
  assert.equal(redactor.redact("sent with printer-pass-1 and uri-pass-2").includes("pass-"), false);
});
