import assert from "node:assert/strict";
import { test } from "node:test";
import { createApp } from "../../src/http/index.ts";
import type { HealthReport, SourceHealth } from "../../src/http/index.ts";
import { registerSecret } from "../../src/log/index.ts";
import type { SourceState } from "../../src/status/index.ts";
import { DAY, freshFolder, mailbox, MINUTE, NOW, recordRun } from "./source_states.ts";

async function health(
  states: SourceState[],
  path = "/health",
  now = NOW,
): Promise<{ status: number; body: HealthReport }> {
  const app = createApp({ states: () => states, now: () => now, version: "9.8.7" });
  const response = await app.request(path);
  assert.match(response.headers.get("Content-Type") ?? "", /^application\/json/);
  return { status: response.status, body: (await response.json()) as HealthReport };
}

function only(report: HealthReport): SourceHealth {
  assert.equal(report.sources.length, 1);
  return report.sources[0]!;
}

test("answers 200 with status ok, the version and every field of a source whose last cycle succeeded", async () => {
  const state = mailbox({ agoMs: 10_000 });
  const { status, body } = await health([state]);
  assert.equal(status, 200);
  assert.equal(body.status, "ok");
  assert.equal(body.version, "9.8.7");
  assert.deepEqual(only(body), {
    name: "print@contoso.com",
    type: "ImapOAuthMicrosoft",
    healthy: true,
    lastExitCode: 0,
    lastRunAt: "2025-06-01T11:59:50.000Z",
    lastSuccessAt: "2025-06-01T11:59:50.000Z",
    consecutiveFailures: 0,
    tokenExpiresAt: "2025-06-01T12:45:00.000Z",
    refreshTokenAgeDays: 2,
    clientSecretExpiresAt: null,
    clientCertificateExpiresAt: null,
    needsLogin: false,
    lastError: null,
    throttledUntil: null,
    problems: [],
    warnings: [],
  });
});

test("answers 503 with status fail when the last cycle of a source ended with exit code 1, with its error and fix", async () => {
  const { status, body } = await health([freshFolder(), mailbox({ exitCode: 1 })]);
  assert.equal(status, 503);
  assert.equal(body.status, "fail");
  const [folder, failing] = body.sources;
  assert.equal(folder?.healthy, true);
  assert.equal(failing?.healthy, false);
  assert.equal(failing?.lastExitCode, 1);
  assert.equal(failing?.lastSuccessAt, null);
  assert.equal(failing?.consecutiveFailures, 1);
  assert.deepEqual(failing?.lastError, {
    code: "ERR_IMAP_CONNECT",
    message: "Cannot connect to outlook.office365.com:993: connection refused",
    fix: "Check the network and the host name in mps.config.",
  });
  assert.deepEqual(failing?.problems.map((p) => p.code), ["SOURCE_FAILING"]);
  assert.equal(failing?.problems[0]?.fix, "Check the network and the host name in mps.config.");
});

test("turns healthy again once a cycle succeeds after failures", async () => {
  const state = mailbox({ exitCode: 1, agoMs: 2 * MINUTE });
  recordRun(state, 0, NOW - 1000, 0.5);
  const { status, body } = await health([state]);
  assert.equal(status, 200);
  assert.equal(only(body).lastError, null);
  assert.equal(only(body).consecutiveFailures, 0);
});

test("counts a source unhealthy when its last cycle ended more than 3 intervals ago", async () => {
  const state = mailbox({ agoMs: 3 * MINUTE + 1 });
  const { status, body } = await health([state]);
  assert.equal(status, 503);
  assert.equal(only(body).lastExitCode, 0);
  assert.deepEqual(only(body).problems.map((p) => p.code), ["SOURCE_STALE"]);
  assert.match(only(body).problems[0]!.message, /since 2025-06-01T11:56:59\.999Z, more than 3 × its 60 s interval ago/);
});

test("still counts a source healthy exactly 3 intervals after its last cycle", async () => {
  const { status } = await health([mailbox({ agoMs: 3 * MINUTE })]);
  assert.equal(status, 200);
});

test("gives a source that never ran its first 3 intervals, then counts it unhealthy", async () => {
  const within = await health([freshFolder("incoming", 2999)]);
  assert.equal(within.status, 200);
  assert.equal(only(within.body).lastRunAt, null);
  assert.equal(only(within.body).lastExitCode, null);

  const beyond = await health([freshFolder("incoming", 3001)]);
  assert.equal(beyond.status, 503);
  assert.deepEqual(only(beyond.body).problems.map((p) => p.code), ["SOURCE_STALE"]);
  assert.match(
    only(beyond.body).problems[0]!.message,
    /has not finished a cycle since it started at 2025-06-01T11:59:56\.999Z/,
  );
});

test("counts a source unhealthy when its OAuth token needs a new login, and names the login command", async () => {
  const state = mailbox();
  state.oauth!.needsLogin = true;
  const { status, body } = await health([state]);
  assert.equal(status, 503);
  assert.equal(only(body).needsLogin, true);
  assert.deepEqual(only(body).problems.map((p) => p.code), ["NEEDS_LOGIN"]);
  assert.equal(only(body).problems[0]!.fix, "Run: mps login microsoft print@contoso.com");
});

test("warns of a client secret expiring within 30 days while the source stays healthy", async () => {
  const state = mailbox({ clientSecretExpiresAt: NOW + 12 * DAY });
  const { status, body } = await health([state]);
  assert.equal(status, 200);
  const source = only(body);
  assert.equal(source.healthy, true);
  assert.equal(source.clientSecretExpiresAt, "2025-06-13T12:00:00.000Z");
  assert.deepEqual(source.warnings.map((w) => w.code), ["CLIENT_SECRET_EXPIRING"]);
  assert.match(source.warnings[0]!.message, /expires on 2025-06-13T12:00:00\.000Z, in 12 day\(s\)/);
  assert.match(source.warnings[0]!.fix ?? "", /new client secret/);
});

test("does not warn of a client secret expiring in more than 30 days, and says so once it has expired", async () => {
  const later = await health([mailbox({ clientSecretExpiresAt: NOW + 31 * DAY })]);
  assert.deepEqual(only(later.body).warnings, []);
  const expired = await health([mailbox({ clientSecretExpiresAt: NOW - DAY })]);
  assert.match(only(expired.body).warnings[0]!.message, /expired on 2025-05-31T12:00:00\.000Z/);
});

test("warns of a refresh token older than 60 days, which renewal should have replaced", async () => {
  const state = mailbox();
  state.oauth!.refreshTokenIssuedAt = NOW - 61 * DAY;
  const { status, body } = await health([state]);
  assert.equal(status, 200);
  assert.equal(only(body).refreshTokenAgeDays, 61);
  assert.deepEqual(only(body).warnings.map((w) => w.code), ["REFRESH_TOKEN_AGING"]);
});

test("?source=NAME reports only that source, with the status of that source alone", async () => {
  const states = [mailbox({ name: "good" }), mailbox({ name: "bad", exitCode: 1 })];
  const good = await health(states, "/health?source=good");
  assert.equal(good.status, 200);
  assert.equal(only(good.body).name, "good");
  const bad = await health(states, "/health?source=bad");
  assert.equal(bad.status, 503);
  assert.equal(only(bad.body).name, "bad");
  const encoded = await health([mailbox({ name: "a b&c" })], `/health?source=${encodeURIComponent("a b&c")}`);
  assert.equal(only(encoded.body).name, "a b&c");
});

test("?source= matches the name case-insensitively, as source names are unique that way", async () => {
  const { status, body } = await health([mailbox({ name: "Print@Contoso.com" })], "/health?source=print@contoso.com");
  assert.equal(status, 200);
  assert.equal(only(body).name, "Print@Contoso.com");
});

test("?source= with an unknown name answers 404 in JSON listing the known sources", async () => {
  const app = createApp({ states: () => [mailbox({ name: "good" })], now: () => NOW, version: "1" });
  const response = await app.request("/health?source=nope");
  assert.equal(response.status, 404);
  assert.equal(response.headers.get("Cache-Control"), "no-store");
  assert.deepEqual(await response.json(), { error: "Unknown source 'nope'", sources: ["good"] });
});

test("answers 200 with no sources at all (nothing is broken)", async () => {
  const { status, body } = await health([]);
  assert.equal(status, 200);
  assert.deepEqual(body.sources, []);
});

test("reads the live state on every request", async () => {
  const state = mailbox();
  const app = createApp({ states: () => [state], now: () => NOW, version: "1" });
  assert.equal((await app.request("/health")).status, 200);
  recordRun(state, 1, NOW, 1);
  assert.equal((await app.request("/health")).status, 503);
});

test("never shows a registered secret that an error message happens to carry", async () => {
  const secret = "Sup3rSecretPassw0rd!";
  registerSecret(secret);
  const state = mailbox({ exitCode: 1 });
  state.lastError = {
    code: "ERR_AUTH",
    message: `Authentication of print@contoso.com failed: the server refused ${secret}`,
    fix: undefined,
  };
  const app = createApp({ states: () => [state], now: () => NOW, version: "1" });
  const text = await (await app.request("/health")).text();
  assert.doesNotMatch(text, /Sup3rSecret/);
  assert.match(text, /Authentication of print@contoso.com failed: the server refused \[redacted\]/);
});
