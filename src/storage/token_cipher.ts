import { Buffer } from "node:buffer";
import type { StorageKey } from "./storage_key.ts";
import { StorageDecryptError, StorageFormatError } from "./errors.ts";
import { TOKEN_ALG, TOKEN_FORMAT } from "./stored_tokens.ts";
import type { StoredTokens, TokenEnvelope } from "./stored_tokens.ts";

/** Normalised (lower-cased) provider and username a token file belongs to. */
export type TokenIdentity = { provider: string; username: string };

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const FIELDS = ["provider", "username", "createdAt", "updatedAt", "iv", "ciphertext"] as const;

/**
 * Additional authenticated data: binds the ciphertext to its format, provider
 * and user, so a file copied or renamed to another user fails to decrypt.
 */
function aad(identity: TokenIdentity): Uint8Array<ArrayBuffer> {
  return new TextEncoder().encode(JSON.stringify([TOKEN_FORMAT, identity.provider, identity.username]));
}

function fromBase64(text: string): Uint8Array<ArrayBuffer> {
  return new Uint8Array(Buffer.from(text, "base64"));
}

/** Checks the clear part of a token file; throws StorageFormatError naming the file. */
export function parseEnvelope(text: string, path: string, user: string): TokenEnvelope {
  const fail = (detail: string, cause: unknown): never => {
    throw new StorageFormatError(path, detail, user, { cause });
  };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (cause) {
    // V8's message quotes the text; keep only the position so nothing of the file leaks into logs.
    const at = /position (\d+)/.exec(String((cause as Error).message))?.[1];
    const detail = `it is not valid JSON${at === undefined ? "" : ` (error at character ${at})`}`;
    return fail(detail, new Error(detail));
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return fail("it is not a JSON object", new Error(`got ${Array.isArray(value) ? "array" : typeof value}`));
  }
  const record = value as Record<string, unknown>;
  const format = record["format"];
  if (format !== TOKEN_FORMAT) {
    const newer = typeof format === "string" && /^mps-token\/\d+$/.test(format);
    return fail(
      newer
        ? `it has format '${format}', written by another version of mps; this version reads '${TOKEN_FORMAT}'`
        : `it is not an mps token file (format ${JSON.stringify(format) ?? "missing"}, expected '${TOKEN_FORMAT}')`,
      new Error(`format ${String(format)}`),
    );
  }
  if (record["alg"] !== TOKEN_ALG) {
    return fail(`it uses alg ${JSON.stringify(record["alg"]) ?? "missing"}, expected '${TOKEN_ALG}'`, new Error("alg"));
  }
  for (const field of FIELDS) {
    if (typeof record[field] !== "string" || record[field] === "") {
      return fail(`field '${field}' is missing or not a string`, new Error(field));
    }
  }
  const envelope = record as TokenEnvelope;
  if (!BASE64.test(envelope.iv) || fromBase64(envelope.iv).length !== 12) {
    return fail("field 'iv' is not the base64 of 12 bytes", new Error("iv"));
  }
  if (!BASE64.test(envelope.ciphertext) || fromBase64(envelope.ciphertext).length < 16) {
    return fail("field 'ciphertext' is not base64 of at least 16 bytes", new Error("ciphertext"));
  }
  return envelope;
}

/** Encrypts `tokens` for `identity` into a new envelope. */
export async function sealTokens(
  key: StorageKey,
  identity: TokenIdentity,
  tokens: StoredTokens,
  times: { createdAt: string; updatedAt: string },
): Promise<TokenEnvelope> {
  const iv = globalThis.crypto.getRandomValues(new Uint8Array(12));
  const plaintext = new TextEncoder().encode(JSON.stringify(tokens));
  const sealed = await globalThis.crypto.subtle.encrypt(
    { name: "AES-GCM", iv, additionalData: aad(identity), tagLength: 128 },
    key.key,
    plaintext,
  );
  plaintext.fill(0);
  return {
    format: TOKEN_FORMAT,
    provider: identity.provider,
    username: identity.username,
    createdAt: times.createdAt,
    updatedAt: times.updatedAt,
    alg: TOKEN_ALG,
    iv: Buffer.from(iv).toString("base64"),
    ciphertext: Buffer.from(sealed).toString("base64"),
  };
}

/**
 * Throws StorageDecryptError when the clear names in the envelope are not
 * those of the file's place (a file copied or renamed to another user).
 */
export function checkIdentity(envelope: TokenEnvelope, identity: TokenIdentity, path: string): void {
  if (envelope.provider === identity.provider && envelope.username === identity.username) return;
  const detail = `the file belongs to ${envelope.provider}/${envelope.username} but is stored as ` +
    `${identity.provider}/${identity.username}: was it copied or renamed?`;
  throw new StorageDecryptError(path, detail, identity.username, { cause: new Error(detail) });
}

/** Decrypts an envelope read from `path` for `identity`. */
export async function openEnvelope(
  key: StorageKey,
  envelope: TokenEnvelope,
  identity: TokenIdentity,
  path: string,
): Promise<StoredTokens> {
  checkIdentity(envelope, identity, path);
  let plaintext: ArrayBuffer;
  try {
    plaintext = await globalThis.crypto.subtle.decrypt(
      { name: "AES-GCM", iv: fromBase64(envelope.iv), additionalData: aad(identity), tagLength: 128 },
      key.key,
      fromBase64(envelope.ciphertext),
    );
  } catch (cause) {
    throw new StorageDecryptError(path, `authentication failed with the key from ${key.source}`, identity.username, {
      cause,
    });
  }
  let tokens: unknown;
  try {
    tokens = JSON.parse(new TextDecoder().decode(plaintext));
  } catch {
    // The SyntaxError would quote decrypted text (tokens): never keep it as the cause.
    throw new StorageFormatError(path, "its decrypted content is not JSON", identity.username, {
      cause: new Error("decrypted content is not JSON"),
    });
  } finally {
    new Uint8Array(plaintext).fill(0);
  }
  if (typeof tokens !== "object" || tokens === null || Array.isArray(tokens)) {
    throw new StorageFormatError(path, "its decrypted content is not a JSON object", identity.username, {
      cause: new Error(`got ${typeof tokens}`),
    });
  }
  return tokens as StoredTokens;
}
