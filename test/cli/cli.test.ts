import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { after, before, test } from "node:test";
import { COMMANDS, GLOBAL_OPTIONS } from "../../src/cli/commands.ts";
import { VERSION } from "../../src/version.ts";
import { ROOT, runMps } from "../helpers/run_mps.ts";

let dir = "";
before(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "mps-cli-"));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

test("prints the version and exits 0", async () => {
  const result = await runMps(["--version"]);
  assert.equal(result.code, 0);
  assert.equal(result.stdout, `mps ${VERSION}\n`);
  assert.equal(result.stderr, "");
});

test("keeps the version in step with package.json", async () => {
  const { readFile } = await import("node:fs/promises");
  const pkg: unknown = JSON.parse(await readFile(path.join(ROOT, "package.json"), "utf8"));
  assert.ok(typeof pkg === "object" && pkg !== null && "version" in pkg);
  assert.equal(pkg.version, VERSION);
});

test("global help lists every command and global option", async () => {
  const result = await runMps(["--help"]);
  assert.equal(result.code, 0);
  for (const command of COMMANDS) assert.match(result.stdout, new RegExp(`\\n  ${command.name} +${command.summary}`));
  for (const option of GLOBAL_OPTIONS) assert.ok(result.stdout.includes(`--${option.name}`), option.name);
  assert.equal(result.stderr, "");
});

for (const command of COMMANDS) {
  test(`help for ${command.name} lists every one of its flags`, async () => {
    const result = await runMps([command.name, "--help"]);
    assert.equal(result.code, 0);
    assert.ok(result.stdout.startsWith(`mps ${command.name}: ${command.summary}\n`));
    for (const option of [...command.options, ...GLOBAL_OPTIONS]) {
      assert.ok(result.stdout.includes(`--${option.name}`), `--${option.name} missing`);
    }
  });
}

test("an unknown command prints one reason line and the usage on stderr and exits 2", async () => {
  const result = await runMps(["print"]);
  assert.equal(result.code, 2);
  assert.equal(result.stdout, "");
  assert.equal(
    result.stderr,
    "mps: unknown command 'print'\nUsage: mps [--config PATH] <command> [options]\nRun 'mps --help' for the list of commands and options.\n",
  );
});

test("an unknown flag prints the command's usage and exits 2", async () => {
  const result = await runMps(["run", "--fast"]);
  assert.equal(result.code, 2);
  assert.equal(
    result.stderr,
    "mps: unknown option '--fast' for 'run'\nUsage: mps run [--once] [--config PATH]\nRun 'mps --help' for the list of commands and options.\n",
  );
});

test("no command is a usage error", async () => {
  const result = await runMps([]);
  assert.equal(result.code, 2);
  assert.match(result.stderr, /^mps: no command given\nUsage: mps /);
});

for (const command of COMMANDS) {
  test(`${command.name} exits 2 with the exact message on a bad config`, async () => {
    const file = path.join(dir, `bad-${command.name}.config`);
    await writeFile(
      file,
      `<mps>\n  <emailSources>\n    <add type="Imap" host="h" port="abc" />\n  </emailSources>\n</mps>\n`,
    );
    const args = [command.name, ...command.positionals.map((name) => `x-${name}`), "--config", file];
    const result = await runMps(args);
    assert.equal(result.code, 2);
    assert.equal(result.stdout, "");
    assert.equal(
      result.stderr,
      `mps: Cannot load config '${file}': line 3: <emailSources>/<add> #1: attribute 'port' must be a whole number from 1 to 65535: got 'abc'\n`,
    );
  });
}

test("a missing config named by MPS_CONFIG exits 2 naming the file", async () => {
  const result = await runMps(["doctor"], { env: { MPS_CONFIG: path.join(dir, "none.config") } });
  assert.equal(result.code, 2);
  assert.equal(result.stderr, `mps: Cannot load config '${path.join(dir, "none.config")}': the file does not exist\n`);
});

test("config warnings go to stderr without stopping the command", async () => {
  const file = path.join(dir, "warn.config");
  await writeFile(file, `<mps>\n<faxes />\n</mps>\n`);
  const result = await runMps(["reset-storage", "--yes", "--config", file]);
  assert.match(
    result.stderr,
    new RegExp(`mps: warning: Config '${file}': line 2: unknown element <faxes> is ignored\n`),
  );
});
