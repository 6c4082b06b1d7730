import assert from "node:assert/strict";
import { test } from "node:test";
import { createApp } from "../../src/http/index.ts";
import { mailbox, NOW } from "./source_states.ts";

const TOKEN = "s3cret-Token_value.for~mps";

function app(token?: string) {
  return createApp({ states: () => [mailbox()], now: () => NOW, version: "1.2.3", token });
}

test("serves /health and /metrics to GET with Cache-Control: no-store", async () => {
  for (const path of ["/health", "/metrics"]) {
    const response = await app().request(path);
    assert.equal(response.status, 200, path);
    assert.equal(response.headers.get("Cache-Control"), "no-store", path);
    assert.equal(response.headers.get("X-Content-Type-Options"), "nosniff", path);
  }
});

test("answers HEAD like GET, with the same status and headers and no body", async () => {
  for (const path of ["/health", "/metrics"]) {
    const get = await app().request(path);
    const head = await app().request(path, { method: "HEAD" });
    assert.equal(head.status, get.status, path);
    assert.equal(head.headers.get("Content-Type"), get.headers.get("Content-Type"), path);
    assert.equal(head.headers.get("Cache-Control"), "no-store", path);
    assert.equal(await head.text(), "", path);
  }
  const failing = createApp({ states: () => [mailbox({ exitCode: 1 })], now: () => NOW, version: "1" });
  assert.equal((await failing.request("/health", { method: "HEAD" })).status, 503);
});

test("answers 404 in JSON, with Cache-Control: no-store, to every other path and method", async () => {
  const cases: [string, string][] = [
    ["GET", "/"],
    ["GET", "/healthz"],
    ["GET", "/health/extra"],
    ["GET", "/metrics.txt"],
    ["GET", "/../etc/passwd"],
    ["POST", "/health"],
    ["PUT", "/metrics"],
    ["DELETE", "/health"],
  ];
  for (const [method, path] of cases) {
    const response = await app().request(path, { method });
    assert.equal(response.status, 404, `${method} ${path}`);
    assert.equal(response.headers.get("Cache-Control"), "no-store", `${method} ${path}`);
    assert.deepEqual(await response.json(), { error: "Not found: mps serves /health and /metrics" });
  }
});

test("without a configured token, needs no Authorization header", async () => {
  assert.equal((await app(undefined).request("/health")).status, 200);
  assert.equal((await app("").request("/metrics")).status, 200);
});

test("with a token, answers 401 and WWW-Authenticate: Bearer to a request without Authorization", async () => {
  for (const path of ["/health", "/metrics", "/nowhere"]) {
    const response = await app(TOKEN).request(path);
    assert.equal(response.status, 401, path);
    assert.equal(response.headers.get("WWW-Authenticate"), 'Bearer realm="mps"');
    assert.equal(response.headers.get("Cache-Control"), "no-store");
    assert.doesNotMatch(await response.text(), /s3cret/);
  }
  assert.equal((await app(TOKEN).request("/health", { method: "HEAD" })).status, 401);
});

test("with a token, answers 401 with error=invalid_token to a wrong token, another scheme or a token with extra text", async () => {
  const wrong = [
    "Bearer wrong",
    `Bearer ${TOKEN}x`,
    `Bearer ${TOKEN.slice(0, -1)}`,
    `Basic ${btoa(`mps:${TOKEN}`)}`,
    `Bearer ${TOKEN} extra`,
    TOKEN,
    "Bearer ",
  ];
  for (const authorization of wrong) {
    const response = await app(TOKEN).request("/health", { headers: { Authorization: authorization } });
    assert.equal(response.status, 401, authorization);
    assert.equal(response.headers.get("WWW-Authenticate"), 'Bearer realm="mps", error="invalid_token"');
    assert.doesNotMatch(await response.text(), /s3cret/);
  }
});

test("with a token, serves a request carrying the right bearer token (scheme in any case)", async () => {
  for (const authorization of [`Bearer ${TOKEN}`, `bearer ${TOKEN}`, `BEARER  ${TOKEN}`]) {
    const health = await app(TOKEN).request("/health", { headers: { Authorization: authorization } });
    assert.equal(health.status, 200, authorization);
    const metrics = await app(TOKEN).request("/metrics", { headers: { Authorization: authorization } });
    assert.equal(metrics.status, 200, authorization);
  }
  const missing = await app(TOKEN).request("/nowhere", { headers: { Authorization: `Bearer ${TOKEN}` } });
  assert.equal(missing.status, 404);
  const spaced = app("a passphrase with spaces");
  assert.equal(
    (await spaced.request("/health", { headers: { Authorization: "Bearer a passphrase with spaces" } })).status,
    200,
  );
  assert.equal((await spaced.request("/health", { headers: { Authorization: "Bearer a passphrase" } })).status, 401);
});

test("never puts the token in a response", async () => {
  const headers = { Authorization: `Bearer ${TOKEN}` };
  for (const path of ["/health", "/metrics", "/nowhere", "/health?source=nope"]) {
    const response = await app(TOKEN).request(path, { headers });
    const everything = `${[...response.headers].join("\n")}\n${await response.text()}`;
    assert.doesNotMatch(everything, /s3cret/, path);
  }
});

test("answers 500 without details and logs the error when reading the state fails", async () => {
  const logged: string[] = [];
  const log = {
    component: "http",
    error: (message: string) => void logged.push(message),
    warn: () => {},
    info: () => {},
    debug: () => {},
    child: () => log,
  };
  const broken = createApp({
    states: () => {
      throw new Error("state exploded with secret-ish detail");
    },
    now: () => NOW,
    version: "1",
    log,
  });
  const response = await broken.request("/health");
  assert.equal(response.status, 500);
  assert.equal(response.headers.get("Cache-Control"), "no-store");
  assert.doesNotMatch(await response.text(), /exploded/);
  assert.equal(logged.length, 1);
  assert.match(logged[0]!, /^Cannot answer GET \/health: .*state exploded/);
});

test("without a token, refuses with 421 a request whose Host header is not a loopback name (DNS rebinding)", async () => {
  for (const host of ["evil.example", "evil.example:5556", "127.0.0.1.nip.io", "localhost.evil.example", "10.0.0.1"]) {
    for (const path of ["/health", "/metrics"]) {
      const response = await app().request(path, { headers: { Host: host } });
      assert.equal(response.status, 421, `${host} ${path}`);
      assert.equal(response.headers.get("Cache-Control"), "no-store");
      assert.match((await response.json()).error, /^Misdirected request: without a token mps answers only/);
    }
  }
});

test("without a token, answers a Host header of 127.0.0.1, [::1] or localhost, with or without port, in any case", async () => {
  const hosts = ["127.0.0.1", "127.0.0.1:5556", "[::1]", "[::1]:5556", "localhost", "LocalHost:5556", "127.0.0.2:80"];
  for (const host of hosts) {
    assert.equal((await app().request("/health", { headers: { Host: host } })).status, 200, host);
  }
  assert.equal((await app().request("/health")).status, 200, "no Host header: HTTP/1.0, not a browser");
});

test("with a token, any Host header is answered once the token is right", async () => {
  const response = await app(TOKEN).request("/health", {
    headers: { Host: "mps.contoso.com:5556", Authorization: `Bearer ${TOKEN}` },
  });
  assert.equal(response.status, 200);
});
