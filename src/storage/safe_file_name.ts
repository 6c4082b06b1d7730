import { StorageNameError } from "./errors.ts";

/** Characters kept as they are in a file name; everything else is percent-encoded (UTF-8). */
const KEEP = /^[a-z0-9@._+-]$/;
/** Windows device names, reserved whatever the extension. */
const RESERVED = /^(con|prn|aux|nul|com[0-9]|lpt[0-9])$/;
const MAX_ENCODED = 200;

/** How provider and user names are compared and stored: trimmed, NFC, lower-cased. */
export function normalizeName(name: string): string {
  return name.trim().normalize("NFC").toLowerCase();
}

function percent(char: string): string {
  let out = "";
  for (const byte of new TextEncoder().encode(char)) out += `%${byte.toString(16).toUpperCase().padStart(2, "0")}`;
  return out;
}

/**
 * Turns a provider or user name into one path segment that is safe on
 * Windows and POSIX: an email address stays as it is; `/ \ : * ? " < > |`,
 * `%`, spaces, control and non-ASCII characters are percent-encoded, as are a
 * leading or trailing dot and the first letter of a Windows device name.
 * Reversible with {@link parseSafeFileName}.
 */
export function safeFileName(kind: "provider" | "username", name: string): string {
  const normalized = normalizeName(name);
  if (normalized === "") {
    throw new StorageNameError(`Cannot name a token file: the ${kind} is empty`, {
      cause: new Error(`empty ${kind}`),
    });
  }
  const chars = Array.from(normalized);
  let out = chars.map((c) => (KEEP.test(c) ? c : percent(c))).join("");
  if (out.startsWith(".")) out = `%2E${out.slice(1)}`;
  if (out.endsWith(".")) out = `${out.slice(0, -1)}%2E`;
  const stem = out.split(".")[0] ?? "";
  if (RESERVED.test(stem)) out = `${percent(out.charAt(0))}${out.slice(1)}`;
  if (out.length > MAX_ENCODED) {
    throw new StorageNameError(
      `Cannot name a token file: the ${kind} '${
        name.slice(0, 60)
      }...' is longer than ${MAX_ENCODED} characters once made file-name safe`,
      { cause: new Error(`${out.length} characters`) },
    );
  }
  return out;
}

/** The name a segment written by {@link safeFileName} stands for; throws StorageNameError for a stray name. */
export function parseSafeFileName(kind: "provider" | "username", segment: string): string {
  let decoded: string;
  try {
    const bytes: number[] = [];
    for (let i = 0; i < segment.length; i++) {
      const c = segment.charAt(i);
      if (c === "%") {
        const hex = segment.slice(i + 1, i + 3);
        if (!/^[0-9A-Fa-f]{2}$/.test(hex)) throw new Error(`bad escape '%${hex}' at ${i}`);
        bytes.push(Number.parseInt(hex, 16));
        i += 2;
      } else {
        for (const byte of new TextEncoder().encode(c)) bytes.push(byte);
      }
    }
    decoded = new TextDecoder("utf-8", { fatal: true }).decode(new Uint8Array(bytes));
  } catch (cause) {
    throw new StorageNameError(
      `Cannot tell the ${kind} from the file name '${segment}': it is not percent-encoded UTF-8`,
      {
        cause,
      },
    );
  }
  let again: string;
  try {
    again = safeFileName(kind, decoded);
  } catch (cause) {
    throw new StorageNameError(`Cannot tell the ${kind} from the file name '${segment}': it names no valid ${kind}`, {
      cause,
    });
  }
  if (again !== segment) {
    throw new StorageNameError(
      `Cannot tell the ${kind} from the file name '${segment}': mps would name it '${again}' (was it renamed by hand?)`,
      { cause: new Error(`expected '${again}'`) },
    );
  }
  return decoded;
}
