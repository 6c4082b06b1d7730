import { errnoCode } from "../shared/errno.ts";
import { MpsError } from "../shared/errors.ts";

/** Identity of a lock holder, as written in `<storageDir>/.lock`. */
export type LockHolder = {
  /** Path of the lock file. */
  path: string;
  /** Process id, when the lock file could be read. */
  pid: number | undefined;
  hostname: string | undefined;
  /** What holds it, e.g. "mps run"; undefined when the holder did not say. */
  owner: string | undefined;
  /** When it was taken (ms epoch), from the lock file. */
  acquiredAt: number | undefined;
  /** Last heartbeat (lock file mtime, ms epoch). */
  touchedAt: number;
  /** True when the holder is gone (dead pid on this host) or silent for too long. */
  stale: boolean;
};

/** A token file cannot be decrypted: tampered, copied to another user's name, or another key. */
export class StorageDecryptError extends MpsError {
  static readonly CODE = "ERR_STORAGE_DECRYPT";
  readonly path: string;
  constructor(path: string, detail: string, user: string, options: { cause: unknown }) {
    super(
      StorageDecryptError.CODE,
      `Cannot decrypt token file '${path}': it was changed or written with another storage key (${detail})`,
      {
        cause: options.cause,
        fix: `Restore the storage key used at login (the key file, or set MPS_STORAGE_KEY to that key), ` +
          `or run \`mps reset-storage --user ${user}\` and log in again.`,
      },
    );
    this.path = path;
  }
}

/** A token file is not JSON, or not a format this mps understands. */
export class StorageFormatError extends MpsError {
  static readonly CODE = "ERR_STORAGE_FORMAT";
  readonly path: string;
  constructor(path: string, detail: string, user: string, options: { cause: unknown }) {
    super(StorageFormatError.CODE, `Cannot read token file '${path}': ${detail}`, {
      cause: options.cause,
      fix: `Run \`mps reset-storage --user ${user}\` and log in again, or restore the file from a backup.`,
    });
    this.path = path;
  }
}

/** MPS_STORAGE_KEY or the key file holds something that is not a 32-byte key, or cannot be read or created. */
export class StorageKeyError extends MpsError {
  static readonly CODE = "ERR_STORAGE_KEY";
  constructor(message: string, fix: string, options: { cause: unknown }) {
    super(StorageKeyError.CODE, message, { cause: options.cause, fix });
  }
}

/** Token files exist but there is no key to read them (no MPS_STORAGE_KEY, no key file). */
export class StorageKeyMissingError extends MpsError {
  static readonly CODE = "ERR_STORAGE_KEY_MISSING";
  readonly path: string;
  constructor(keyFile: string, tokenFile: string, user: string, options: { cause: unknown }) {
    super(
      StorageKeyMissingError.CODE,
      `Cannot read token file '${tokenFile}': the storage key file '${keyFile}' is missing and MPS_STORAGE_KEY is not set`,
      {
        cause: options.cause,
        fix: `Restore '${keyFile}' from a backup or set MPS_STORAGE_KEY to the key used at login; ` +
          `otherwise run \`mps reset-storage --user ${user}\` and log in again.`,
      },
    );
    this.path = tokenFile;
  }
}

/** The cross-process storage lock stayed held by another process for the whole wait. */
export class StorageLockTimeoutError extends MpsError {
  static readonly CODE = "ERR_STORAGE_LOCKED";
  readonly holder: LockHolder;
  constructor(holder: LockHolder, waitedMs: number, options: { cause: unknown }) {
    super(
      StorageLockTimeoutError.CODE,
      `Cannot lock token storage '${holder.path}': ${describeHolder(holder)} holds the lock; waited ${
        (waitedMs / 1000).toFixed(1)
      } s`,
      {
        cause: options.cause,
        fix: `Wait for that process to finish or stop it; if it no longer runs, delete '${holder.path}'.`,
      },
    );
    this.holder = holder;
  }
}

/** A provider or user name that cannot name a token file (empty, too long, or a stray file name). */
export class StorageNameError extends MpsError {
  static readonly CODE = "ERR_STORAGE_NAME";
  constructor(message: string, options: { cause: unknown }) {
    super(StorageNameError.CODE, message, { cause: options.cause });
  }
}

/** Reading or writing the storage folder failed at the file-system level. */
export class StorageIoError extends MpsError {
  static readonly CODE = "ERR_STORAGE_IO";
  readonly path: string;
  constructor(action: string, path: string, options: { cause: unknown }) {
    super(
      StorageIoError.CODE,
      `Cannot ${action} '${path}': ${errnoCode(options.cause) ?? String(options.cause)}`,
      {
        cause: options.cause,
        fix: `Check that the account running mps may read and write '${path}' and that the disk is not full.`,
      },
    );
    this.path = path;
  }
}

/** "mps run (pid 1234 on host srv1, since 2025-01-01T10:00:00.000Z)". */
export function describeHolder(holder: LockHolder): string {
  const who = holder.owner ?? "a process";
  const where = [
    holder.pid === undefined ? "unknown pid" : `pid ${holder.pid}`,
    holder.hostname === undefined ? undefined : `on host ${holder.hostname}`,
    holder.acquiredAt === undefined ? undefined : `since ${new Date(holder.acquiredAt).toISOString()}`,
  ].filter((part) => part !== undefined);
  return `${who} (${where.join(" ")})`;
}
