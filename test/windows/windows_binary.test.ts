// dist/mps-win-x64.exe, end to end under Wine 10 (scripts/wine-chroot.sh): the commands and
// the failure handling an admin relies on, against the same real servers as the Linux tests
// (Dovecot with XOAUTH2, the local authorization server, Chromium, promtool).
//
// Skipped, with the reason, only where the chroot cannot be built (not root, not Linux x64, no
// route to the Debian mirror). The .exe is rebuilt first when older than its sources.
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { copyFile, mkdir, readdir, readFile, stat, writeFile } from "node:fs/promises";
import * as path from "node:path";
import process from "node:process";
import { Buffer } from "node:buffer";
import { after, before, describe, test } from "node:test";
import { chromium } from "playwright-core";
import type { Browser } from "playwright-core";
import { VERSION } from "../../src/version.ts";
import { messageWithAttachment, setUpMailbox, USER } from "../helpers/mailbox_setup.ts";
import type { MailboxSetup } from "../helpers/mailbox_setup.ts";
import { waitFor } from "../helpers/service.ts";
import { CHROMIUM, CHROMIUM_ARGS } from "../oauth/login_fixture.ts";
import { checkMetrics, freePort } from "../servers/index.ts";
import { prepareWine, wineBox } from "./wine.ts";
import type { WineBox } from "./wine.ts";

const started = Date.now();
const SKIP = prepareWine();
const prepared = Date.now() - started;

/** The command lines mps.exe started, as Wine's process trace records them (`WINEDEBUG=trace+process`). */
function spawnedCommandLines(stderr: string): string[] {
  const lines: string[] = [];
  for (const match of stderr.matchAll(/trace:process:CreateProcessInternalW app \S+ cmdline L"((?:[^"\\]|\\.)*)"/g)) {
    lines.push((match[1] ?? "").replace(/\\(.)/g, "$1"));
  }
  return lines;
}

const TRACE = { WINEDEBUG: "-all,trace+process" };

const HTTP_HANDLER = "HKCR\\http\\shell\\open\\command";
const WINEBROWSER = '"C:\\windows\\system32\\winebrowser.exe" "%1"';

describe("mps-win-x64.exe under Wine", { skip: SKIP }, () => {
  let win: WineBox;
  let box: MailboxSetup;
  let browser: Browser;
  let config = "";

  before(async () => {
    if (prepared > 5_000) process.stderr.write(`# chroot and .exe ready in ${(prepared / 1000).toFixed(1)} s\n`);
    win = await wineBox();
    box = await setUpMailbox();
    win.mount(box.dir);
    // The CA file of the test Dovecot lives outside the mounted folders: copy it in.
    await copyFile(box.dovecot.caFile, path.join(box.dir, "ca.pem"));
    // printBody="never": a message without a printable attachment goes to Failed.
    config = await box.writeConfig(`caFile="${path.join(box.dir, "ca.pem")}" printBody="never"`);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  });

  after(async () => {
    await browser?.close();
    await win?.dispose();
    await box?.dispose();
  });

  test("prints its name and version with --version and exits 0", async (t) => {
    const t0 = Date.now();
    const result = await win.run(["--version"]);
    t.diagnostic(`mps.exe --version under Wine took ${Date.now() - t0} ms`);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, `mps ${VERSION}\n`);
  });

  test("names the config line of a bad attribute, with the Windows path of the file, and exits 2", async () => {
    const dir = path.join(win.dir, "bad");
    await mkdir(path.join(dir, "conf"), { recursive: true });
    await writeFile(
      path.join(dir, "conf", "mps.config"),
      `<mps version="6">\n  <emailSources>\n    <add name="x" type="ImapOAuth" host="h" port="abc" userName="u" />\n  </emailSources>\n</mps>\n`,
    );
    const result = await win.run(["doctor", "--config", "conf\\mps.config"], { cwd: dir });
    assert.equal(result.code, 2, result.stderr);
    assert.match(
      result.stderr,
      /Cannot load config '[^']*conf\\mps\.config': line 3: <emailSources>\/<add> #1: attribute 'port' must be a whole number from 1 to 65535: got 'abc'/,
    );
  });

  test("turns a file dropped in a folder source into a job", async () => {
    const dir = path.join(win.dir, "folder");
    await mkdir(path.join(dir, "in", "bob"), { recursive: true });
    await writeFile(path.join(dir, "in", "bob", "scan.pdf"), "%PDF-1.4 test");
    await writeFile(
      path.join(dir, "mps.config"),
      `<mps>\n  <folderSources>\n    <add name="drop" path="in" downloadInterval="200" />\n  </folderSources>\n` +
        `  <spool folder="Spool" />\n  <http port="0" />\n  <log file="mps.log" />\n</mps>\n`,
    );
    // A file is taken once its size and time are the same in two scans of one running service.
    const service = win.start(["run", "--config", "mps.config"], { cwd: dir });
    try {
      await waitFor("the job, and the file gone", async () => {
        const names = await readdir(path.join(dir, "Spool"));
        const gone = (await readdir(path.join(dir, "in", "bob"))).length === 0;
        return gone && names.some((name) => !name.startsWith(".")) ? true : undefined;
      }, 60_000);
    } finally {
      service.kill("SIGKILL");
      await service.exited;
    }
    const jobs = (await readdir(path.join(dir, "Spool"))).filter((name) => !name.startsWith("."));
    assert.equal(jobs.length, 1, `jobs: ${jobs.join(", ")}`);
    const job = JSON.parse(await readFile(path.join(dir, "Spool", jobs[0] ?? "", "job.json"), "utf8"));
    assert.equal(job.owner, "bob");
    assert.deepEqual(job.documents.map((d: { fileName: string }) => d.fileName), ["scan.pdf"]);
    assert.deepEqual(await readdir(path.join(dir, "in", "bob")), []);
  });

  test("reads folder sources on a drive path and a backslashed relative path, and resolves C$ as the admin share", async () => {
    const dir = path.join(win.dir, "paths");
    await mkdir(path.join(dir, "conf"), { recursive: true });
    const drive = `Z:${path.join(dir, "drive-in").replaceAll("/", "\\")}`;
    await writeFile(
      path.join(dir, "conf", "mps.config"),
      `<mps>\n  <folderSources>\n    <add name="drive" path="${drive}" />\n    <add name="relative" path="..\\rel\\in" />\n` +
        `    <add name="share" host="127.0.0.1" path="C$\\SafeQ6\\mobile" />\n  </folderSources>\n` +
        `  <spool folder="Spool" />\n  <log file="mps.log" />\n</mps>\n`,
    );
    const result = await win.run(["doctor", "--json", "--config", "conf\\mps.config"], { cwd: dir });
    const report = JSON.parse(result.stdout) as {
      checks: Array<{ id: string; source: string | null; status: string; finding: string }>;
    };
    const folder = (name: string) => report.checks.find((check) => check.id === "folder.path" && check.source === name);
    // doctor creates and deletes a probe file in each folder, as the account it runs as.
    assert.equal(folder("drive")?.status, "pass", result.stdout);
    assert.match(folder("drive")?.finding ?? "", new RegExp(drive.replaceAll("\\", "\\\\")));
    assert.equal(folder("relative")?.status, "pass", result.stdout);
    assert.match(folder("relative")?.finding ?? "", /'Z:\\tmp\\[^']*\\paths\\rel\\in'/);
    // Wine has no admin shares: the check fails, naming the share path mps resolved.
    assert.equal(folder("share")?.status, "fail", result.stdout);
    assert.match(
      folder("share")?.finding ?? "",
      /^Cannot read folder source '\\\\127\.0\.0\.1\\C\$\\SafeQ6\\mobile': /,
    );
  });

  test("signs in with login --no-browser through Chromium, creating the key and token files through icacls by absolute path", async (t) => {
    const dir = path.join(win.dir, "login");
    await mkdir(dir, { recursive: true });
    await writeFile(
      path.join(dir, "mps.config"),
      `<mps version="6">\n  <oauth storage="oauth-storage" keyFile="mps.key">\n` +
        `    <provider name="Local" issuer="${box.auth.issuer}" clientId="${box.auth.clientId}" scopes="openid email offline_access"/>\n` +
        `  </oauth>\n</mps>\n`,
    );
    const login = win.start(["login", "local", USER, "--no-browser", "--config", "mps.config"], {
      cwd: dir,
      env: TRACE,
    });
    const match = await login.waitFor("stdout", /^(https?:\/\/\S+)$/m);
    const url = new URL(match[1] ?? "");
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      await page.goto(url.href);
      await page.click("#submit");
      await page.waitForSelector("#outcome");
      assert.equal(await page.textContent("#outcome"), "Signed in");
    } finally {
      await context.close();
    }
    const result = await login.exited;
    assert.equal(result.code, 0, result.stderr.split("\n").filter((l) => !l.includes("trace:")).join("\n"));
    assert.match(result.stdout, new RegExp(`Signed in as ${USER.replace(".", "\\.")} with provider 'Local'\\.`));
    const tokenFiles = await readdir(path.join(dir, "oauth-storage", "local"));
    assert.deepEqual(tokenFiles.filter((name) => name.endsWith(".json")), [`${USER}.json`]);
    assert.match(await readFile(path.join(dir, "mps.key"), "utf8"), /^[A-Za-z0-9+/]{43}=\n$/);
    assert.deepEqual((await readdir(dir)).filter((name) => name.startsWith(".mps.key.")), [], "staging folder left");

    const icacls = spawnedCommandLines(result.stderr).filter((line) => /icacls\.exe/i.test(line));
    t.diagnostic(`icacls runs:\n${icacls.join("\n")}`);
    const winDir = `Z:${dir.replaceAll("/", "\\")}`;
    // Folders pass their ACL on to what is created in them ((OI)(CI)); the key file has none to pass on.
    const folderGrants =
      / \/inheritance:r \/grant:r \*S-1-5-21-[\d-]+:\(OI\)\(CI\)F \*S-1-5-18:\(OI\)\(CI\)F \*S-1-5-32-544:\(OI\)\(CI\)F \/q$/;
    const fileGrants = / \/inheritance:r \/grant:r \*S-1-5-21-[\d-]+:F \*S-1-5-18:F \*S-1-5-32-544:F \/q$/;
    const targets = new Map(icacls.map((line) => {
      assert.match(line, /^"?C:\\windows\\system32\\icacls\.exe"? /i, "icacls is started by its absolute path");
      const kind = folderGrants.test(line) ? "folder" : fileGrants.test(line) ? "file" : assert.fail(line);
      const target = line.replace(/^"?C:\\windows\\system32\\icacls\.exe"? /i, "").replace(/ \/inheritance:r .*$/, "");
      return [target.replace(/^"|"$/g, ""), kind];
    }));
    assert.ok(
      [...targets].some(([target, kind]) => target.startsWith(`${winDir}\\.mps.key.`) && kind === "folder"),
      "the key's staging folder",
    );
    assert.equal(targets.get(`${winDir}\\mps.key`), "file", "the key file");
    assert.equal(targets.get(`${winDir}\\oauth-storage`), "folder", "the OAuth storage folder");
    // Folders inside it inherit, so that a grant added to oauth-storage reaches every token file.
    assert.equal(targets.size, 3, [...targets.keys()].join("\n"));
    assert.ok(
      spawnedCommandLines(result.stderr).every((line) => !/\bcmd(\.exe)?\b/i.test(line)),
      "no command goes through cmd",
    );
  });

  test("opens the browser through rundll32 url.dll by absolute path, without cmd, and without mps's secrets", async () => {
    const dir = path.join(win.dir, "login");
    // A recording "browser" (no real one runs on CI): the prefix's handler of http addresses becomes
    // cmd writing its environment, which it inherits from the process mps started, to a file.
    // (Wine hands Unix programs such as xdg-open the Unix environment of the whole Wine process
    // tree, not the Windows one mps passes, so the check has to be made on the Windows side.)
    const record = path.join(win.dir, "browser-env.txt");
    const handler = await win.runProgram("reg.exe", [
      "add",
      HTTP_HANDLER,
      "/ve",
      "/d",
      "C:\\windows\\system32\\cmd.exe /c set > %BROWSER_RECORD_FILE%",
      "/f",
    ]);
    assert.equal(handler.code, 0, handler.stderr);
    const key = Buffer.alloc(32, 7).toString("base64");
    const login = win.start(["login", "local", USER, "--config", "mps.config"], {
      cwd: dir,
      env: {
        ...TRACE,
        BROWSER_RECORD_FILE: `Z:${record.replaceAll("/", "\\")}`,
        MPS_STORAGE_KEY: key,
        MPS_HTTP_TOKEN: "http-token-value",
        https_proxy: "http://user:proxy-password@proxy.example:3128",
        GITHUB_TOKEN: "ghp_secret_value",
        KEEP_ME: "kept",
      },
    });
    try {
      await login.waitFor("stdout", /^https?:\/\/\S+$/m);
      const url = (login.stdout().match(/^(https?:\/\/\S+)$/m) ?? [])[1] ?? "";
      const spawned = spawnedCommandLines(login.stderr());
      const opener = spawned.filter((line) => /rundll32/i.test(line));
      assert.equal(opener.length, 1, spawned.join("\n"));
      // Wine's trace shortens long strings: the command line must be a prefix of the expected one.
      const expected = `C:\\windows\\System32\\rundll32.exe url.dll,FileProtocolHandler ${url}`;
      assert.ok(opener[0] !== undefined && opener[0].length > 100, opener[0]);
      assert.ok(expected.startsWith(opener[0] ?? "-"), `${opener[0]}\nis not the start of\n${expected}`);
      // Wine's trace of rundll32 itself may show up too: the recording handler below is the test's own cmd.
      const mine = spawned.filter((line) => !line.startsWith("C:\\windows\\system32\\cmd.exe /c set > "));
      assert.ok(mine.every((line) => !/\bcmd(\.exe)?\b/i.test(line)), spawned.join("\n"));

      // rundll32 -> url.dll -> the http handler: it got the environment mps gave rundll32.
      // cmd may still be writing: the record is complete once it stops changing.
      const env = await waitFor("the browser", async () => {
        const text = await readFile(record, "utf8");
        await new Promise((resolve) => setTimeout(resolve, 300));
        return /^BROWSER_RECORD_FILE=/m.test(text) && text === await readFile(record, "utf8") ? text : undefined;
      }, 30_000);
      assert.match(env, /^KEEP_ME=kept$/m);
      for (const name of ["MPS_STORAGE_KEY", "MPS_HTTP_TOKEN", "https_proxy", "GITHUB_TOKEN"]) {
        assert.doesNotMatch(env, new RegExp(`^${name}=`, "im"), name);
      }
      for (const value of [key, "http-token-value", "proxy-password", "ghp_secret_value"]) {
        assert.ok(!env.includes(value), `${value} reached the browser`);
      }
    } finally {
      login.kill("SIGKILL");
      await login.exited;
      await win.runProgram("reg.exe", ["add", HTTP_HANDLER, "/ve", "/d", WINEBROWSER, "/f"]);
    }
  });

  test("downloads a message from Dovecot over XOAUTH2 with run --once, and keeps one it cannot print in Failed", async () => {
    await box.storeLogin();
    await box.dovecot.appendMessage(USER, messageWithAttachment({ subject: "from windows" }));
    await box.dovecot.appendMessage(
      USER,
      messageWithAttachment({ subject: "Zip", fileName: "x.zip", contentType: "application/zip", content: "PK" }),
    );
    const result = await win.run(["run", "--once", "--config", config], { cwd: box.dir, env: TRACE });
    assert.equal(result.code, 0, await box.log());
    const jobs = await box.jobs();
    assert.equal(jobs.length, 1);
    assert.equal((await box.job(jobs[0] ?? "")).subject, "from windows");
    assert.deepEqual(await box.dovecot.listMessages(USER), []);
    assert.match(await box.log(), /AUTHENTICATE XOAUTH2|XOAUTH2/);
    const failed = await box.failed();
    assert.equal(failed.length, 2, failed.join(", "));
    assert.ok(failed.some((name) => name.endsWith(".eml")) && failed.some((name) => name.endsWith(".json")));
    const icacls = spawnedCommandLines(result.stderr).filter((line) => /icacls\.exe/i.test(line));
    // The new Spool and Failed folders get the protected ACL; .tmp and .done inside inherit it.
    const targets = icacls.map((line) => / (Z:\S+) \/inheritance:r /.exec(line)?.[1]).sort();
    assert.deepEqual(
      targets,
      [`Z:${path.join(box.dir, "Failed")}`, `Z:${path.join(box.dir, "Spool")}`].map((p) => p.replaceAll("/", "\\")),
    );
  });

  test("doctor --json reports on the installation as JSON", async () => {
    const result = await win.run(["doctor", "--json", "--config", config], { cwd: box.dir });
    const report = JSON.parse(result.stdout) as { checks: Array<{ id: string; status: string; finding: string }> };
    const byId = new Map(report.checks.map((check) => [check.id, check]));
    assert.equal(byId.get("token.decrypt")?.status, "pass", result.stdout);
    assert.equal(byId.get("imap.login")?.status, "pass", result.stdout);
    // Wine's powershell.exe is a stub that prints nothing: the ACL check says so instead of passing.
    assert.equal(byId.get("secrets.access")?.status, "skip", result.stdout);
    assert.match(
      byId.get("secrets.access")?.finding ?? "",
      /^Not checked: cannot read the permissions through PowerShell/,
    );
    assert.ok([0, 1].includes(result.code ?? -1), `exit code ${result.code}`);
  });

  test("serves /health and /metrics while running as a service, and the metrics pass promtool", async () => {
    const port = await freePort();
    const serviceConfig = path.join(box.dir, "service.config");
    await writeFile(
      serviceConfig,
      (await readFile(config, "utf8")).replace('<http port="0" />', `<http port="${port}" />`),
    );
    const service = win.start(["run", "--config", serviceConfig], { cwd: box.dir });
    try {
      const health = await waitFor("/health", async () => {
        const response = await fetch(`http://127.0.0.1:${port}/health`);
        const body = await response.json() as { status: string; sources: Array<{ lastExitCode: number | null }> };
        return body.sources[0]?.lastExitCode === 0 ? { response, body } : undefined;
      }, 60_000);
      assert.equal(health.response.status, 200);
      assert.equal(health.body.status, "ok");
      const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      assert.match(metrics, /^mps_downloader_last_exit_code\{source="print"\} 0$/m);
      const promtool = await checkMetrics(metrics);
      assert.equal(promtool.exitCode, 0, promtool.output);
    } finally {
      service.kill("SIGKILL");
      await service.exited;
    }
  });

  test("kill -9 in the middle of a 30 MB download, then a restart, leaves exactly one job per message", async () => {
    const before = new Set(await box.jobs());
    const big = Buffer.alloc(30 * 1024 * 1024);
    for (let i = 0; i < big.length; i += 4096) big.writeUInt32LE(i * 2654435761 % 2 ** 32, i);
    await box.dovecot.appendMessage(USER, messageWithAttachment({ subject: "small before" }));
    await box.dovecot.appendMessage(USER, messageWithAttachment({ subject: "big", fileName: "big.pdf", content: big }));
    await box.dovecot.appendMessage(USER, messageWithAttachment({ subject: "small after" }));
    const spool = path.join(box.dir, "Spool");
    const partialBytes = async (): Promise<number> => {
      let total = 0;
      for (const job of await readdir(path.join(spool, ".tmp")).catch(() => [] as string[])) {
        for (const file of await readdir(path.join(spool, ".tmp", job)).catch(() => [] as string[])) {
          total += (await stat(path.join(spool, ".tmp", job, file)).catch(() => ({ size: 0 }))).size;
        }
      }
      return total;
    };
    const first = win.start(["run", "--once", "--config", config], { cwd: box.dir });
    let killedAt = 0;
    const deadline = Date.now() + 120_000;
    while (Date.now() < deadline) {
      const bytes = await partialBytes();
      if (bytes > 2 * 1024 * 1024) {
        first.kill("SIGKILL");
        killedAt = bytes;
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    const killed = await first.exited;
    assert.ok(killedAt > 0, `the download never got going: ${killed.stderr}\n${await box.log()}`);
    assert.equal(killed.signal, "SIGKILL", "mps.exe was killed, not finished");

    const again = await win.run(["run", "--once", "--config", config], { cwd: box.dir, timeoutMs: 240_000 });
    assert.equal(again.code, 0, await box.log());
    const jobs = (await box.jobs()).filter((id) => !before.has(id));
    const all = await Promise.all(jobs.map((id) => box.job(id)));
    assert.deepEqual(all.map((job) => job.subject).sort(), ["big", "small after", "small before"]);
    const bigJob = all.find((job) => job.subject === "big");
    assert.equal(bigJob?.documents[0]?.size, big.length);
    assert.equal(bigJob?.documents[0]?.sha256, createHash("sha256").update(big).digest("hex"));
    assert.deepEqual(await box.dovecot.listMessages(USER), []);
    assert.deepEqual(await readdir(path.join(spool, ".tmp")), []);
  });

  // Wine turns a Unix SIGINT into the console control event CTRL_C_EVENT, which is what NSSM sends
  // first to stop a service (and what Ctrl+C in a console sends); Node reports it as SIGINT.
  test("Ctrl+C while idle as a service: mps logs that it stopped and exits 0", async (t) => {
    const service = win.start(["run", "--config", config], { cwd: box.dir, env: { MPS_LOG_CONSOLE: "1" } });
    try {
      await service.waitFor("stderr", /serving \/health and \/metrics on /, 60_000);
      await service.waitFor("stderr", /finished with exit code 0/, 60_000);
      const t0 = Date.now();
      service.kill("SIGINT");
      const result = await service.exited;
      t.diagnostic(`mps.exe exited ${Date.now() - t0} ms after Ctrl+C`);
      assert.equal(result.signal, null, "mps.exe ended by itself, not by the signal");
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stderr, /\[service\] mps stopped\n/);
    } finally {
      service.kill("SIGKILL");
      await service.exited;
    }
  });

  test("Ctrl+C in the middle of a 30 MB download: the message is finished into one job, then mps exits 0", async (t) => {
    const before = new Set(await box.jobs());
    const big = Buffer.alloc(30 * 1024 * 1024);
    for (let i = 0; i < big.length; i += 4096) big.writeUInt32LE(i * 2246822519 % 2 ** 32, i);
    await box.dovecot.appendMessage(
      USER,
      messageWithAttachment({ subject: "big ctrl-c", fileName: "b.pdf", content: big }),
    );
    // Small messages are fetched in one batch before the large ones: the next message is large too.
    const next = Buffer.alloc(3 * 1024 * 1024, 1);
    await box.dovecot.appendMessage(
      USER,
      messageWithAttachment({ subject: "after ctrl-c", fileName: "n.pdf", content: next }),
    );
    const tmp = path.join(box.dir, "Spool", ".tmp");
    const service = win.start(["run", "--config", config], { cwd: box.dir, timeoutMs: 240_000 });
    let t0 = 0;
    try {
      await waitFor("the download under way", async () => {
        let total = 0;
        for (const job of await readdir(tmp).catch(() => [] as string[])) {
          for (const file of await readdir(path.join(tmp, job)).catch(() => [] as string[])) {
            total += (await stat(path.join(tmp, job, file)).catch(() => ({ size: 0 }))).size;
          }
        }
        return total > 2 * 1024 * 1024 ? true : undefined;
      }, 120_000);
      t0 = Date.now();
      service.kill("SIGINT");
      const result = await service.exited;
      t.diagnostic(`mps.exe finished the message and exited ${Date.now() - t0} ms after Ctrl+C`);
      assert.equal(result.signal, null, "mps.exe ended by itself, not by the signal");
      assert.equal(result.code, 0, await box.log());
    } finally {
      service.kill("SIGKILL");
      await service.exited;
    }
    const jobs = (await box.jobs()).filter((id) => !before.has(id));
    const all = await Promise.all(jobs.map((id) => box.job(id)));
    assert.deepEqual(all.map((job) => job.subject), ["big ctrl-c"], "the current message only");
    assert.equal(all[0]?.documents[0]?.sha256, createHash("sha256").update(big).digest("hex"));
    assert.deepEqual(await readdir(tmp), []);
    assert.match(await box.log(), /mps stopped/);
    // The next message waits in the mailbox for the next start.
    assert.equal((await box.dovecot.listMessages(USER)).length, 1);
    const again = await win.run(["run", "--once", "--config", config], { cwd: box.dir });
    assert.equal(again.code, 0, await box.log());
    assert.deepEqual(await box.dovecot.listMessages(USER), []);
  });

  test("reset-storage --yes deletes the stored sign-in, and the next run says to log in again", async () => {
    const result = await win.run(["reset-storage", "--yes", "--config", config], { cwd: box.dir });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /\nDeleted 1 token file:\n/);
    assert.deepEqual(
      (await readdir(path.join(box.dir, "oauth-storage", "local")).catch(() => [] as string[])).filter((name) =>
        name.endsWith(".json")
      ),
      [],
    );
    const run = await win.run(["run", "--once", "--config", config], { cwd: box.dir });
    assert.notEqual(run.code, 0);
    assert.match(await box.log(), /mps login/);
  });
});
