import { Buffer } from "node:buffer";
import { mkdir, readFile } from "node:fs/promises";
import { dirname } from "node:path";
import { registerSecret } from "../log/index.ts";
import { errnoCode } from "../shared/errno.ts";
import { createExclusiveFile } from "./exclusive_file.ts";
import { StorageIoError, StorageKeyError } from "./errors.ts";

/** Where the key comes from and where to find it. */
export type StorageKeyOptions = {
  /** The key file, by default `mps.key` beside the config file (outside the storage folder). */
  keyFile: string;
  /** Read for MPS_STORAGE_KEY only; an empty value counts as not set. */
  env: Readonly<Record<string, string | undefined>>;
};

/** An imported AES-256-GCM key and where it came from ("MPS_STORAGE_KEY" or "key file '<path>'"). */
export type StorageKey = { key: CryptoKey; source: string };

export const STORAGE_KEY_ENV = "MPS_STORAGE_KEY";
const BASE64_32 = /^(?:[A-Za-z0-9+/]{43}|[A-Za-z0-9_-]{43})=?$/;
const EXPECTED = "expected the base64 of exactly 32 bytes (44 characters, e.g. from `openssl rand -base64 32`)";

/** The 32 key bytes in `text`, or a sentence saying what is wrong (never the value itself). */
function decodeKey(text: string): Uint8Array<ArrayBuffer> | string {
  const trimmed = text.trim();
  if (!BASE64_32.test(trimmed)) {
    return `${EXPECTED}, got ${trimmed.length} characters${
      /^[A-Za-z0-9+/_=-]*$/.test(trimmed) ? "" : " including some that are not base64"
    }`;
  }
  const bytes = Buffer.from(trimmed, "base64");
  return bytes.length === 32 ? new Uint8Array(bytes) : `${EXPECTED}, got ${bytes.length} bytes`;
}

async function importKey(bytes: Uint8Array<ArrayBuffer>, source: string): Promise<StorageKey> {
  const key = await globalThis.crypto.subtle.importKey("raw", bytes, { name: "AES-GCM" }, false, [
    "encrypt",
    "decrypt",
  ]);
  bytes.fill(0);
  return { key, source };
}

async function readKeyFile(keyFile: string): Promise<StorageKey | undefined> {
  let text: string;
  try {
    text = await readFile(keyFile, "utf8");
  } catch (error) {
    if (errnoCode(error) === "ENOENT") return undefined;
    throw new StorageIoError("read storage key file", keyFile, { cause: error });
  }
  registerSecret(text.trim());
  const bytes = decodeKey(text);
  if (typeof bytes === "string") {
    throw new StorageKeyError(
      `Cannot use storage key file '${keyFile}': ${bytes}`,
      `Restore '${keyFile}' from a backup (or set ${STORAGE_KEY_ENV}); if the key is lost, delete it, run \`mps reset-storage\` and log in again.`,
      { cause: new Error(bytes) },
    );
  }
  return importKey(bytes, `key file '${keyFile}'`);
}

/**
 * The storage key: MPS_STORAGE_KEY when set (a malformed value is an error,
 * never a fallback to the key file), else the key file; undefined when
 * neither exists.
 */
export async function loadStorageKey(options: StorageKeyOptions): Promise<StorageKey | undefined> {
  const fromEnv = options.env[STORAGE_KEY_ENV];
  if (fromEnv !== undefined && fromEnv.trim() !== "") {
    registerSecret(fromEnv);
    const bytes = decodeKey(fromEnv);
    if (typeof bytes === "string") {
      throw new StorageKeyError(
        `Cannot use ${STORAGE_KEY_ENV}: ${bytes}`,
        `Set ${STORAGE_KEY_ENV} to the key used at login, or unset it to use the key file '${options.keyFile}'.`,
        { cause: new Error(bytes) },
      );
    }
    return await importKey(bytes, STORAGE_KEY_ENV);
  }
  return await readKeyFile(options.keyFile);
}

/**
 * Loads the key, creating the key file (32 random bytes, base64, mode 0600)
 * when there is none. Creation is exclusive: when two processes race, one
 * creates it and both use that one.
 */
export async function loadOrCreateStorageKey(options: StorageKeyOptions): Promise<StorageKey> {
  const existing = await loadStorageKey(options);
  if (existing !== undefined) return existing;
  const bytes = globalThis.crypto.getRandomValues(new Uint8Array(32));
  const text = `${Buffer.from(bytes).toString("base64")}\n`;
  bytes.fill(0);
  try {
    await mkdir(dirname(options.keyFile), { recursive: true, mode: 0o700 });
    await createExclusiveFile(options.keyFile, text);
  } catch (error) {
    if (errnoCode(error) !== "EEXIST") {
      throw new StorageIoError("create storage key file", options.keyFile, { cause: error });
    }
  }
  const created = await readKeyFile(options.keyFile);
  if (created === undefined) {
    throw new StorageIoError("create storage key file", options.keyFile, {
      cause: new Error("the file vanished right after it was created"),
    });
  }
  return created;
}
