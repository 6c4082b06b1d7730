import assert from "node:assert/strict";
import { copyFile, mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { after, before, describe, test } from "node:test";
import { runCli } from "../../src/cli/index.ts";
import type { CliContext } from "../../src/cli/index.ts";
import { startHttpServer } from "../../src/http/index.ts";
import { ROOT } from "../helpers/run_mps.ts";
import { check, doctor, doctorJson } from "./doctor_helpers.ts";

let dir = "";
before(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "mps-doctor-"));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A config in its own folder, with one app-only source whose secret expires in `days`. */
async function appOnlyConfig(
  name: string,
  extra: { days?: number; spool?: string; http?: string } = {},
): Promise<string> {
  const folder = path.join(dir, name);
  await rm(folder, { recursive: true, force: true });
  const { mkdir } = await import("node:fs/promises");
  await mkdir(folder);
  const expires = new Date(Date.now() + (extra.days ?? 365) * 86_400_000).toISOString().slice(0, 10);
  const file = path.join(folder, "mps.config");
  await writeFile(
    file,
    `<mps version="6">
  <emailSources>
    <add name="app" type="ImapOAuthMicrosoftApp" host="outlook.office365.com" userName="print@contoso.com" port="993" secure="True" />
  </emailSources>
  <spool folder="${extra.spool ?? "Spool"}" />
  <http ${extra.http ?? `port="0"`} />
  <oauth>
    <provider name="Microsoft" clientId="00000000-0000-0000-0000-000000000001" tenant="contoso.onmicrosoft.com" clientSecret="s3cret" clientSecretExpires="${expires}" />
  </oauth>
</mps>
`,
  );
  return file;
}

describe("mps doctor on the installation, without a network", { concurrency: true }, () => {
  test("the legacy config: <communicator> is noted as not used (a pass with a note), and the missing provider fails", async () => {
    const folder = path.join(dir, "legacy");
    const { mkdir } = await import("node:fs/promises");
    await mkdir(folder, { recursive: true });
    const config = path.join(folder, "mps.config");
    await copyFile(path.join(ROOT, "test", "fixtures", "legacy.mps.config"), config);
    const { code, report, stderr } = await doctorJson(config, ["--offline"]);
    assert.equal(code, 2);
    assert.match(stderr, /^mps: warning: .*provider 'Microsoft', which is not defined/);
    const communicator = check(report, "config.communicator");
    assert.equal(communicator.status, "pass");
    assert.equal(
      communicator.finding,
      "Note: <communicator> on line 10 belongs to the old print backend; mps accepts it and does not use it (it may stay or be removed)",
    );
    assert.equal(check(report, "config.load").status, "warn");
    assert.equal(check(report, "token.present", "print@contoso.com").code, "ERR_OAUTH_UNKNOWN_PROVIDER");
    assert.equal(check(report, "folder.path").status, "fail");
    // Doctor leaves nothing behind: no spool, Failed, storage or log created.
    assert.deepEqual(await readdir(folder), ["mps.config"]);
  });

  test("--offline skips every network check and exits 1 for warnings only (a client secret expiring in 10 days)", async () => {
    const config = await appOnlyConfig("expiring", { days: 10 });
    const result = await doctor(config, ["--offline"]);
    assert.equal(result.code, 1, result.stdout);
    assert.match(
      result.stdout,
      /\n  ! secret\.valid +The client secret of provider 'Microsoft' expires on \d{4}-\d\d-\d\d, in 9 days; it was not tried \(--offline\)\n      Fix: Before /,
    );
    const { report } = await doctorJson(config, ["--offline"]);
    assert.equal(report.ok, true);
    assert.equal(report.exitCode, 1);
    assert.equal(check(report, "secret.valid").code, "WARN_CLIENT_SECRET_EXPIRING");
    for (const id of ["token.refresh", "network.connect", "imap.login", "mailbox.rights"]) {
      assert.equal(check(report, id).finding, "Not checked: --offline", id);
    }
    assert.match(check(report, "token.present").finding, /^Not needed: app-only source/);
  });

  test("a client secret far from expiry passes offline: exit 0", async () => {
    const { code, report } = await doctorJson(await appOnlyConfig("fine"), ["--offline"]);
    assert.equal(code, 0, JSON.stringify(report.checks.filter((c) => c.status !== "pass" && c.status !== "skip")));
    assert.match(check(report, "secret.valid").finding, /was not tried \(--offline\); it expires on/);
  });

  test("a spool folder that cannot be created (its parent is a file, which fails even for root)", async () => {
    const config = await appOnlyConfig("spool", { spool: "blocker/Spool" });
    await writeFile(path.join(path.dirname(config), "blocker"), "not a folder");
    const result = await doctor(config, ["--offline"]);
    assert.equal(result.code, 2);
    const spool = path.join(path.dirname(config), "blocker", "Spool");
    assert.ok(
      result.stdout.includes(
        `✗ paths.spool          Cannot write to spool folder '${spool}': a part of the path is a file, not a folder (ENOTDIR)\n` +
          "    Fix: Check that the spool folder exists, is writable by the account mps runs as, and its disk is not full\n",
      ),
      result.stdout,
    );
  });

  test("a config that does not load: the message on stderr as for every command, and with --json the report too, exit 2", async () => {
    const config = path.join(dir, "bad.config");
    await writeFile(
      config,
      `<mps>\n  <emailSources>\n    <add type="Imap" host="h" port="abc" />\n  </emailSources>\n</mps>\n`,
    );
    const { code, report, stderr } = await doctorJson(config);
    assert.equal(code, 2);
    assert.match(stderr, /^mps: Cannot load config '.+bad\.config': line 3: .*\n$/);
    assert.equal(report.config, config);
    const load = check(report, "config.load");
    assert.equal(load.code, "ERR_CONFIG");
    assert.match(
      load.finding,
      /^Cannot load config '.+bad\.config': line 3: <emailSources>\/<add> #1: attribute 'port' must be/,
    );
    assert.deepEqual(report.counts, { pass: 0, warn: 0, fail: 1, skip: 8 });
    const text = await doctor(config);
    assert.equal(text.code, 2);
    assert.equal(text.stdout, "");
    assert.equal(text.stderr, stderr);
  });

  test("the health port in use by a running mps passes; in use by another program fails", async () => {
    const running = await startHttpServer({
      config: { http: { host: "127.0.0.1", port: 0, token: undefined } },
      states: [],
      now: Date.now,
    });
    const other = createServer((_request, response) => response.end("<html>not mps</html>"));
    await new Promise<void>((resolve) => other.listen(0, "127.0.0.1", resolve));
    const otherPort = (other.address() as AddressInfo).port;
    try {
      const mine = await doctorJson(await appOnlyConfig("port-mps", { http: `port="${running.port}"` }), ["--offline"]);
      assert.match(
        check(mine.report, "http.port").finding,
        new RegExp(
          `^Port ${running.port} on 127\\.0\\.0\\.1 is in use by a running mps \\S+ \\(its /health says 'ok'\\)$`,
        ),
      );
      const theirs = await doctorJson(await appOnlyConfig("port-other", { http: `port="${otherPort}"` }), [
        "--offline",
      ]);
      const port = check(theirs.report, "http.port");
      assert.equal(port.code, "ERR_HTTP_LISTEN");
      assert.equal(
        port.finding,
        `Cannot serve /health and /metrics on 127.0.0.1:${otherPort}: the port is already in use, and not by a running mps ` +
          `(GET http://127.0.0.1:${otherPort}/health does not answer as mps does)`,
      );
      assert.match(port.fix ?? "", /choose another port in <http port="…">/);
    } finally {
      await running.close();
      await new Promise((resolve) => other.close(resolve));
    }
  });
});

describe("mps doctor output on a terminal", () => {
  async function run(env: Record<string, string>, interactive: boolean): Promise<{ code: number; out: string }> {
    let out = "";
    const context: CliContext = {
      env,
      cwd: dir,
      executableDir: undefined,
      stdout: (text) => void (out += text),
      stderr: () => {},
      interactive,
      prompt: undefined,
      now: Date.now,
      fetch: globalThis.fetch,
      shutdown: new AbortController().signal,
    };
    const code = await runCli([
      "doctor",
      "--offline",
      "--config",
      await appOnlyConfig(`tty-${Object.keys(env).length}-${interactive}`, { days: 5 }),
    ], context);
    return { code, out };
  }

  test("colours the symbols on a terminal, and not with NO_COLOR or without a terminal", async () => {
    const colored = await run({}, true);
    assert.equal(colored.code, 1);
    assert.match(colored.out, /\u001b\[32m✓\u001b\[0m config\.load/);
    assert.match(colored.out, /\u001b\[33m!\u001b\[0m secret\.valid/);
    assert.match(colored.out, /\u001b\[2m-\u001b\[0m network\.connect/);
    assert.doesNotMatch((await run({ NO_COLOR: "1" }, true)).out, /\u001b\[/);
    assert.doesNotMatch((await run({}, false)).out, /\u001b\[/);
  });
});
