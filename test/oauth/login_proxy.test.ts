import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { chromium } from "playwright-core";
import { startMps } from "../helpers/mps_process.ts";
import { startAuthServer } from "../servers/index.ts";
import type { AuthServer } from "../servers/index.ts";
import { startTinyproxy } from "../servers/tinyproxy.ts";
import type { Tinyproxy } from "../servers/tinyproxy.ts";
import { authorizationUrlOf, CHROMIUM, CHROMIUM_ARGS, makeLoginDir } from "./login_fixture.ts";
import type { LoginDir } from "./login_fixture.ts";

const USER = "print@example.test";

let auth: AuthServer;
let proxy: Tinyproxy;
let dir: LoginDir;

before(async () => {
  auth = await startAuthServer();
  proxy = await startTinyproxy({ connectPorts: [] });
  dir = await makeLoginDir(auth.issuer);
});

after(async () => {
  await dir?.remove();
  await proxy?.dispose();
  await auth?.stop();
});

test("mps login --no-browser with HTTP_PROXY: discovery and the token request go through the proxy, as does Chromium", async () => {
  const mps = startMps(["login", "local", USER, "--no-browser", "--config", dir.config], {
    cwd: dir.dir,
    env: { ...dir.env, HTTP_PROXY: proxy.url, HTTPS_PROXY: proxy.url },
  });
  const url = await authorizationUrlOf(mps);
  // A browser on a company network goes through the proxy too, loopback included.
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [...CHROMIUM_ARGS, `--proxy-server=${proxy.url}`, "--proxy-bypass-list=<-loopback>"],
    env: { ...dir.env, PATH: process.env["PATH"] ?? "/usr/bin:/bin" },
  });
  try {
    const page = await browser.newPage();
    await page.goto(url.href);
    await page.click("#submit");
    await page.waitForSelector("#outcome");
    assert.equal(await page.textContent("#outcome"), "Signed in");
  } finally {
    await browser.close();
  }
  const result = await mps.exited;
  assert.equal(result.code, 0, result.stderr);
  assert.ok((await dir.readTokens(USER))?.refreshToken !== undefined);
  const requests = await proxy.requests();
  const seen = (line: string) => assert.ok(requests.includes(line), `${line} not in:\n${requests.join("\n")}`);
  seen(`GET ${auth.issuer}.well-known/openid-configuration HTTP/1.1`);
  seen(`POST ${auth.issuer}token HTTP/1.1`);
  assert.ok(requests.some((line) => line.startsWith(`GET ${auth.issuer}authorize?`)), requests.join("\n"));
  assert.ok(requests.some((line) => /^GET http:\/\/localhost:\d+\/\?code=/.test(line)), requests.join("\n"));
});
