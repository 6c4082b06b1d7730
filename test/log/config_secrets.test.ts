import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { test } from "node:test";
import { loadConfig } from "../../src/config/index.ts";
import { createLogger, createRedactor, redact, REDACTED } from "../../src/log/index.ts";
import { createMemorySink } from "./memory_sink.ts";
import { loadStorageKey } from "../../src/storage/index.ts";

const SECRETS = {
  imapPassword: "Winter&2026 <Print>",
  folderPassword: "legacy-share-pw",
  clientSecret: "Abc8Q~client.secret_value-1234567890abcd",
  httpToken: "scrape-token-0123456789",
  envHttpToken: "env-scrape-token-9876543210",
  storageKey: "q3ZfN8pL2sW7vB4xC9mK1tR6yH0dJ5aG3eU8iO2nQ7w=",
};

function xmlAttribute(value: string): string {
  return value.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

async function withConfig<T>(body: (file: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(path.join(tmpdir(), "mps-secrets-"));
  const file = path.join(dir, "mps.config");
  await writeFile(
    file,
    `<mps>
  <folderSources><add name="drop" path="in" userName="svc" password="${
      xmlAttribute(SECRETS.folderPassword)
    }" /></folderSources>
  <emailSources>
    <add name="imap" type="Imap" host="imap.contoso.com" userName="print@contoso.com" password="${
      xmlAttribute(SECRETS.imapPassword)
    }" />
    <add name="app" type="ImapOAuthMicrosoftApp" host="outlook.office365.com" userName="scan@contoso.com" />
  </emailSources>
  <oauth><provider name="Microsoft" clientId="9e5f94bc" tenant="contoso.onmicrosoft.com" clientSecret="${
      xmlAttribute(SECRETS.clientSecret)
    }" /></oauth>
  <http token="${SECRETS.httpToken}" />
</mps>
`,
  );
  try {
    return await body(file);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const ENV = { MPS_HTTP_TOKEN: SECRETS.envHttpToken, MPS_STORAGE_KEY: SECRETS.storageKey };

/** Lines as code might log them by mistake: in prose, under harmless keys, inside objects, URL-encoded. */
function leakyLines(secret: string): [string, Record<string, unknown>][] {
  return [
    [`connecting with ${secret} now`, {}],
    ["retrying", { detail: secret }],
    ["request failed", { body: { user: "print@contoso.com", note: secret } }],
    [`GET /x?q=${encodeURIComponent(secret)}&page=2`, {}],
  ];
}

test("loading the config registers every secret in it, so a log line holding one comes out redacted", async () => {
  await withConfig(async (file) => {
    const redactor = createRedactor();
    await loadConfig(file, { env: ENV, redactor });
    const sink = createMemorySink();
    const log = createLogger({ now: () => 0, sinks: [sink], redactor }).child("test");
    for (const [name, secret] of Object.entries(SECRETS)) {
      sink.clear();
      for (const [message, fields] of leakyLines(secret)) log.info(message, fields);
      const text = sink.text();
      assert.ok(!text.includes(secret) && !text.includes(encodeURIComponent(secret)), `${name} leaked: ${text}`);
      assert.equal(text.split(REDACTED).length - 1, 4, `${name}: ${text}`);
    }
  });
});

test("the program's shared redactor knows the config's secrets once the config is loaded", async () => {
  await withConfig(async (file) => {
    assert.ok(redact(`pw ${SECRETS.imapPassword}`).includes(SECRETS.imapPassword), "registered before loading");
    await loadConfig(file, { env: ENV });
    for (const secret of Object.values(SECRETS)) {
      assert.equal(redact(`value ${secret} end`), `value ${REDACTED} end`, secret);
    }
  });
});

test("a value logged under a key named pass, secret or token, or a longer name ending in one, is redacted", () => {
  const redactor = createRedactor();
  const sink = createMemorySink();
  const log = createLogger({ now: () => 0, sinks: [sink], redactor }).child("test");
  log.info("fields", { token: "t0k3n-field", smtpPass: "p4ss-field", clientSecret: "s3cr3t-field" });
  log.info("object", {
    request: {
      access_token: "at-in-json",
      secret: "plain-secret-in-json",
      pass: "pw-in-json",
      tokenValue: "tv-in-json",
    },
  });
  log.info('text "x-auth-token": "hdr-token-value" and api_token=abc-api-token and secret_key=\'sk-value\'');
  const text = sink.text();
  for (
    const value of [
      "t0k3n-field",
      "p4ss-field",
      "s3cr3t-field",
      "at-in-json",
      "plain-secret-in-json",
      "pw-in-json",
      "tv-in-json",
      "hdr-token-value",
      "abc-api-token",
      "sk-value",
    ]
  ) {
    assert.ok(!text.includes(value), `${value} left in: ${text}`);
  }
});

test("keys that only describe a secret, and prose around the words, are left alone", () => {
  const redactor = createRedactor();
  for (
    const line of [
      "tokenExpiresAt=2026-11-27T20:29:45.000Z token_type=Bearer hasRefreshToken=true passed=12 bypass=1",
      "No token: try mps login Microsoft print@contoso.com",
      "secretExpires=2027-01-31 tokens=3 password=",
    ]
  ) {
    assert.equal(redactor.redact(line), line);
  }
});

test("reading the storage key file registers the key with the shared redactor", async () => {
  const dir = await mkdtemp(path.join(tmpdir(), "mps-key-"));
  try {
    const key = Buffer.from(globalThis.crypto.getRandomValues(new Uint8Array(32))).toString("base64");
    await writeFile(path.join(dir, "mps.key"), `${key}\n`);
    assert.equal(redact(`key ${key}`), `key ${key}`, "a random key is unknown before");
    assert.notEqual(await loadStorageKey({ keyFile: path.join(dir, "mps.key"), env: {} }), undefined);
    assert.equal(redact(`key ${key}`), `key ${REDACTED}`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
