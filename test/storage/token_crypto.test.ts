import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { copyFile, mkdir, readFile, rm, unlink, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import { after, before, describe, test } from "node:test";
import {
  StorageDecryptError,
  StorageFormatError,
  StorageKeyError,
  StorageKeyMissingError,
} from "../../src/storage/index.ts";
import { makeTempConf, randomKey, storeIn } from "./storage_test_kit.ts";

const TOKENS = { accessToken: "access-SECRET-1", refreshToken: "refresh-SECRET-2" };

/** Asserts the error is `type`, has its stable code, a cause, names `path` and leaks no token. */
function assertStorageError(error: unknown, type: { CODE: string; name: string }, path: string): true {
  assert.equal((error as Error).name, type.name);
  assert.equal((error as { code?: string }).code, type.CODE);
  assert.notEqual((error as Error).cause, undefined, "cause is set");
  const message = (error as Error).message;
  assert.ok(message.includes(`'${path}'`), `message names the file: ${message}`);
  const cause = (error as Error).cause as { message?: string } | undefined;
  assert.ok(
    !/SECRET/.test(`${message} ${(error as { fix?: string }).fix} ${cause?.message}`),
    "no secret in message or cause",
  );
  return true;
}

describe("token encryption", () => {
  let conf: Awaited<ReturnType<typeof makeTempConf>>;
  before(async () => (conf = await makeTempConf()));
  after(async () => conf.cleanup());

  test("rejects a file with one flipped ciphertext byte with StorageDecryptError naming the file", async () => {
    const store = storeIn(conf);
    await store.write("microsoft", "flip@contoso.com", TOKENS);
    const path = store.path("microsoft", "flip@contoso.com");
    const envelope = JSON.parse(await readFile(path, "utf8"));
    const bytes = Buffer.from(envelope.ciphertext, "base64");
    bytes[3] = (bytes[3] ?? 0) ^ 0x01;
    envelope.ciphertext = bytes.toString("base64");
    await writeFile(path, JSON.stringify(envelope));
    await assert.rejects(store.read("microsoft", "flip@contoso.com"), (error) => {
      assertStorageError(error, StorageDecryptError, path);
      assert.match((error as Error).message, /it was changed or written with another storage key/);
      assert.match((error as StorageDecryptError).fix ?? "", /mps reset-storage --user flip@contoso\.com/);
      return true;
    });
    await assert.rejects(store.update("microsoft", "flip@contoso.com", () => TOKENS), StorageDecryptError);
  });

  test("rejects a file read with another MPS_STORAGE_KEY with StorageDecryptError naming the key source", async () => {
    const writer = storeIn(conf, { env: { MPS_STORAGE_KEY: randomKey() } });
    await writer.write("microsoft", "envkey@contoso.com", TOKENS);
    assert.deepEqual(await writer.read("microsoft", "envkey@contoso.com"), TOKENS);
    const reader = storeIn(conf, { env: { MPS_STORAGE_KEY: randomKey() } });
    const path = reader.path("microsoft", "envkey@contoso.com");
    await assert.rejects(reader.read("microsoft", "envkey@contoso.com"), (error) => {
      assertStorageError(error, StorageDecryptError, path);
      assert.match((error as Error).message, /MPS_STORAGE_KEY/);
      return true;
    });
  });

  test("rejects an MPS_STORAGE_KEY that is not the base64 of 32 bytes, without echoing it", async () => {
    const store = storeIn(conf, { env: { MPS_STORAGE_KEY: randomKey() } });
    await store.write("microsoft", "badkey@contoso.com", TOKENS);
    for (const bad of ["c2hvcnQ=", `${randomKey()}AAAA`, "not a key at all, not base64 !!!!!!!!!!!!!!!!!!"]) {
      const broken = storeIn(conf, { env: { MPS_STORAGE_KEY: bad } });
      await assert.rejects(broken.read("microsoft", "badkey@contoso.com"), (error) => {
        assert.ok(error instanceof StorageKeyError);
        assert.equal(error.code, "ERR_STORAGE_KEY");
        assert.match(error.message, /^Cannot use MPS_STORAGE_KEY: expected the base64 of exactly 32 bytes/);
        assert.ok(!error.message.includes(bad), "the value is not shown");
        assert.notEqual(error.cause, undefined);
        return true;
      });
      await assert.rejects(broken.write("microsoft", "other@contoso.com", TOKENS), StorageKeyError);
    }
  });

  test("fails to decrypt alice's file copied over bob's name", async () => {
    const store = storeIn(conf);
    await store.write("microsoft", "alice@contoso.com", { refreshToken: "alice-SECRET" });
    await store.write("microsoft", "bob@contoso.com", { refreshToken: "bob-SECRET" });
    const bob = store.path("microsoft", "bob@contoso.com");
    await copyFile(store.path("microsoft", "alice@contoso.com"), bob);
    await assert.rejects(
      store.read("microsoft", "bob@contoso.com"),
      (error) => assertStorageError(error, StorageDecryptError, bob),
    );
    // Editing the clear names to match does not help: they are authenticated data.
    const envelope = JSON.parse(await readFile(bob, "utf8"));
    await writeFile(bob, JSON.stringify({ ...envelope, username: "bob@contoso.com" }));
    await assert.rejects(
      store.read("microsoft", "bob@contoso.com"),
      (error) => assertStorageError(error, StorageDecryptError, bob),
    );
    const listed = (await store.list()).find((e) => e.path === bob);
    assert.equal(listed?.error, undefined);
    await writeFile(bob, JSON.stringify(envelope));
    assert.equal((await store.list()).find((e) => e.path === bob)?.error?.code, "ERR_STORAGE_DECRYPT");
  });

  test("rejects a file that is not JSON, and one of an unknown format version, with StorageFormatError", async () => {
    const store = storeIn(conf);
    await store.write("microsoft", "format@contoso.com", TOKENS);
    const path = store.path("microsoft", "format@contoso.com");
    const envelope = JSON.parse(await readFile(path, "utf8"));
    for (const damaged of ['{"format": "mps-token/1", ', '{"refreshToken": refresh-SECRET-2}']) {
      await writeFile(path, damaged);
      await assert.rejects(store.read("microsoft", "format@contoso.com"), (error) => {
        assertStorageError(error, StorageFormatError, path);
        assert.match((error as Error).message, /is not valid JSON( \(error at character \d+\))?$/);
        return true;
      });
    }
    await writeFile(path, JSON.stringify({ ...envelope, format: "mps-token/2" }));
    await assert.rejects(store.read("microsoft", "format@contoso.com"), (error) => {
      assertStorageError(error, StorageFormatError, path);
      assert.match((error as Error).message, /format 'mps-token\/2', written by another version of mps/);
      return true;
    });
    await writeFile(path, JSON.stringify({ ...envelope, iv: "AAAA" }));
    await assert.rejects(store.read("microsoft", "format@contoso.com"), /field 'iv' is not the base64 of 12 bytes/);
  });

  test("creates the key file once and reuses it", async () => {
    const own = await makeTempConf();
    try {
      await storeIn(own).write("microsoft", "one@contoso.com", TOKENS);
      const key = await readFile(own.keyFile, "utf8");
      assert.equal(Buffer.from(key.trim(), "base64").length, 32);
      await storeIn(own).write("microsoft", "two@contoso.com", TOKENS);
      assert.equal(await readFile(own.keyFile, "utf8"), key);
      assert.deepEqual(await storeIn(own).read("microsoft", "one@contoso.com"), TOKENS);
    } finally {
      await own.cleanup();
    }
  });

  test("uses MPS_STORAGE_KEY without creating a key file", async () => {
    const own = await makeTempConf();
    try {
      const env = { MPS_STORAGE_KEY: randomKey() };
      await storeIn(own, { env }).write("microsoft", "one@contoso.com", TOKENS);
      await assert.rejects(readFile(own.keyFile), { code: "ENOENT" });
      assert.deepEqual(await storeIn(own, { env }).read("microsoft", "one@contoso.com"), TOKENS);
    } finally {
      await own.cleanup();
    }
  });

  test("says the key file is missing when a token file exists, and refuses to make a new key", async () => {
    const own = await makeTempConf();
    try {
      const store = storeIn(own);
      await store.write("microsoft", "lost@contoso.com", TOKENS);
      await unlink(own.keyFile);
      const path = store.path("microsoft", "lost@contoso.com");
      await assert.rejects(storeIn(own).read("microsoft", "lost@contoso.com"), (error) => {
        assertStorageError(error, StorageKeyMissingError, path);
        assert.ok((error as Error).message.includes(`'${own.keyFile}'`));
        return true;
      });
      await assert.rejects(storeIn(own).write("microsoft", "new@contoso.com", TOKENS), StorageKeyMissingError);
      await assert.rejects(readFile(own.keyFile), { code: "ENOENT" });
      await storeIn(own).remove();
      await storeIn(own).write("microsoft", "new@contoso.com", TOKENS);
      assert.deepEqual(await storeIn(own).read("microsoft", "new@contoso.com"), TOKENS);
    } finally {
      await own.cleanup();
    }
  });

  test("rejects a key file that does not hold a key", async () => {
    const own = await makeTempConf();
    try {
      await mkdir(dirname(own.keyFile), { recursive: true });
      await writeFile(own.keyFile, "hello\n");
      await assert.rejects(storeIn(own).write("microsoft", "x@contoso.com", TOKENS), (error) => {
        assert.ok(error instanceof StorageKeyError);
        assert.ok(error.message.startsWith(`Cannot use storage key file '${own.keyFile}': expected the base64`));
        return true;
      });
    } finally {
      await rm(own.root, { recursive: true, force: true });
    }
  });
});
