import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { parseSafeFileName, safeFileName, StorageNameError } from "../../src/storage/index.ts";

describe("safe file names", () => {
  test("keeps an email address as it is, lower-cased", () => {
    assert.equal(safeFileName("username", "Print@Contoso.com"), "print@contoso.com");
    assert.equal(
      safeFileName("username", " first.last+tag_1-x@sub.example.org "),
      "first.last+tag_1-x@sub.example.org",
    );
    assert.equal(safeFileName("provider", "Microsoft"), "microsoft");
  });

  test("percent-encodes characters Windows or POSIX reject, and percent itself", () => {
    assert.equal(safeFileName("username", 'a/b\\c:d*e?f"g<h>i|j%k l'), "a%2Fb%5Cc%3Ad%2Ae%3Ff%22g%3Ch%3Ei%7Cj%25k%20l");
    assert.equal(safeFileName("username", "tab\there"), "tab%09here");
    assert.equal(safeFileName("username", "müller@example.de"), "m%C3%BCller@example.de");
  });

  test("escapes leading and trailing dots and Windows device names", () => {
    assert.equal(safeFileName("username", ".."), "%2E%2E");
    assert.equal(safeFileName("provider", ".hidden."), "%2Ehidden%2E");
    assert.equal(safeFileName("username", "CON"), "%63on");
    assert.equal(safeFileName("username", "nul.backup"), "%6Eul.backup");
    assert.equal(safeFileName("username", "console"), "console");
  });

  test("decodes every name it makes back to the normalised name", () => {
    for (const name of ["print@contoso.com", 'x/y\\z:*?"<>|%', "..", "CON", "Ünïcødé@例え.jp", "a b", "lpt1.x"]) {
      const lower = name.trim().normalize("NFC").toLowerCase();
      assert.equal(parseSafeFileName("username", safeFileName("username", name)), lower);
    }
  });

  test("rejects an empty name, an overlong name and a file name mps would not write", () => {
    assert.throws(() => safeFileName("username", "  "), StorageNameError);
    assert.throws(() => safeFileName("username", "x".repeat(201)), /longer than 200 characters/);
    assert.throws(() => parseSafeFileName("username", "Upper@Case.com"), /mps would name it 'upper@case.com'/);
    assert.throws(() => parseSafeFileName("username", "bad%zzescape"), /not percent-encoded UTF-8/);
  });
});
