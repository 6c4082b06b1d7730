/**
 * mps.log with size-based rotation: when a write would take mps.log over
 * `maxBytes`, mps.log.N is deleted, mps.log.(i) becomes mps.log.(i+1), mps.log
 * becomes mps.log.1 and a fresh mps.log is started. At most `maxFiles` rotated
 * files are kept beside mps.log.
 *
 * Writes are synchronous (`writeSync` on an append-mode descriptor), so lines
 * are never reordered and none is lost when the process exits right after
 * logging. Rotation closes the file first and deletes the oldest file before
 * renaming, which is what Windows needs (no rename onto an open or existing file).
 */
import { Buffer } from "node:buffer";
import { closeSync, fstatSync, mkdirSync, openSync, renameSync, statSync, unlinkSync, writeSync } from "node:fs";
import type { Stats } from "node:fs";
import { dirname } from "node:path";
import { errnoCode } from "../shared/errno.ts";
import { LogFileError, LogOptionError } from "./errors.ts";

export const DEFAULT_MAX_BYTES = 10 * 1024 * 1024;
export const DEFAULT_MAX_FILES = 5;

/** How often (in writes) the file is checked to still be ours: deleted or rotated away by someone else. */
const IDENTITY_CHECK_EVERY = 256;

export type RotatingFileOptions = {
  /** The log file, e.g. `C:\mps\mps.log`; its folder is created when missing. */
  path: string;
  /** Rotate before the file would exceed this size. Default 10 MiB. */
  maxBytes?: number;
  /** Rotated files kept beside the current one (`mps.log.1` … `mps.log.N`). Default 5; 0 keeps none. */
  maxFiles?: number;
  /** Told when a rotation fails; logging goes on in the current file and rotation is retried later. */
  onRotateError?: (error: LogFileError) => void;
};

export type RotatingFile = {
  readonly path: string;
  readonly maxBytes: number;
  readonly maxFiles: number;
  /** Appends `text` (the caller adds the newline). Throws `LogFileError` when it cannot be written. */
  write(text: string): void;
  /** Closes the file; a later write opens it again. */
  close(): void;
};

function isMissing(error: unknown): boolean {
  return errnoCode(error) === "ENOENT";
}

function removeIfExists(path: string): void {
  try {
    unlinkSync(path);
  } catch (error) {
    if (!isMissing(error)) throw error;
  }
}

function renameIfExists(from: string, to: string): void {
  try {
    renameSync(from, to);
  } catch (error) {
    if (!isMissing(error)) throw error;
  }
}

function statOrUndefined(path: string): Stats | undefined {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}

function checkLimit(name: string, value: number, minimum: number): number {
  if (!Number.isInteger(value) || value < minimum) {
    throw new LogOptionError(name, value, `a whole number of at least ${minimum}`);
  }
  return value;
}

/**
 * Opens (creating folder and file as needed) the log file. Throws `LogFileError`
 * when that is not possible, `LogOptionError` for a limit that cannot work.
 */
export function createRotatingFile(options: RotatingFileOptions): RotatingFile {
  const path = options.path;
  const maxBytes = checkLimit("maxBytes", options.maxBytes ?? DEFAULT_MAX_BYTES, 1);
  const maxFiles = checkLimit("maxFiles", options.maxFiles ?? DEFAULT_MAX_FILES, 0);
  let fd: number | undefined;
  let size = 0;
  let opened: Stats | undefined;
  let writesSinceCheck = 0;
  let retryRotationAt = 0;

  function open(): number {
    try {
      mkdirSync(dirname(path), { recursive: true });
      const handle = openSync(path, "a", 0o640);
      try {
        opened = fstatSync(handle);
      } catch (error) {
        closeSync(handle);
        throw error;
      }
      if (!opened.isFile()) {
        closeSync(handle);
        throw Object.assign(new Error(`'${path}' is not a regular file`), { code: "EISDIR" });
      }
      size = opened.size;
      fd = handle;
      writesSinceCheck = 0;
      return handle;
    } catch (error) {
      throw new LogFileError(path, error);
    }
  }

  function closeQuietly(): void {
    if (fd === undefined) return;
    const handle = fd;
    fd = undefined;
    try {
      closeSync(handle);
    } catch {
      // already unusable; nothing more to release
    }
  }

  /** True when `path` is no longer the file we hold open (deleted, or rotated by another mps process). */
  function replacedUnderUs(): boolean {
    const current = statOrUndefined(path);
    if (current === undefined || opened === undefined) return true;
    return current.ino !== opened.ino || current.dev !== opened.dev;
  }

  function shiftFiles(): void {
    if (maxFiles === 0) {
      removeIfExists(path);
      return;
    }
    removeIfExists(`${path}.${maxFiles}`);
    for (let index = maxFiles - 1; index >= 1; index--) renameIfExists(`${path}.${index}`, `${path}.${index + 1}`);
    renameIfExists(path, `${path}.1`);
  }

  function rotate(): void {
    closeQuietly();
    try {
      shiftFiles();
      retryRotationAt = 0;
    } catch (error) {
      // e.g. Windows: another program holds mps.log.5 open. Keep logging in mps.log, retry later.
      open();
      retryRotationAt = size + Math.max(64 * 1024, Math.floor(maxBytes / 10));
      options.onRotateError?.(new LogFileError(path, error, "rotate"));
      return;
    }
    open();
  }

  function writeAll(handle: number, data: Buffer): void {
    let offset = 0;
    while (offset < data.length) offset += writeSync(handle, data, offset, data.length - offset);
  }

  open();
  return {
    path,
    maxBytes,
    maxFiles,

    write(text: string): void {
      const data = Buffer.from(text, "utf8");
      let handle = fd ?? open();
      if (++writesSinceCheck >= IDENTITY_CHECK_EVERY && replacedUnderUs()) {
        closeQuietly();
        handle = open();
      }
      if (size > 0 && size + data.length > maxBytes && size >= retryRotationAt) {
        if (replacedUnderUs()) {
          closeQuietly();
          handle = open();
        }
        if (size > 0 && size + data.length > maxBytes) {
          rotate();
          handle = fd ?? open();
        }
      }
      try {
        writeAll(handle, data);
        size += data.length;
      } catch (error) {
        closeQuietly(); // reopened on the next write
        throw new LogFileError(path, error);
      }
    },

    close(): void {
      closeQuietly();
    },
  };
}
