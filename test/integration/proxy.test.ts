import assert from "node:assert/strict";
import { readFile, writeFile } from "node:fs/promises";
import { after, before, describe, test } from "node:test";
import { messageWithAttachment, setUpMailbox, USER } from "../helpers/mailbox_setup.ts";
import type { MailboxSetup } from "../helpers/mailbox_setup.ts";
import { runMps } from "../helpers/run_mps.ts";
import { check, doctorJson } from "../doctor/doctor_helpers.ts";
import { startTinyproxy } from "../servers/tinyproxy.ts";
import type { Tinyproxy } from "../servers/tinyproxy.ts";

const PASSWORD = "Pr0xy-S3cret-9f1c";

describe("mps behind a real HTTP proxy (tinyproxy)", () => {
  let box: MailboxSetup;
  let proxy: Tinyproxy;
  /** The config with <proxy> (credentials in the URL), and one without (for HTTPS_PROXY). */
  let withProxy = "";
  let plain = "";
  before(async () => {
    // Access tokens that expire at once: every run refreshes through the proxy.
    box = await setUpMailbox({ accessTokenLifetime: 1, dovecot: { certDays: 90 } });
    proxy = await startTinyproxy({ connectPorts: [box.dovecot.tlsPort] });
    plain = await box.writeConfig(`idle="false"`, "plain.config");
    withProxy = await box.writeConfig(`idle="false"`, "proxied.config");
    const text = await readFile(withProxy, "utf8");
    await writeFile(
      withProxy,
      text.replace("</mps>", `  <proxy url="http://mps:${PASSWORD}@127.0.0.1:${proxy.port}" />\n</mps>`),
    );
  });
  after(async () => {
    await proxy.dispose();
    await box.dispose();
  });

  const since = async (before: number) => (await proxy.requests()).slice(before);

  test("run --once with <proxy>: the token request and the IMAP tunnel go through the proxy", async () => {
    await box.storeLogin();
    await box.dovecot.appendMessage(USER, messageWithAttachment({ subject: "via proxy" }));
    const seen = (await proxy.requests()).length;
    const result = await runMps(["run", "--once", "--config", withProxy], { cwd: box.dir });
    const log = await box.log("proxied.config");
    assert.equal(result.code, 0, `${result.stderr}\n${log}`);
    assert.equal((await box.jobs()).length, 1);
    const requests = await since(seen);
    assert.ok(
      requests.some((line) => line === `POST ${box.auth.issuer}token HTTP/1.1`),
      `token request in the proxy log:\n${requests.join("\n")}`,
    );
    assert.ok(requests.includes(`CONNECT localhost:${box.dovecot.tlsPort} HTTP/1.1`), requests.join("\n"));
    assert.match(
      log,
      new RegExp(
        `connections go https, IMAP, SMTP and IPP through http://mps:(\\*\\*\\*|\\[redacted\\])@127\\.0\\.0\\.1:${proxy.port}`,
      ),
    );
    assert.ok(!log.includes(PASSWORD), "the proxy password is in mps.log");
  });

  test("run --once with HTTPS_PROXY and HTTP_PROXY from the environment and no <proxy>", async () => {
    await box.dovecot.appendMessage(USER, messageWithAttachment({ subject: "via env proxy" }));
    const seen = (await proxy.requests()).length;
    const result = await runMps(["run", "--once", "--config", plain], {
      cwd: box.dir,
      env: { HTTPS_PROXY: proxy.url, HTTP_PROXY: proxy.url },
    });
    assert.equal(result.code, 0, `${result.stderr}\n${await box.log("plain.config")}`);
    assert.equal((await box.jobs()).length, 2);
    const requests = await since(seen);
    assert.ok(requests.some((line) => line === `POST ${box.auth.issuer}token HTTP/1.1`), requests.join("\n"));
    assert.ok(requests.includes(`CONNECT localhost:${box.dovecot.tlsPort} HTTP/1.1`), requests.join("\n"));
  });

  test("NO_PROXY keeps listed hosts off the proxy", async () => {
    const seen = (await proxy.requests()).length;
    const result = await runMps(["run", "--once", "--config", plain], {
      cwd: box.dir,
      env: { HTTPS_PROXY: proxy.url, HTTP_PROXY: proxy.url, NO_PROXY: "localhost,127.0.0.1" },
    });
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(await since(seen), []);
  });

  test("doctor says which hosts go through the proxy and passes through it", async () => {
    const { code, report } = await doctorJson(withProxy);
    const route = check(report, "network.proxy", null);
    assert.equal(route.status, "pass", JSON.stringify(route));
    assert.match(
      route.finding,
      new RegExp(
        `localhost:${box.dovecot.tlsPort} \\(IMAP of source 'print'\\) through http://mps:\\*\\*\\*@127\\.0\\.0\\.1:${proxy.port}`,
      ),
    );
    assert.match(route.finding, new RegExp(`127\\.0\\.0\\.1:${box.auth.port} \\(OAuth provider 'Local'\\) through`));
    assert.equal(check(report, "network.connect", "print").status, "pass");
    assert.match(
      check(report, "network.connect", "print").finding,
      /^through the proxy http:\/\/mps:\*\*\*@127\.0\.0\.1/,
    );
    assert.equal(check(report, "imap.login", "print").status, "pass");
    assert.ok(code === 0 || code === 1, `exit code ${code}`);
    assert.ok(!JSON.stringify(report).includes(PASSWORD));

    const env = await doctorJson(plain, [], { HTTPS_PROXY: proxy.url, HTTP_PROXY: proxy.url, NO_PROXY: "127.0.0.1" });
    const envRoute = check(env.report, "network.proxy", null);
    assert.equal(envRoute.status, "pass");
    assert.match(
      envRoute.finding,
      new RegExp(
        `localhost:${box.dovecot.tlsPort} \\(IMAP of source 'print'\\) through http://127\\.0\\.0\\.1:${proxy.port}`,
      ),
    );
    assert.match(
      envRoute.finding,
      new RegExp(`127\\.0\\.0\\.1:${box.auth.port} \\(OAuth provider 'Local'\\) directly`),
    );
  });

  test("a proxy that refuses the IMAP port is its own finding", async () => {
    const strict = await startTinyproxy({ connectPorts: [443] });
    try {
      const { code, report } = await doctorJson(plain, [], { HTTPS_PROXY: strict.url, NO_PROXY: "127.0.0.1" });
      assert.equal(code, 2);
      const route = check(report, "network.proxy", null);
      assert.equal(route.code, "ERR_PROXY_REFUSED");
      assert.match(
        route.finding,
        new RegExp(
          `The proxy http://127\\.0\\.0\\.1:${strict.port} \\(from HTTPS_PROXY\\) refused to connect to localhost:${box.dovecot.tlsPort} \\(HTTP 403\\)`,
        ),
      );
      assert.match(route.fix ?? "", /tinyproxy's ConnectPort/);
    } finally {
      await strict.dispose();
    }
  });

  test("with the proxy stopped, doctor reports the proxy with its address and exits 2; run --once fails", async () => {
    await proxy.stop();
    try {
      const { code, report } = await doctorJson(withProxy);
      assert.equal(code, 2);
      const route = check(report, "network.proxy", null);
      assert.equal(route.status, "fail");
      assert.equal(route.code, "ERR_PROXY_UNREACHABLE");
      assert.match(
        route.finding,
        new RegExp(
          `Cannot reach the proxy http://mps:\\*\\*\\*@127\\.0\\.0\\.1:${proxy.port} \\(<proxy> \\(config line \\d+\\)\\)`,
        ),
      );
      assert.match(route.fix ?? "", /is up and reachable from this machine/);
      assert.equal(check(report, "network.connect", "print").code, "ERR_PROXY_UNREACHABLE");
      assert.ok(!JSON.stringify(report).includes(PASSWORD));

      const result = await runMps(["run", "--once", "--config", withProxy], { cwd: box.dir, timeoutMs: 60_000 });
      assert.equal(result.code, 1);
      const log = await box.log("proxied.config");
      assert.match(log, /ERR_PROXY_UNREACHABLE/);
      assert.ok(!log.includes(PASSWORD));
    } finally {
      await proxy.start();
    }
  });
});
