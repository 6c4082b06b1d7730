import { mkdir, readdir, readFile, rmdir, unlink } from "node:fs/promises";
import { dirname, join } from "node:path";
import { MpsError } from "../shared/errors.ts";
import { errnoCode } from "../shared/errno.ts";
import { writeFileAtomic } from "../shared/durable_file.ts";
import { syncPath } from "../shared/sync_path.ts";
import { inspectLock, withFileLock } from "./file_lock.ts";
import type { FileLockOptions } from "./file_lock.ts";
import { normalizeName, parseSafeFileName, safeFileName } from "./safe_file_name.ts";
import { StorageIoError, StorageKeyMissingError } from "./errors.ts";
import type { LockHolder } from "./errors.ts";
import { loadOrCreateStorageKey, loadStorageKey } from "./storage_key.ts";
import type { StorageKey } from "./storage_key.ts";
import type { StoredTokens, TokenEnvelope } from "./stored_tokens.ts";
import { checkIdentity, openEnvelope, parseEnvelope, sealTokens } from "./token_cipher.ts";
import type { TokenIdentity } from "./token_cipher.ts";

export type TokenStoreOptions = {
  /** The oauth-storage folder. */
  storageDir: string;
  /** The key file used when MPS_STORAGE_KEY is not set; keep it outside storageDir. */
  keyFile: string;
  env: Readonly<Record<string, string | undefined>>;
  /** ms epoch. */
  now: () => number;
  /** Shown to a process waiting for the lock, e.g. "mps run". */
  lockOwner?: string;
  /** Default 30 000. */
  lockTimeoutMs?: number;
  /** Default 30 000 (heartbeat every third of it). */
  lockStaleMs?: number;
};

/** One token file, described from its name and clear envelope only (no key needed). */
export type TokenEntry = {
  provider: string;
  username: string;
  path: string;
  /** ms epoch; undefined when the file cannot be read. */
  createdAt: number | undefined;
  updatedAt: number | undefined;
  /** Why the file is unusable (bad name, bad JSON, unknown format, copied from another user), else undefined. */
  error: MpsError | undefined;
};

export type TokenFilter = { provider?: string | undefined; username?: string | undefined };

/** Returns the new tokens to store, or undefined to leave the file as it is. */
export type TokenChange = (
  old: StoredTokens | undefined,
) => StoredTokens | undefined | Promise<StoredTokens | undefined>;

export type TokenStore = {
  readonly storageDir: string;
  /** `<storageDir>/<provider>/<username>.json`, names lower-cased and file-name safe. */
  path(provider: string, username: string): string;
  /** The stored tokens, or undefined when there is no file. Takes no lock: writes are atomic. */
  read(provider: string, username: string): Promise<StoredTokens | undefined>;
  /** Replaces the tokens, under the lock. */
  write(provider: string, username: string, tokens: StoredTokens): Promise<void>;
  /** Read-modify-write under the lock (for a refresh: the rotated token is stored before the old one is dropped). */
  update(provider: string, username: string, change: TokenChange): Promise<StoredTokens | undefined>;
  /** Every token file, sorted; reads only names and clear envelopes. */
  list(): Promise<TokenEntry[]>;
  /** Deletes the matching token files (all without a filter), under the lock; returns them. */
  remove(filter?: TokenFilter): Promise<TokenEntry[]>;
  /** Runs `fn` holding the cross-process storage lock (re-entrant: store calls inside do not wait). */
  withLock<T>(fn: () => Promise<T>): Promise<T>;
  /** Who holds the storage lock now, for a message such as "mps run (pid 1234) holds the lock". */
  lockHolder(): Promise<LockHolder | undefined>;
};

type Loaded = { tokens: StoredTokens; envelope: TokenEnvelope };

function parseTime(iso: string | undefined): number | undefined {
  const ms = iso === undefined ? Number.NaN : Date.parse(iso);
  return Number.isNaN(ms) ? undefined : ms;
}

/** Opens the encrypted token storage. Nothing is touched on disk until the first call. */
export function openTokenStore(options: TokenStoreOptions): TokenStore {
  const { storageDir, keyFile, env, now } = options;
  const lockPath = join(storageDir, ".lock");
  const lockOptions: FileLockOptions = {
    now,
    owner: options.lockOwner,
    timeoutMs: options.lockTimeoutMs ?? 30_000,
    staleMs: options.lockStaleMs ?? 30_000,
  };
  let cachedKey: StorageKey | undefined;

  const identity = (provider: string, username: string): TokenIdentity => ({
    provider: normalizeName(provider),
    username: normalizeName(username),
  });
  const pathOf = (provider: string, username: string): string =>
    join(storageDir, safeFileName("provider", provider), `${safeFileName("username", username)}.json`);
  const withLock = <T>(fn: () => Promise<T>): Promise<T> => withFileLock(lockPath, lockOptions, fn);

  async function keyToRead(path: string, user: string): Promise<StorageKey> {
    cachedKey ??= await loadStorageKey({ keyFile, env });
    if (cachedKey === undefined) {
      throw new StorageKeyMissingError(keyFile, path, user, { cause: new Error("no MPS_STORAGE_KEY and no key file") });
    }
    return cachedKey;
  }

  /** Creates a key only for an empty storage: a new key would make existing files unreadable for good. */
  async function keyToWrite(user: string): Promise<StorageKey> {
    cachedKey ??= await loadStorageKey({ keyFile, env });
    if (cachedKey !== undefined) return cachedKey;
    const existing = (await list())[0];
    if (existing !== undefined) {
      throw new StorageKeyMissingError(keyFile, existing.path, existing.username, {
        cause: new Error(`refusing to create a new key for ${user} while token files exist`),
      });
    }
    cachedKey = await loadOrCreateStorageKey({ keyFile, env });
    return cachedKey;
  }

  async function readEnvelope(path: string, user: string): Promise<TokenEnvelope | undefined> {
    let text: string;
    try {
      text = await readFile(path, "utf8");
    } catch (error) {
      if (errnoCode(error) === "ENOENT") return undefined;
      throw new StorageIoError("read token file", path, { cause: error });
    }
    return parseEnvelope(text, path, user);
  }

  async function load(id: TokenIdentity, path: string): Promise<Loaded | undefined> {
    const envelope = await readEnvelope(path, id.username);
    if (envelope === undefined) return undefined;
    checkIdentity(envelope, id, path);
    const key = await keyToRead(path, id.username);
    return { tokens: await openEnvelope(key, envelope, id, path), envelope };
  }

  async function store(id: TokenIdentity, path: string, tokens: StoredTokens, createdAt?: string): Promise<void> {
    const key = await keyToWrite(id.username);
    const updatedAt = new Date(now()).toISOString();
    const envelope = await sealTokens(key, id, tokens, { createdAt: createdAt ?? updatedAt, updatedAt });
    try {
      await mkdir(dirname(path), { recursive: true, mode: 0o700 });
      await writeFileAtomic(path, `${JSON.stringify(envelope, null, 2)}\n`);
    } catch (error) {
      throw new StorageIoError("write token file", path, { cause: error });
    }
  }

  async function entryFor(providerDir: string, provider: string, fileName: string): Promise<TokenEntry> {
    const path = join(storageDir, providerDir, fileName);
    const segment = fileName.slice(0, -".json".length);
    const entry: TokenEntry = {
      provider,
      username: segment,
      path,
      createdAt: undefined,
      updatedAt: undefined,
      error: undefined,
    };
    try {
      entry.username = parseSafeFileName("username", segment);
      const envelope = await readEnvelope(path, entry.username);
      if (envelope === undefined) return entry;
      entry.createdAt = parseTime(envelope.createdAt);
      entry.updatedAt = parseTime(envelope.updatedAt);
      checkIdentity(envelope, { provider, username: entry.username }, path);
    } catch (error) {
      if (!(error instanceof MpsError)) throw error;
      entry.error = error;
    }
    return entry;
  }

  async function names(path: string, directories: boolean): Promise<string[]> {
    try {
      const found = await readdir(path, { withFileTypes: true });
      return found
        .filter((d) =>
          !d.name.startsWith(".") && (directories ? d.isDirectory() : d.isFile() && d.name.endsWith(".json"))
        )
        .map((d) => d.name)
        .sort();
    } catch (error) {
      if (errnoCode(error) === "ENOENT") return [];
      throw new StorageIoError("list token folder", path, { cause: error });
    }
  }

  async function list(): Promise<TokenEntry[]> {
    const entries: TokenEntry[] = [];
    for (const providerDir of await names(storageDir, true)) {
      let provider = providerDir;
      let nameError: MpsError | undefined;
      try {
        provider = parseSafeFileName("provider", providerDir);
      } catch (error) {
        if (!(error instanceof MpsError)) throw error;
        nameError = error;
      }
      for (const fileName of await names(join(storageDir, providerDir), false)) {
        const entry = await entryFor(providerDir, provider, fileName);
        entries.push(nameError === undefined ? entry : { ...entry, error: nameError });
      }
    }
    return entries.sort((
      a,
      b,
    ) => (a.provider === b.provider ? a.username.localeCompare(b.username) : a.provider.localeCompare(b.provider)));
  }

  async function remove(filter: TokenFilter = {}): Promise<TokenEntry[]> {
    const provider = filter.provider === undefined ? undefined : normalizeName(filter.provider);
    const username = filter.username === undefined ? undefined : normalizeName(filter.username);
    return withLock(async () => {
      const chosen = (await list()).filter(
        (e) =>
          (provider === undefined || e.provider === provider) && (username === undefined || e.username === username),
      );
      const folders = new Set<string>();
      for (const entry of chosen) {
        try {
          await unlink(entry.path);
        } catch (error) {
          if (errnoCode(error) !== "ENOENT") {
            throw new StorageIoError("delete token file", entry.path, { cause: error });
          }
        }
        folders.add(dirname(entry.path));
      }
      for (const folder of folders) {
        await syncPath(folder).catch(() => undefined);
        await rmdir(folder).catch(() => undefined); // only when empty
      }
      return chosen;
    });
  }

  return {
    storageDir,
    path: pathOf,
    async read(provider, username) {
      return (await load(identity(provider, username), pathOf(provider, username)))?.tokens;
    },
    async write(provider, username, tokens) {
      const id = identity(provider, username);
      const path = pathOf(provider, username);
      await withLock(async () => {
        const old = await readEnvelope(path, id.username).catch(() => undefined);
        const createdAt = old !== undefined && old.provider === id.provider && old.username === id.username
          ? old.createdAt
          : undefined;
        await store(id, path, tokens, createdAt);
      });
    },
    async update(provider, username, change) {
      const id = identity(provider, username);
      const path = pathOf(provider, username);
      return withLock(async () => {
        const old = await load(id, path);
        const next = await change(old?.tokens);
        if (next === undefined) return old?.tokens;
        await store(id, path, next, old?.envelope.createdAt);
        return next;
      });
    },
    list,
    remove,
    withLock,
    lockHolder: () => inspectLock(lockPath, lockOptions),
  };
}
