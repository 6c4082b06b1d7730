import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { chmod, mkdir, mkdtemp, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import * as path from "node:path";
import process from "node:process";
import { after, before, describe, test } from "node:test";
import { broadAccess, checkAcls } from "../../src/doctor/secret_access_checks.ts";
import type { SecretPath } from "../../src/doctor/secret_access_checks.ts";
import { openTokenStore } from "../../src/storage/index.ts";
import { check, doctorJson } from "./doctor_helpers.ts";

const LINUX = process.platform === "linux";

describe("secrets.access on Linux: file modes", { skip: LINUX ? false : "file modes are checked on Linux" }, () => {
  let dir = "";
  let config = "";
  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "mps-secrets-"));
    config = path.join(dir, "mps.config");
    await writeFile(
      config,
      `<mps version="6">\n  <spool folder="Spool" />\n  <http port="0" />\n` +
        `  <oauth storage="oauth-storage" keyFile="mps.key">\n` +
        `    <provider name="Local" issuer="http://127.0.0.1:1/" clientId="mps" />\n  </oauth>\n</mps>\n`,
    );
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  test("is not needed before anything is stored", async () => {
    const { report } = await doctorJson(config, ["--offline"]);
    const secrets = check(report, "secrets.access");
    assert.equal(secrets.status, "skip");
    assert.match(secrets.finding, /^Not needed: no storage key or stored sign-in yet$/);
  });

  test("passes for what mps stores itself: key 0600, folders 0700, token files 0600", async () => {
    const store = openTokenStore({
      storageDir: path.join(dir, "oauth-storage"),
      keyFile: path.join(dir, "mps.key"),
      env: {},
      now: Date.now,
    });
    await store.write("local", "print@example.test", { accessToken: "a", scopes: [], tokenType: "Bearer" });
    assert.equal((await stat(path.join(dir, "mps.key"))).mode & 0o777, 0o600);
    assert.equal((await stat(path.join(dir, "oauth-storage", "local"))).mode & 0o777, 0o700);
    const { report } = await doctorJson(config, ["--offline"]);
    const secrets = check(report, "secrets.access");
    assert.equal(secrets.status, "pass", secrets.finding);
    assert.match(secrets.finding, /private to this account \(4 checked\)/);
  });

  test("warns about a key file, a folder and a token file others may read, and its chmod command fixes them", async () => {
    const key = path.join(dir, "mps.key");
    const folder = path.join(dir, "oauth-storage", "local");
    const token = path.join(folder, "print@example.test.json");
    await chmod(key, 0o644);
    await chmod(folder, 0o750);
    await chmod(token, 0o640);
    const { code, report } = await doctorJson(config, ["--offline"]);
    const secrets = check(report, "secrets.access");
    assert.equal(secrets.status, "warn");
    assert.equal(secrets.code, "WARN_SECRETS_ACCESS");
    assert.equal(code, 1, "a warning makes the exit code 1");
    assert.match(secrets.finding, new RegExp(`'${key}' \\(0644\\)`));
    assert.match(secrets.finding, new RegExp(`'${folder}' \\(0750\\)`));
    assert.match(secrets.finding, /key and token files must be 0600, folders 0700/);
    assert.equal(
      secrets.fix,
      `Run as the account mps runs as: chmod 600 '${key}' '${token}' && chmod 700 '${folder}'`,
    );
    execFileSync("sh", ["-c", (secrets.fix ?? "").replace(/^Run as the account mps runs as: /, "")]);
    const again = check((await doctorJson(config, ["--offline"])).report, "secrets.access");
    assert.equal(again.status, "pass", again.finding);
  });

  test("quotes a path with a quote in it so the command stays exact", async () => {
    const odd = path.join(dir, "it's here");
    await mkdir(odd);
    await writeFile(path.join(odd, "mps.config"), `<mps version="6"><oauth keyFile="mps.key" /></mps>\n`);
    await writeFile(path.join(odd, "mps.key"), "x\n", { mode: 0o604 });
    const secrets = check((await doctorJson(path.join(odd, "mps.config"), ["--offline"])).report, "secrets.access");
    assert.equal(secrets.status, "warn");
    execFileSync("sh", ["-c", (secrets.fix ?? "").replace(/^Run as the account mps runs as: /, "")]);
    assert.equal((await stat(path.join(odd, "mps.key"))).mode & 0o777, 0o600);
  });
});

describe("secrets.access on Windows: reading an ACL as SDDL", () => {
  test("finds no broad group in the protected ACL mps sets", () => {
    assert.deepEqual(
      broadAccess(
        "O:S-1-5-21-1-2-3-1001G:S-1-5-21-1-2-3-513D:PAI(A;OICI;FA;;;S-1-5-21-1-2-3-1001)(A;OICI;FA;;;SY)(A;OICI;FA;;;BA)",
      ),
      [],
    );
  });

  test("finds Users and Authenticated Users inherited from C:\\", () => {
    assert.deepEqual(
      broadAccess("O:BAG:SYD:AI(A;ID;FA;;;BA)(A;ID;FA;;;SY)(A;ID;0x1200a9;;;BU)(A;ID;0x1301bf;;;AU)"),
      ["Users", "Authenticated Users"],
    );
  });

  test("counts a null DACL as Everyone, a domain's Domain Users by its RID, and ignores deny entries", () => {
    assert.deepEqual(broadAccess("O:BAG:SYD:NO_ACCESS_CONTROL"), ["Everyone"]);
    assert.deepEqual(broadAccess("D:P(A;;FA;;;SY)(A;;FR;;;S-1-5-21-11-22-33-513)"), ["Domain Users"]);
    assert.deepEqual(broadAccess("D:P(D;;FA;;;WD)(A;;FA;;;SY)(A;;FR;;;S-1-1-0)"), ["Everyone"]);
    assert.deepEqual(broadAccess("D:P(D;;FA;;;WD)(A;;FA;;;SY)"), []);
  });

  const paths: SecretPath[] = [
    { path: "C:\\mps\\conf\\mps.key", folder: false, mode: 0o666 },
    { path: "C:\\mps\\conf\\oauth-storage", folder: true, mode: 0o777 },
  ];

  test("warns with the icacls command for each loose path (SDDL from a fake reader: PowerShell's Get-Acl is not here)", async () => {
    const result = await checkAcls(paths, {
      account: () => Promise.resolve("*S-1-5-21-1-2-3-1001"),
      readSddl: () =>
        Promise.resolve([
          "O:BAD:AI(A;ID;FA;;;SY)(A;ID;0x1200a9;;;BU)",
          "O:BAD:PAI(A;OICI;FA;;;SY)(A;OICI;FA;;;BA)",
        ]),
    });
    assert.equal(result.status, "warn");
    assert.equal(result.code, "WARN_SECRETS_ACCESS");
    assert.equal(
      result.finding,
      "Other accounts may read the storage key or stored sign-ins: 'C:\\mps\\conf\\mps.key' (Users)",
    );
    assert.equal(
      result.fix,
      "Run as the account mps runs as (or put that account in place of *S-1-5-21-1-2-3-1001): " +
        'icacls "C:\\mps\\conf\\mps.key" "/inheritance:r" "/grant:r" "*S-1-5-21-1-2-3-1001:F" "*S-1-5-18:F" "*S-1-5-32-544:F"',
    );
  });

  test("is skipped with the reason and an icacls command to look, when PowerShell cannot read the ACLs", async () => {
    const result = await checkAcls(paths, {
      account: () => Promise.resolve("*S-1-5-18"),
      readSddl: () => Promise.reject(new Error("PowerShell printed no ACL for each path: ")),
    });
    assert.equal(result.status, "skip");
    assert.equal(
      result.finding,
      'Not checked: cannot read the permissions through PowerShell (PowerShell printed no ACL for each path: ); check them with: icacls "C:\\mps\\conf\\mps.key"',
    );
  });
});
