// scripts/wine-chroot.sh must never delete a host folder bound into the chroot. Checked on a
// stand-in chroot (a folder with the ready marker), so no debootstrap is needed.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import * as path from "node:path";
import process from "node:process";
import { test } from "node:test";
import { SCRIPT } from "./wine.ts";

const SKIP = process.platform !== "linux"
  ? "the chroot script runs on Linux"
  : process.getuid?.() !== 0
  ? "bind mounts need root"
  : false;

function script(root: string, ...args: string[]): { status: number | null; output: string } {
  const res = spawnSync("bash", [SCRIPT, ...args], { encoding: "utf8", env: { ...process.env, MPS_WINE_ROOT: root } });
  return { status: res.status, output: `${res.stdout}${res.stderr}` };
}

function mountsUnder(root: string): string[] {
  return readFileSync("/proc/self/mountinfo", "utf8").split("\n").map((line) => line.split(" ")[4] ?? "")
    .filter((mountPoint) => mountPoint === root || mountPoint.startsWith(`${root}/`));
}

test("remove unmounts a bound test folder, /proc and /dev before deleting the chroot, and the host's files survive", {
  skip: SKIP,
}, async () => {
  const base = await mkdtemp(path.join(tmpdir(), "mps-wine-script-"));
  const root = path.join(base, "root");
  const host = await mkdtemp(path.join(tmpdir(), "mps-wine-host-"));
  try {
    await mkdir(root);
    await writeFile(path.join(root, ".mps-wine-ready"), "stand-in\n");
    await writeFile(path.join(host, "keep.txt"), "host file\n");
    const mounted = script(root, "mount", host);
    assert.equal(mounted.status, 0, mounted.output);
    assert.equal(readFileSync(path.join(root, host, "keep.txt"), "utf8"), "host file\n", "bound at the same path");
    assert.deepEqual(mountsUnder(root).sort(), [`${root}${host}`, `${root}/dev`, `${root}/proc`].sort());

    const removed = script(root, "remove");
    assert.equal(removed.status, 0, removed.output);
    assert.deepEqual(mountsUnder(root), []);
    assert.equal(existsSync(root), false);
    assert.equal(readFileSync(path.join(host, "keep.txt"), "utf8"), "host file\n");
    assert.ok(existsSync("/dev/null"), "the host's /dev is untouched");
  } finally {
    script(root, "umount-all");
    await rm(host, { recursive: true, force: true });
    if (mountsUnder(root).length === 0) await rm(base, { recursive: true, force: true });
  }
});

test("refuses to bind '/' or a relative path", { skip: SKIP }, async () => {
  const base = await mkdtemp(path.join(tmpdir(), "mps-wine-script-"));
  const root = path.join(base, "root");
  try {
    await mkdir(root);
    await writeFile(path.join(root, ".mps-wine-ready"), "stand-in\n");
    for (const folder of ["/", "relative/dir"]) {
      const res = script(root, "mount", folder);
      assert.notEqual(res.status, 0);
      assert.match(res.output, /^wine-chroot: mount: /m);
    }
  } finally {
    script(root, "umount-all");
    if (mountsUnder(root).length === 0) await rm(base, { recursive: true, force: true });
  }
});
