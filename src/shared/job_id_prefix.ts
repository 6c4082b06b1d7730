import process from "node:process";

const SAFE_NAME = /^[\w.@+-]{1,60}$/;

/**
 * The start of every job id of a source (`<prefix>-<UIDVALIDITY>-<UID>`, `<prefix>-<file hash>`).
 * Job ids are the exactly-once identity, so the prefix of a source must never be shared and
 * should never change:
 * - a name that is already a safe folder name (letters, digits, `_ . @ + -`, at most 60
 *   characters, not starting with `.`) is its own prefix, as in every earlier version, so
 *   two such names, being distinct sources, never share one;
 * - any other name is made safe (runs of other characters become `_`, leading dots dropped,
 *   cut to 60) and gets `_` plus 8 hex digits of the SHA-256 of the whole name, so
 *   `print a@x` and `print/a@x`, or names equal in their first 60 characters, differ.
 * The config loader refuses the remaining case (a safe name written exactly like another
 * source's prefix, or a hash collision).
 */
export function jobIdPrefix(name: string): string {
  if (SAFE_NAME.test(name) && !name.startsWith(".")) return name;
  const readable = name.replace(/[^\w.@+-]+/g, "_").replace(/^[.]+/, "").slice(0, 60) || "source";
  // node:crypto is loaded here, not at start-up: the config loader calls this, and a config
  // error should be reported without loading the crypto module (~5 ms).
  const { createHash } = process.getBuiltinModule("node:crypto");
  return `${readable}_${createHash("sha256").update(name).digest("hex").slice(0, 8)}`;
}
