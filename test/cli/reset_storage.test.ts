import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import * as path from "node:path";
import process from "node:process";
import { after, describe, test } from "node:test";
import { createResetStorageCommand } from "../../src/cli/reset_storage.ts";
import type { CliContext } from "../../src/cli/context.ts";
import { loadConfig } from "../../src/config/index.ts";
import { openTokenStore } from "../../src/storage/index.ts";
import type { TokenStore } from "../../src/storage/index.ts";
import { runMps } from "../helpers/run_mps.ts";

const CONFIG = `<mps version="6">
  <emailSources>
    <add type="ImapOAuthMicrosoft" host="outlook.office365.com" userName="print@contoso.com" />
  </emailSources>
  <oauth storage="oauth-storage">
    <provider name="Microsoft" clientId="11111111-2222-3333-4444-555555555555" />
    <provider name="Google" clientId="g" clientSecret="gs" />
  </oauth>
</mps>
`;

type Workspace = { dir: string; config: string; store: TokenStore };
const made: string[] = [];

async function workspace(): Promise<Workspace> {
  const dir = await mkdtemp(path.join(tmpdir(), "mps-reset-"));
  made.push(dir);
  const config = path.join(dir, "mps.config");
  await writeFile(config, CONFIG);
  const store = openTokenStore({
    storageDir: path.join(dir, "oauth-storage"),
    keyFile: path.join(dir, "mps.key"),
    env: {},
    now: Date.now,
  });
  const tokens = {
    accessToken: "access-token-value-1",
    refreshToken: "refresh-token-value-1",
    accessTokenExpiresAt: Date.now() + 3600_000,
  };
  await store.write("microsoft", "print@contoso.com", tokens);
  await store.write("microsoft", "scan@contoso.com", tokens);
  await store.write("google", "print@contoso.com", tokens);
  return { dir, config, store };
}

async function stored(store: TokenStore): Promise<string[]> {
  return (await store.list()).map((e) => `${e.provider}/${e.username}`);
}

after(async () => {
  for (const dir of made) await rm(dir, { recursive: true, force: true });
});

describe("mps reset-storage as a subprocess", () => {
  test("--user deletes only that user's tokens and leaves the others", async () => {
    const w = await workspace();
    const result = await runMps(["reset-storage", "--user", "Print@Contoso.com", "--yes", "--config", w.config]);
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(await stored(w.store), ["microsoft/scan@contoso.com"]);
    assert.match(result.stdout, /These 2 token files for user 'Print@Contoso\.com' will be deleted:/);
    assert.ok(result.stdout.includes(w.store.path("microsoft", "print@contoso.com")), result.stdout);
    assert.match(
      result.stdout,
      /Deleted 2 token files:\n {2}google \/ print@contoso\.com {2}.*\n {2}microsoft \/ print@contoso\.com /,
    );
  });

  test("without a terminal and without --yes it lists the files, deletes nothing and exits 2", async () => {
    const w = await workspace();
    const result = await runMps(["reset-storage", "--config", w.config]);
    assert.equal(result.code, 2);
    assert.match(result.stdout, /These 3 token files will be deleted:/);
    for (
      const [provider, user] of [["google", "print@contoso.com"], ["microsoft", "print@contoso.com"], [
        "microsoft",
        "scan@contoso.com",
      ]] as const
    ) {
      assert.ok(result.stdout.includes(`${provider} / ${user}  ${w.store.path(provider, user)}`), result.stdout);
    }
    assert.match(result.stderr, /nothing deleted: .*add --yes/);
    assert.equal((await stored(w.store)).length, 3);
  });

  test("--provider matches case-insensitively", async () => {
    const w = await workspace();
    const result = await runMps(["reset-storage", "--provider", "MICROSOFT", "-y", "--config", w.config]);
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(await stored(w.store), ["google/print@contoso.com"]);
    assert.equal(
      existsSync(path.join(w.dir, "oauth-storage", "microsoft")),
      false,
      "the empty provider folder is removed",
    );
  });

  test("says so when nothing matches and exits 0", async () => {
    const w = await workspace();
    const result = await runMps(["reset-storage", "--user", "nobody@contoso.com", "--config", w.config]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(
      result.stdout,
      /No stored tokens for user 'nobody@contoso\.com' in '.*oauth-storage': nothing to delete\./,
    );
    assert.equal((await stored(w.store)).length, 3);
  });
});

describe("mps reset-storage in-process", () => {
  async function run(
    w: Workspace,
    options: Record<string, string | true>,
    prompt: CliContext["prompt"],
    lockTimeoutMs?: number,
  ) {
    let out = "";
    let err = "";
    const questions: string[] = [];
    const context: CliContext = {
      env: {},
      cwd: w.dir,
      executableDir: undefined,
      stdout: (t) => (out += t),
      stderr: (t) => (err += t),
      interactive: prompt !== undefined,
      prompt: prompt === undefined ? undefined : (q) => {
        questions.push(q);
        return prompt(q);
      },
      now: Date.now,
      fetch: globalThis.fetch.bind(globalThis),
      shutdown: new AbortController().signal,
    };
    const config = await loadConfig(w.config, { env: {} });
    const handler = createResetStorageCommand(lockTimeoutMs === undefined ? {} : { lockTimeoutMs });
    const code = await handler({ context, config, positionals: [], options });
    return { code, out, err, questions };
  }

  test("asks before deleting when interactive and deletes on 'y'", async () => {
    const w = await workspace();
    const result = await run(w, { user: "scan@contoso.com" }, () => Promise.resolve("y"));
    assert.equal(result.code, 0);
    assert.deepEqual(result.questions, ["Delete 1 token file? [y/N] "]);
    assert.deepEqual(await stored(w.store), ["google/print@contoso.com", "microsoft/print@contoso.com"]);
  });

  test("an empty answer at the prompt deletes nothing", async () => {
    const w = await workspace();
    const result = await run(w, {}, () => Promise.resolve(""));
    assert.equal(result.code, 1);
    assert.deepEqual(result.questions, ["Delete 3 token files? [y/N] "]);
    assert.match(result.out, /Nothing deleted\./);
    assert.equal((await stored(w.store)).length, 3);
  });

  test("names the running mps run and its pid when it holds the lock past the wait", async () => {
    const w = await workspace();
    const service = openTokenStore({
      storageDir: path.join(w.dir, "oauth-storage"),
      keyFile: path.join(w.dir, "mps.key"),
      env: {},
      now: Date.now,
      lockOwner: "mps run",
    });
    let release: () => void = () => undefined;
    let locked: () => void = () => undefined;
    const isLocked = new Promise<void>((resolve) => (locked = resolve));
    const holding = service.withLock(() =>
      new Promise<void>((resolve) => {
        release = resolve;
        locked();
      })
    );
    await isLocked;
    try {
      const result = await run(w, { yes: true }, undefined, 400);
      assert.equal(result.code, 1);
      assert.match(result.out, new RegExp(`Waiting for the token storage lock, held by mps run \\(pid ${process.pid}`));
      assert.match(
        result.err,
        new RegExp(`nothing deleted: mps run \\(pid ${process.pid} .*still holds the token storage lock`),
      );
      assert.match(result.err, new RegExp(`Fix: stop mps run \\(pid ${process.pid}\\)`));
    } finally {
      release();
      await holding;
    }
    assert.equal((await stored(w.store)).length, 3);
  });
});
