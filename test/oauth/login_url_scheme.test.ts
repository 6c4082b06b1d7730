// An authorization server whose discovery document names a local handler (file:, ms-settings:)
// or plain http to another host as its authorization endpoint: `login` refuses to open or print it.
// The server is a real HTTP server serving a hostile document (nothing is faked in mps).
import assert from "node:assert/strict";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { after, before, test } from "node:test";
import { runMps } from "../helpers/run_mps.ts";

let issuer = "";
let authorizationEndpoint = "";
let dir = "";
const server = createServer((request, response) => {
  if (request.url === "/.well-known/openid-configuration") {
    response.setHeader("content-type", "application/json");
    response.end(JSON.stringify({
      issuer,
      authorization_endpoint: authorizationEndpoint,
      token_endpoint: `${issuer}token`,
      jwks_uri: `${issuer}jwks`,
      response_types_supported: ["code"],
      subject_types_supported: ["public"],
      id_token_signing_alg_values_supported: ["RS256"],
      code_challenge_methods_supported: ["S256"],
    }));
    return;
  }
  response.statusCode = 404;
  response.end();
});

before(async () => {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  dir = await mkdtemp(path.join(tmpdir(), "mps-login-scheme-"));
  await writeFile(
    path.join(dir, "mps.config"),
    `<mps version="6">\n  <oauth storage="oauth-storage" keyFile="mps.key">\n` +
      `    <provider name="Hostile" issuer="${issuer}" clientId="mps" />\n  </oauth>\n</mps>\n`,
  );
});

after(async () => {
  server.close();
  await rm(dir, { recursive: true, force: true });
});

for (
  const [endpoint, reason] of [
    ["file:///C:/Windows/System32/calc.exe", /the scheme 'file:' is not https:/],
    ["ms-settings:privacy", /the scheme 'ms-settings:' is not https:/],
    [
      "http://login.example.test/authorize",
      /http:\/\/ is only accepted for 127\.0\.0\.1, localhost or \[::1\], not 'login\.example\.test'/,
    ],
  ] as const
) {
  test(`refuses the authorization endpoint ${endpoint}, prints no URL and stores nothing`, async () => {
    authorizationEndpoint = endpoint;
    for (const mode of [["--no-browser"], []]) {
      const result = await runMps(["login", "hostile", "print@example.test", ...mode, "--config", "mps.config"], {
        cwd: dir,
        env: { DISPLAY: "", BROWSER: "true" },
      });
      assert.equal(result.code, 1, `${result.stdout}\n${result.stderr}`);
      assert.equal(result.stdout, "", "no address is printed");
      assert.match(result.stderr, /Will not open '[^']+' in a browser: /);
      assert.match(result.stderr, reason);
      assert.match(result.stderr, /https:\/\//);
      assert.deepEqual(
        (await readdir(path.join(dir, "oauth-storage")).catch(() => [] as string[])).filter((n) => !n.startsWith(".")),
        [],
      );
    }
  });
}
