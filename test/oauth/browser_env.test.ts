// What the browser gets from `mps login`: the URL as one argument and an environment without
// mps's secrets. The "browser" is a fake xdg-open (a shell script first on PATH) that records its
// arguments and environment: no real desktop browser runs on a CI machine.
import assert from "node:assert/strict";
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { Buffer } from "node:buffer";
import process from "node:process";
import { after, before, test } from "node:test";
import { startMps } from "../helpers/mps_process.ts";
import { startAuthServer } from "../servers/index.ts";
import type { AuthServer } from "../servers/index.ts";

const SKIP = process.platform === "linux" ? false : "xdg-open is the opener on Linux";
let auth: AuthServer;
let dir = "";

before(async () => {
  if (SKIP) return;
  auth = await startAuthServer();
  dir = await mkdtemp(path.join(tmpdir(), "mps-browser-env-"));
  await mkdir(path.join(dir, "bin"));
  await writeFile(
    path.join(dir, "bin", "xdg-open"),
    `#!/bin/sh\nprintf '%s\\n' "$#" "$1" > "${dir}/args"\nenv > "${dir}/env.tmp" && mv "${dir}/env.tmp" "${dir}/env"\n`,
  );
  await chmod(path.join(dir, "bin", "xdg-open"), 0o755);
  await writeFile(
    path.join(dir, "mps.config"),
    `<mps version="6">\n  <oauth storage="oauth-storage" keyFile="mps.key">\n` +
      `    <provider name="Local" issuer="${auth.issuer}" clientId="${auth.clientId}" />\n  </oauth>\n</mps>\n`,
  );
});

after(async () => {
  await auth?.stop();
  if (dir !== "") await rm(dir, { recursive: true, force: true });
});

async function waitForFile(file: string): Promise<string> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const text = await readFile(file, "utf8").catch(() => undefined);
    if (text !== undefined) return text;
    if (Date.now() > deadline) throw new Error(`${file} was not written`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

test("hands the browser the URL alone, and an environment without the storage key, tokens, proxies or secrets", {
  skip: SKIP,
}, async () => {
  const mps = startMps(["login", "local", "print@example.test", "--config", "mps.config"], {
    cwd: dir,
    env: {
      PATH: `${path.join(dir, "bin")}:${process.env["PATH"] ?? "/usr/bin:/bin"}`,
      DISPLAY: ":0",
      MPS_STORAGE_KEY: Buffer.alloc(32, 7).toString("base64"),
      MPS_HTTP_TOKEN: "http-token-value",
      https_proxy: "http://user:proxy-password@proxy.example:3128",
      GITHUB_TOKEN: "ghp_secret_value",
      DB_PASSWORD: "db-password-value",
      KEEP_ME: "kept",
    },
  });
  try {
    const url = (await mps.waitFor("stdout", /^(https?:\/\/\S+)$/m))[1] ?? "";
    const [count, arg] = (await waitForFile(path.join(dir, "args"))).split("\n");
    assert.equal(count, "1", "one argument");
    assert.equal(arg, url, "the URL, unchanged");
    const env = await waitForFile(path.join(dir, "env"));
    assert.match(env, /^KEEP_ME=kept$/m);
    assert.match(env, /^DISPLAY=:0$/m);
    for (const secret of ["MPS_STORAGE_KEY", "MPS_HTTP_TOKEN", "https_proxy", "GITHUB_TOKEN", "DB_PASSWORD"]) {
      assert.doesNotMatch(env, new RegExp(`^${secret}=`, "m"), secret);
    }
    for (const value of ["http-token-value", "proxy-password", "ghp_secret_value", "db-password-value"]) {
      assert.ok(!env.includes(value), value);
    }
    assert.ok(!env.includes(Buffer.alloc(32, 7).toString("base64")), "the storage key");
  } finally {
    mps.kill("SIGKILL");
    await mps.exited;
  }
});
