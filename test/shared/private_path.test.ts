import assert from "node:assert/strict";
import { mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import * as path from "node:path";
import process from "node:process";
import { after, before, test } from "node:test";
import {
  ADMINISTRATORS_SID,
  DEFAULT_MODE,
  mkdirPrivate,
  plainWindowsPath,
  protectArgs,
  protectCommandLine,
  system32,
  SYSTEM_SID,
} from "../../src/shared/private_path.ts";
import { createPrivateFile } from "../../src/storage/private_file.ts";

let dir = "";
before(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "mps-private-"));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

test("gives a folder a protected ACL for the account, SYSTEM and Administrators by SID, passed on to what it holds", () => {
  assert.equal(SYSTEM_SID, "S-1-5-18");
  assert.equal(ADMINISTRATORS_SID, "S-1-5-32-544");
  assert.deepEqual(protectArgs("C:\\mps\\oauth-storage", "*S-1-5-21-1-2-3-1001"), [
    "C:\\mps\\oauth-storage",
    "/inheritance:r",
    "/grant:r",
    "*S-1-5-21-1-2-3-1001:(OI)(CI)F",
    "*S-1-5-18:(OI)(CI)F",
    "*S-1-5-32-544:(OI)(CI)F",
    "/q",
  ]);
});

test("gives a file the same grants without inheritance flags", () => {
  assert.deepEqual(protectArgs("C:\\mps\\conf\\mps.key", "*S-1-5-18", false).slice(3, 6), [
    "*S-1-5-18:F",
    "*S-1-5-18:F",
    "*S-1-5-32-544:F",
  ]);
});

test("writes the icacls command an admin can paste, every argument quoted", () => {
  assert.equal(
    protectCommandLine("C:\\Program Files\\mps\\Spool", "CONTOSO\\svc-mps"),
    'icacls "C:\\Program Files\\mps\\Spool" "/inheritance:r" "/grant:r" "CONTOSO\\svc-mps:(OI)(CI)F" ' +
      '"*S-1-5-18:(OI)(CI)F" "*S-1-5-32-544:(OI)(CI)F"',
  );
});

test("finds System32 from %SystemRoot%, else C:\\Windows", () => {
  assert.equal(system32({ SystemRoot: "D:\\WINNT" }), "D:\\WINNT\\System32");
  assert.equal(system32({}), "C:\\Windows\\System32");
});

test("drops the long-path prefix mkdir answers on Windows", () => {
  assert.equal(plainWindowsPath("\\\\?\\C:\\mps\\Spool"), "C:\\mps\\Spool");
  assert.equal(plainWindowsPath("\\\\?\\UNC\\server\\share\\Spool"), "\\\\server\\share\\Spool");
  assert.equal(plainWindowsPath("C:\\mps"), "C:\\mps");
});

const LINUX = process.platform === "linux" ? false : "file modes are checked on Linux";

test("creates a private file 0600 in a new folder made 0700, once", { skip: LINUX }, async () => {
  const file = path.join(dir, "conf", "mps.key");
  await createPrivateFile(file, "secret\n");
  assert.equal((await stat(file)).mode & 0o777, 0o600);
  assert.equal((await stat(path.dirname(file))).mode & 0o777, 0o700);
  await assert.rejects(createPrivateFile(file, "other\n"), { code: "EEXIST" });
  assert.equal(await readFile(file, "utf8"), "secret\n");
});

test("makes spool folders with the usual mode less the umask, and storage folders 0700", { skip: LINUX }, async () => {
  const umask = process.umask();
  await mkdirPrivate(path.join(dir, "Spool", ".tmp"), { root: path.join(dir, "Spool"), mode: DEFAULT_MODE });
  assert.equal((await stat(path.join(dir, "Spool"))).mode & 0o777, 0o777 & ~umask);
  await mkdirPrivate(path.join(dir, "oauth-storage", "local"));
  assert.equal((await stat(path.join(dir, "oauth-storage"))).mode & 0o777, 0o700);
  assert.equal((await stat(path.join(dir, "oauth-storage", "local"))).mode & 0o777, 0o700);
});
