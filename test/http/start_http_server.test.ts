import assert from "node:assert/strict";
import { request as httpRequest } from "node:http";
import { createServer } from "node:net";
import type { Server } from "node:net";
import { test } from "node:test";
import { HttpServerError, startHttpServer } from "../../src/http/index.ts";
import type { HttpServer } from "../../src/http/index.ts";
import { isLoopbackHost } from "../../src/shared/is_loopback_host.ts";
import { checkMetrics } from "../servers/promtool.ts";
import { busyStates, mailbox, recordRun } from "./source_states.ts";

const TOKEN = "tok-0123456789abcdef";

function http(host: string, port: number, token?: string) {
  return { http: { host, port, token } };
}

async function withServer(server: HttpServer, body: (server: HttpServer) => Promise<void>): Promise<void> {
  try {
    await body(server);
  } finally {
    await server.close();
  }
}

test("serves /health and /metrics over real HTTP on 127.0.0.1, port 0 picking a free port", async () => {
  const state = mailbox();
  const states = [state];
  const server = await startHttpServer({ config: http("127.0.0.1", 0), states, now: () => Date.now(), env: {} });
  await withServer(server, async () => {
    assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+\/$/);
    assert.notEqual(server.port, 0);
    assert.equal(server.url, `http://127.0.0.1:${server.port}/`);

    recordRun(state, 0, Date.now(), 0.2);
    const health = await fetch(new URL("health", server.url));
    assert.equal(health.status, 200);
    assert.equal(health.headers.get("Cache-Control"), "no-store");
    const body = await health.json() as { status: string; version: string; sources: { name: string }[] };
    assert.equal(body.status, "ok");
    assert.match(body.version, /^\d+\.\d+\.\d+/);
    assert.deepEqual(body.sources.map((source) => source.name), ["print@contoso.com"]);

    // The array is read live: a failing cycle turns /health to 503.
    recordRun(state, 1, Date.now(), 0.2);
    const failing = await fetch(new URL("health", server.url));
    assert.equal(failing.status, 503);
    await failing.body?.cancel();

    const head = await fetch(new URL("metrics", server.url), { method: "HEAD" });
    assert.equal(head.status, 200);
    assert.equal(await head.text(), "");

    const missing = await fetch(new URL("nowhere", server.url));
    assert.equal(missing.status, 404);
    await missing.body?.cancel();
  });
  await assert.rejects(fetch(new URL("health", server.url)), "the port is closed after close()");
});

/** A GET with a Host header of our choosing (fetch does not let a caller set Host). */
function getWithHost(port: number, path: string, host: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const request = httpRequest({ host: "127.0.0.1", port, path, headers: { Host: host } }, (response) => {
      let body = "";
      response.setEncoding("utf8");
      response.on("data", (chunk: string) => (body += chunk));
      response.on("end", () => resolve({ status: response.statusCode ?? 0, body }));
    });
    request.on("error", reject);
    request.end();
  });
}

test("without a token, the served port refuses a request for a name that is not loopback (DNS rebinding)", async () => {
  const server = await startHttpServer({ config: http("127.0.0.1", 0), states: [mailbox()], now: () => Date.now() });
  await withServer(server, async () => {
    for (const path of ["/health", "/metrics"]) {
      const rebound = await getWithHost(server.port, path, `attacker.example:${server.port}`);
      assert.equal(rebound.status, 421, path);
      assert.match(rebound.body, /Misdirected request/);
      assert.ok(!rebound.body.includes("print@contoso.com"), "no source data in the refusal");
      for (const host of [`127.0.0.1:${server.port}`, `localhost:${server.port}`, `LOCALHOST`]) {
        assert.notEqual((await getWithHost(server.port, path, host)).status, 421, `${host} ${path}`);
      }
    }
  });
});

test("a live /metrics body fetched over HTTP passes promtool check metrics", async () => {
  const states = busyStates();
  const server = await startHttpServer({ config: http("127.0.0.1", 0), states: () => states, now: () => Date.now() });
  await withServer(server, async () => {
    const response = await fetch(new URL("metrics", server.url));
    assert.equal(response.headers.get("Content-Type"), "text/plain; version=0.0.4; charset=utf-8");
    const result = await checkMetrics(await response.text());
    assert.equal(result.output, "");
    assert.equal(result.exitCode, 0);
  });
});

test("requires the <http token> as a bearer token when one is configured", async () => {
  const server = await startHttpServer({ config: http("127.0.0.1", 0, TOKEN), states: [], now: () => Date.now() });
  await withServer(server, async () => {
    const without = await fetch(new URL("health", server.url));
    assert.equal(without.status, 401);
    assert.equal(without.headers.get("WWW-Authenticate"), 'Bearer realm="mps"');
    await without.body?.cancel();
    const right = await fetch(new URL("health", server.url), { headers: { Authorization: `Bearer ${TOKEN}` } });
    assert.equal(right.status, 200);
    await right.body?.cancel();
  });
});

test("lets MPS_HTTP_TOKEN win over <http token>, as loading the config does", async () => {
  const server = await startHttpServer({
    config: http("127.0.0.1", 0, "from-config-token"),
    states: [],
    now: () => Date.now(),
    env: { MPS_HTTP_TOKEN: TOKEN },
  });
  await withServer(server, async () => {
    const config = await fetch(new URL("health", server.url), {
      headers: { Authorization: "Bearer from-config-token" },
    });
    assert.equal(config.status, 401);
    await config.body?.cancel();
    const env = await fetch(new URL("health", server.url), { headers: { Authorization: `Bearer ${TOKEN}` } });
    assert.equal(env.status, 200);
    await env.body?.cancel();
  });
});

test("refuses to listen on a non-loopback address without a token", async () => {
  for (const host of ["0.0.0.0", "::", "192.0.2.10", "print.contoso.com"]) {
    await assert.rejects(
      startHttpServer({ config: http(host, 0), states: [], now: () => Date.now(), env: {} }),
      (error: unknown) => {
        assert.ok(error instanceof HttpServerError);
        assert.equal(error.code, "ERR_HTTP_TOKEN_REQUIRED");
        assert.match(error.message, new RegExp(`on '${host.replace(/\./g, "\\.")}' without a token`));
        assert.match(error.fix ?? "", /MPS_HTTP_TOKEN/);
        return true;
      },
      host,
    );
  }
});

test("listens on all interfaces when a token is given, and still requires it", async () => {
  const server = await startHttpServer({ config: http("0.0.0.0", 0, TOKEN), states: [], now: () => Date.now() });
  await withServer(server, async () => {
    const url = `http://127.0.0.1:${server.port}/health`;
    const without = await fetch(url);
    assert.equal(without.status, 401);
    await without.body?.cancel();
    const right = await fetch(url, { headers: { Authorization: `Bearer ${TOKEN}` } });
    assert.equal(right.status, 200);
    await right.body?.cancel();
  });
});

test("fails with ERR_HTTP_LISTEN naming the address and a fix when the port is taken", async () => {
  const blocker: Server = createServer();
  const port = await new Promise<number>((resolve) => {
    blocker.listen(0, "127.0.0.1", () => resolve((blocker.address() as { port: number }).port));
  });
  try {
    await assert.rejects(
      startHttpServer({ config: http("127.0.0.1", port), states: [], now: () => Date.now() }),
      (error: unknown) => {
        assert.ok(error instanceof HttpServerError);
        assert.equal(error.code, "ERR_HTTP_LISTEN");
        assert.equal(
          error.message,
          `Cannot serve /health and /metrics on 127.0.0.1:${port}: the port is already in use`,
        );
        assert.match(error.fix ?? "", new RegExp(`port ${port}`));
        assert.ok(error.cause !== undefined);
        return true;
      },
    );
  } finally {
    await new Promise((resolve) => blocker.close(resolve));
  }
});

test("knows which hosts are loopback", () => {
  for (
    const host of [
      "127.0.0.1",
      "127.1.2.3",
      "localhost",
      "LOCALHOST",
      "::1",
      "[::1]",
      "0:0:0:0:0:0:0:1",
      "::ffff:127.0.0.1",
    ]
  ) {
    assert.equal(isLoopbackHost(host), true, host);
  }
  for (const host of ["0.0.0.0", "::", "10.0.0.1", "128.0.0.1", "print.contoso.com", "localhost.contoso.com", ""]) {
    assert.equal(isLoopbackHost(host), false, host);
  }
});
