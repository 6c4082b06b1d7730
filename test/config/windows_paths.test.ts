// How config paths resolve on Windows, checked with Node's Windows path implementation (path.win32)
// on any OS, and off Windows with the POSIX one.
import assert from "node:assert/strict";
import * as path from "node:path";
import { test } from "node:test";
import { folderSourceLocation, parseConfig, resolvePath } from "../../src/config/index.ts";

const CONF = "C:\\mps\\conf";

test("on Windows a legacy C$ path with a host is that host's admin share", () => {
  assert.equal(
    folderSourceLocation("127.0.0.1", "C$\\SafeQ6\\SPOC\\server\\mobile", CONF, path.win32),
    "\\\\127.0.0.1\\C$\\SafeQ6\\SPOC\\server\\mobile",
  );
  assert.equal(folderSourceLocation("fileserver", "d$/Scans//in/", CONF, path.win32), "\\\\fileserver\\d$\\Scans\\in");
  assert.equal(folderSourceLocation("fs.example.org", "E$", CONF, path.win32), "\\\\fs.example.org\\E$");
});

test("on Windows a legacy C$ path without a host is the admin share of this machine", () => {
  assert.equal(folderSourceLocation("", "C$\\SafeQ6\\in", CONF, path.win32), "\\\\127.0.0.1\\C$\\SafeQ6\\in");
});

test("on Windows UNC and drive paths are kept, whatever the host", () => {
  assert.equal(folderSourceLocation("", "\\\\server\\share\\in", CONF, path.win32), "\\\\server\\share\\in");
  assert.equal(folderSourceLocation("127.0.0.1", "\\\\server\\share\\in", CONF, path.win32), "\\\\server\\share\\in");
  assert.equal(folderSourceLocation("127.0.0.1", "D:\\Scans\\in", CONF, path.win32), "D:\\Scans\\in");
  assert.equal(folderSourceLocation("", "D:/Scans/in", CONF, path.win32), "D:\\Scans\\in");
});

test("on Windows a relative path, with either slash, is under the config file's folder", () => {
  assert.equal(folderSourceLocation("", "in\\scans", CONF, path.win32), "C:\\mps\\conf\\in\\scans");
  assert.equal(resolvePath(CONF, "Spool", path.win32), "C:\\mps\\conf\\Spool");
  assert.equal(resolvePath(CONF, "..\\Spool/jobs", path.win32), "C:\\mps\\Spool\\jobs");
  // A folder named C$ would be an admin share; one named C$x is just a name.
  assert.equal(folderSourceLocation("", "C$x\\in", CONF, path.win32), "C:\\mps\\conf\\C$x\\in");
});

test("off Windows a Windows-style path stays as written, so that run and doctor can name it", () => {
  assert.equal(resolvePath("/etc/mps", "D:\\Spool", path.posix), "D:\\Spool");
  assert.equal(resolvePath("/etc/mps", "Spool", path.posix), "/etc/mps/Spool");
  assert.equal(
    folderSourceLocation("127.0.0.1", "C$\\SafeQ6\\in", "/etc/mps", path.posix),
    "\\\\127.0.0.1\\C$\\SafeQ6\\in",
  );
  assert.equal(folderSourceLocation("", "\\\\server\\share", "/etc/mps", path.posix), "\\\\server\\share");
});

test("refuses a folder source host with a slash or space, which would change the share path", () => {
  assert.throws(
    () =>
      parseConfig(
        `<mps>\n<folderSources>\n<add host="a\\b" path="C$\\in" /></folderSources></mps>`,
        "/c/mps.config",
        { env: {} },
      ),
    /Cannot load config '\/c\/mps\.config': line 3: <folderSources>\/<add> #1: attribute 'host' must be a host name or address: got 'a\\b'/,
  );
});
