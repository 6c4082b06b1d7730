import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { readFile, rm, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import type { StoredTokens } from "../../src/storage/index.ts";
import { makeTempConf, storeIn } from "./storage_test_kit.ts";

const POSIX = process.platform !== "win32";
const TOKENS: StoredTokens = {
  accessToken: "eyJ0eXAiOiJKV1Qi.access-SECRET-4711",
  accessTokenExpiresAt: 1_700_000_000_000,
  refreshToken: "0.AAAA-refresh-SECRET-0815",
  refreshTokenIssuedAt: 1_699_990_000_000,
  idTokenClaims: { sub: "abc", email: "Print@Contoso.com", preferred_username: "print@contoso.com" },
  scopes: ["https://outlook.office.com/IMAP.AccessAsUser.All", "offline_access"],
  tokenType: "Bearer",
  futureField: { nested: true },
};

describe("token store", () => {
  let conf: Awaited<ReturnType<typeof makeTempConf>>;
  before(async () => (conf = await makeTempConf()));
  after(async () => conf.cleanup());

  test("reads back exactly the tokens it wrote, unknown fields included", async () => {
    const store = storeIn(conf);
    await store.write("microsoft", "print@contoso.com", TOKENS);
    assert.deepEqual(await store.read("microsoft", "print@contoso.com"), TOKENS);
  });

  test("places the file at <provider>/<username>.json with both names lower-cased", async () => {
    const store = storeIn(conf);
    await store.write("Microsoft", "Scan@Contoso.COM", TOKENS);
    const expected = join(conf.storageDir, "microsoft", "scan@contoso.com.json");
    assert.equal(store.path("MICROSOFT", "scan@contoso.com"), expected);
    assert.ok((await stat(expected)).isFile());
    assert.deepEqual(await store.read("microsoft", "SCAN@contoso.com"), TOKENS);
  });

  test("writes an envelope with provider and username in clear and no token in clear", async () => {
    const store = storeIn(conf);
    await store.write("microsoft", "print@contoso.com", TOKENS);
    const bytes = await readFile(store.path("microsoft", "print@contoso.com"));
    for (const secret of ["access-SECRET-4711", "refresh-SECRET-0815", "eyJ0eXAi", "IMAP.AccessAsUser"]) {
      assert.equal(bytes.includes(Buffer.from(secret)), false, `found '${secret}' in clear`);
    }
    const envelope = JSON.parse(bytes.toString("utf8"));
    assert.deepEqual(Object.keys(envelope).sort(), [
      "alg",
      "ciphertext",
      "createdAt",
      "format",
      "iv",
      "provider",
      "updatedAt",
      "username",
    ]);
    assert.equal(envelope.format, "mps-token/1");
    assert.equal(envelope.alg, "A256GCM");
    assert.equal(envelope.provider, "microsoft");
    assert.equal(envelope.username, "print@contoso.com");
    assert.equal(Buffer.from(envelope.iv, "base64").length, 12);
  });

  test(
    "creates the token file and the key file with mode 0600, and new folders with 0700",
    { skip: !POSIX },
    async () => {
      const own = await makeTempConf();
      const store = storeIn(own);
      await store.write("microsoft", "print@contoso.com", TOKENS);
      assert.equal((await stat(own.storageDir)).mode & 0o777, 0o700);
      assert.equal((await stat(join(own.storageDir, "microsoft"))).mode & 0o777, 0o700);
      assert.equal((await stat(store.path("microsoft", "print@contoso.com"))).mode & 0o777, 0o600);
      assert.equal((await stat(own.keyFile)).mode & 0o777, 0o600);
      await own.cleanup();
    },
  );

  test("keeps createdAt and moves updatedAt on a rewrite", async () => {
    let clock = Date.parse("2025-03-01T10:00:00Z");
    const store = storeIn(conf, { now: () => clock });
    await store.write("microsoft", "dated@contoso.com", TOKENS);
    clock += 60_000;
    await store.write("microsoft", "dated@contoso.com", { ...TOKENS, accessToken: "new" });
    const entry = (await store.list()).find((e) => e.username === "dated@contoso.com");
    assert.equal(entry?.createdAt, Date.parse("2025-03-01T10:00:00Z"));
    assert.equal(entry?.updatedAt, Date.parse("2025-03-01T10:01:00Z"));
  });

  test("returns undefined for a user without a token file", async () => {
    assert.equal(await storeIn(conf).read("microsoft", "nobody@contoso.com"), undefined);
  });

  test("update stores what the change returns and leaves the file alone when it returns undefined", async () => {
    const store = storeIn(conf);
    const first = await store.update("microsoft", "rotate@contoso.com", (old) => {
      assert.equal(old, undefined);
      return { refreshToken: "r1" };
    });
    assert.deepEqual(first, { refreshToken: "r1" });
    const second = await store.update(
      "microsoft",
      "rotate@contoso.com",
      async (old) => ({ ...old, refreshToken: "r2", accessToken: "a2" }),
    );
    assert.deepEqual(second, { refreshToken: "r2", accessToken: "a2" });
    const before = await readFile(store.path("microsoft", "rotate@contoso.com"), "utf8");
    assert.deepEqual(await store.update("microsoft", "rotate@contoso.com", () => undefined), second);
    assert.equal(await readFile(store.path("microsoft", "rotate@contoso.com"), "utf8"), before);
  });

  test("lists provider, username, path and times without needing the key", async () => {
    const store = storeIn(conf);
    await store.write("microsoft", "list@contoso.com", TOKENS);
    const keyless = storeIn({ storageDir: conf.storageDir, keyFile: join(conf.root, "no-such.key") });
    const entries = await keyless.list();
    const entry = entries.find((e) => e.username === "list@contoso.com");
    assert.equal(entry?.provider, "microsoft");
    assert.equal(entry?.path, store.path("microsoft", "list@contoso.com"));
    assert.equal(typeof entry?.updatedAt, "number");
    assert.equal(entry?.error, undefined);
    const sorted = [...entries].sort((a, b) =>
      `${a.provider}/${a.username}`.localeCompare(`${b.provider}/${b.username}`)
    );
    assert.deepEqual(entries.map((e) => e.path), sorted.map((e) => e.path));
  });

  test("lists a damaged file with its error instead of failing the whole list", async () => {
    const store = storeIn(conf);
    await store.write("google", "broken@example.com", TOKENS);
    await writeFile(store.path("google", "broken@example.com"), "{ not json");
    const entry = (await store.list()).find((e) => e.username === "broken@example.com");
    assert.equal(entry?.error?.code, "ERR_STORAGE_FORMAT");
    await store.remove({ provider: "google" });
  });

  test("removes one user's file and leaves the others", async () => {
    const store = storeIn(conf);
    await store.write("microsoft", "keep@contoso.com", TOKENS);
    await store.write("microsoft", "drop@contoso.com", TOKENS);
    await store.write("google", "drop@contoso.com", TOKENS);
    const removed = await store.remove({ provider: "Microsoft", username: "DROP@contoso.com" });
    assert.deepEqual(removed.map((e) => `${e.provider}/${e.username}`), ["microsoft/drop@contoso.com"]);
    assert.equal(await store.read("microsoft", "drop@contoso.com"), undefined);
    assert.deepEqual(await store.read("microsoft", "keep@contoso.com"), TOKENS);
    assert.deepEqual(await store.read("google", "drop@contoso.com"), TOKENS);
  });

  test("removes a file it cannot decrypt, and everything when given no filter", async () => {
    const store = storeIn(conf);
    await store.write("microsoft", "tampered@contoso.com", TOKENS);
    await writeFile(store.path("microsoft", "tampered@contoso.com"), "garbage");
    assert.ok((await store.remove({ username: "tampered@contoso.com" })).length === 1);
    await store.remove();
    assert.deepEqual(await store.list(), []);
    await store.write("microsoft", "again@contoso.com", TOKENS);
    assert.deepEqual(await store.read("microsoft", "again@contoso.com"), TOKENS);
  });

  test("keeps working after the whole storage folder is deleted, with the same key file", async () => {
    const store = storeIn(conf);
    await store.write("microsoft", "print@contoso.com", TOKENS);
    const key = await readFile(conf.keyFile, "utf8");
    await rm(conf.storageDir, { recursive: true });
    await storeIn(conf).write("microsoft", "print@contoso.com", TOKENS);
    assert.deepEqual(await storeIn(conf).read("microsoft", "print@contoso.com"), TOKENS);
    assert.equal(await readFile(conf.keyFile, "utf8"), key);
  });
});
