import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { describe, test } from "node:test";
import { createRedactor, MAX_SECRETS, REDACTED } from "../../src/log/index.ts";
import { STORAGE_KEY } from "./samples.ts";

describe("registered exact secrets", () => {
  test("replaces every exact occurrence of a registered secret", () => {
    const redactor = createRedactor();
    redactor.registerSecret("Winter2026!Print");
    assert.equal(
      redactor.redact("login with Winter2026!Print failed; retry Winter2026!Print"),
      `login with ${REDACTED} failed; retry ${REDACTED}`,
    );
  });

  test("replaces a registered secret that no pattern would recognise", () => {
    const redactor = createRedactor();
    const line = "IMAP greeting echoed plainpass42 back";
    assert.equal(redactor.redact(line), line);
    redactor.registerSecret("plainpass42");
    assert.equal(redactor.redact(line), `IMAP greeting echoed ${REDACTED} back`);
  });

  test("replaces the base64 form of a registered secret", () => {
    const redactor = createRedactor();
    redactor.registerSecret("hunter22-print");
    const encoded = Buffer.from("hunter22-print").toString("base64");
    assert.equal(redactor.redact(`sent ${encoded} to server`), `sent ${REDACTED} to server`);
    const unpadded = Buffer.from("hunter22-print").toString("base64url");
    assert.equal(redactor.redact(`sent ${unpadded}.`), `sent ${REDACTED}.`);
  });

  test("finds a registered password inside a base64 AUTHENTICATE PLAIN blob at any alignment", () => {
    const redactor = createRedactor();
    redactor.registerSecret("hunter22-print");
    for (const user of ["a", "ab", "abc"]) {
      const blob = Buffer.from(`\0${user}@contoso.com\0hunter22-print`).toString("base64");
      assert.equal(redactor.redact(`C: ${blob}`), `C: ${REDACTED}`, `user ${user}`);
    }
  });

  test("replaces the URL-encoded, form-encoded, JSON-escaped and XML-escaped forms", () => {
    const redactor = createRedactor();
    const secret = 'p&ss w"rd/+<1>';
    redactor.registerSecret(secret);
    for (
      const form of [
        secret,
        encodeURIComponent(secret),
        encodeURIComponent(secret).replace(/%20/g, "+"),
        JSON.stringify(secret).slice(1, -1),
        "p&amp;ss w&quot;rd/+&lt;1&gt;",
      ]
    ) {
      assert.equal(redactor.redact(`x ${form} y`), `x ${REDACTED} y`, form);
    }
  });

  test("replaces the storage key and its base64 form", () => {
    const redactor = createRedactor();
    redactor.registerSecret(STORAGE_KEY);
    assert.equal(redactor.redact(`key ${STORAGE_KEY} loaded`), `key ${REDACTED} loaded`);
    assert.equal(redactor.redact(`${Buffer.from(STORAGE_KEY).toString("base64")}`), REDACTED);
  });

  test("replaces the longer of two overlapping secrets whole", () => {
    const redactor = createRedactor();
    redactor.registerSecret("abcdef123");
    redactor.registerSecret("abcdef123456789");
    assert.equal(redactor.redact("t=abcdef123456789!"), `t=${REDACTED}!`);
  });

  test("ignores empty, missing and short values so ordinary text is not mangled", () => {
    const redactor = createRedactor();
    for (const value of ["", "a", "print", "12345", undefined, null]) redactor.registerSecret(value);
    assert.equal(redactor.secretCount, 0);
    const line = "print job 12345 from a@contoso.com";
    assert.equal(redactor.redact(line), line);
  });

  test("keeps each redactor's registry to itself", () => {
    const first = createRedactor();
    const second = createRedactor();
    first.registerSecret("only-in-first");
    assert.equal(first.redact("only-in-first"), REDACTED);
    assert.equal(second.redact("only-in-first"), "only-in-first");
  });

  test("forgets a secret on request and all secrets on clear", () => {
    const redactor = createRedactor();
    redactor.registerSecret("forget-me-please");
    redactor.registerSecret("keep-me-please");
    redactor.forgetSecret("forget-me-please");
    assert.equal(redactor.redact("forget-me-please keep-me-please"), `forget-me-please ${REDACTED}`);
    redactor.clear();
    assert.equal(redactor.secretCount, 0);
    assert.equal(redactor.redact("keep-me-please"), "keep-me-please");
  });

  test("drops the oldest secrets beyond the limit, and a re-registered one counts as new", () => {
    const redactor = createRedactor();
    redactor.registerSecret("secret-number-0");
    redactor.registerSecret("secret-number-1");
    for (let index = 2; index < MAX_SECRETS + 1; index++) {
      if (index === MAX_SECRETS) redactor.registerSecret("secret-number-0"); // refreshed
      redactor.registerSecret(`secret-number-${index}`);
    }
    assert.equal(redactor.secretCount, MAX_SECRETS);
    assert.equal(redactor.redact("secret-number-0"), REDACTED);
    assert.equal(redactor.redact("secret-number-1"), "secret-number-1");
  });

  test("forgets old tokens before the passwords and keys registered at start", () => {
    const redactor = createRedactor();
    redactor.registerSecret("config-password-1");
    redactor.registerSecret(STORAGE_KEY);
    for (let index = 0; index < MAX_SECRETS + 5; index++) redactor.registerSecret(`token-${index}-`.padEnd(120, "x"));
    assert.equal(redactor.secretCount, MAX_SECRETS);
    assert.equal(redactor.redact(`config-password-1 ${STORAGE_KEY}`), `${REDACTED} ${REDACTED}`);
    const oldest = "token-0-".padEnd(120, "x");
    assert.equal(redactor.redact(oldest), oldest);
    assert.equal(redactor.redact(`token-${MAX_SECRETS + 4}-`.padEnd(120, "x")), REDACTED);
  });

  test("also registers the trimmed form of a secret with surrounding spaces", () => {
    const redactor = createRedactor();
    redactor.registerSecret("  spaced-secret ");
    assert.equal(redactor.redact('password="spaced-secret"'.replace("password", "value")), `value="${REDACTED}"`);
  });

  test("finds each of many registered secrets at the start, middle and end of a line", () => {
    const redactor = createRedactor();
    const secrets = Array.from({ length: 250 }, (_, index) => `pw-${index * 7919}-${(index * 104729).toString(36)}`);
    for (const secret of secrets) redactor.registerSecret(secret);
    for (const secret of [secrets[0] ?? "", secrets[123] ?? "", secrets[249] ?? ""]) {
      assert.equal(redactor.redact(secret), REDACTED);
      assert.equal(redactor.redact(`a ${secret} b`), `a ${REDACTED} b`);
      assert.equal(redactor.redact(`x=${secret}`), `x=${REDACTED}`);
      assert.equal(redactor.redact(`[${Buffer.from(`\0${secret}`).toString("base64")}]`), `[${REDACTED}]`);
    }
    assert.equal(redactor.redact("pw-7919 is not a whole secret"), "pw-7919 is not a whole secret");
  });

  test("stays fast with many long registered tokens", () => {
    const redactor = createRedactor();
    for (let index = 0; index < 300; index++) {
      redactor.registerSecret(Buffer.from(`token-${index}-`.repeat(60)).toString("base64url"));
    }
    const started = performance.now();
    for (let index = 0; index < 2000; index++) {
      redactor.redact(
        `2026-11-27T19:29:45.123Z INFO  [downloader] Downloaded message uid=${index} source=print@contoso.com`,
      );
    }
    assert.ok(performance.now() - started < 2000, "2,000 lines with 300 tokens took over 2 s");
  });
});
