// conf/mps.service against the shipped conf/mps.config, and systemd's own check of the unit.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { chmod, copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { test } from "node:test";
import { loadConfig } from "../../src/config/index.ts";

const ROOT = path.resolve(import.meta.dirname ?? ".", "..", "..");
const UNIT = path.join(ROOT, "conf", "mps.service");
const INSTALL_DIR = "/opt/mps";

async function directives(): Promise<Map<string, string[]>> {
  const map = new Map<string, string[]>();
  for (const line of (await readFile(UNIT, "utf8")).split("\n")) {
    const match = /^([A-Za-z]+)=(.*)$/.exec(line.trim());
    if (match === null) continue;
    map.set(match[1]!, [...(map.get(match[1]!) ?? []), match[2]!]);
  }
  return map;
}

test("the systemd unit runs `mps run` sandboxed, restarting on failure and stopping with SIGTERM", async () => {
  const unit = await directives();
  const one = (name: string) => unit.get(name)?.at(-1);
  assert.equal(one("ExecStart"), `${INSTALL_DIR}/mps run --config ${INSTALL_DIR}/conf/mps.config`);
  assert.equal(one("User"), "mps");
  assert.equal(one("ProtectSystem"), "strict");
  assert.equal(one("Restart"), "on-failure");
  assert.equal(one("RestartPreventExitStatus"), "2");
  assert.equal(one("KillSignal"), "SIGTERM");
  assert.ok(unit.get("Environment")?.includes("MPS_LOG_CONSOLE=1"));
  assert.equal(one("NoNewPrivileges"), "yes");
  assert.equal(one("WantedBy"), "multi-user.target");
});

test("the unit lets mps write every folder the shipped conf/mps.config writes, installed under /opt/mps", async () => {
  const dir = await mkdtemp(path.join(tmpdir(), "mps-unit-"));
  try {
    await mkdir(path.join(dir, "conf"));
    await copyFile(path.join(ROOT, "conf", "mps.config"), path.join(dir, "conf", "mps.config"));
    const config = await loadConfig(path.join(dir, "conf", "mps.config"), { env: {} });
    const installed = (p: string) => path.posix.join(INSTALL_DIR, path.relative(dir, p).split(path.sep).join("/"));
    const written = [
      config.spool.folder,
      config.failedFiles.folder,
      path.dirname(config.log.file),
      config.oauth.storageDir,
      path.dirname(config.oauth.keyFile),
      ...config.folderSources.map((source) => source.location),
    ].map(installed);
    const writable = ((await directives()).get("ReadWritePaths") ?? []).flatMap((value) => value.split(/\s+/))
      .map((entry) => entry.replace(/^-/, ""));
    for (const folder of written) {
      assert.ok(
        writable.some((root) => folder === root || folder.startsWith(`${root}/`)),
        `${folder} is not under ReadWritePaths (${writable.join(" ")})`,
      );
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test("systemd-analyze verify accepts the unit", async (t) => {
  if (spawnSync("systemd-analyze", ["--version"]).error !== undefined) {
    t.skip("systemd-analyze is not installed");
    return;
  }
  const dir = await mkdtemp(path.join(tmpdir(), "mps-unit-"));
  try {
    // verify insists that ExecStart exists: point it at a stand-in binary.
    const binary = path.join(dir, "mps");
    await writeFile(binary, "#!/bin/sh\nexit 0\n");
    await chmod(binary, 0o755);
    const unit = (await readFile(UNIT, "utf8")).replace(/^ExecStart=\/opt\/mps\/mps /m, `ExecStart=${binary} `);
    await writeFile(path.join(dir, "mps.service"), unit);
    const result = spawnSync("systemd-analyze", ["verify", path.join(dir, "mps.service")], { encoding: "utf8" });
    assert.equal(`${result.stdout}${result.stderr}`.trim(), "");
    assert.equal(result.status, 0);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
