import { randomBytes } from "node:crypto";

// One random start per process, then counted up: as unlikely as fresh random bytes to meet a
// name left behind by an earlier process, at a fraction of the cost (two names per message).
let next: number | undefined;

/** Eight hex digits that no other call of this process returns (until 2^32 calls). */
export function tempSuffix(): string {
  next ??= randomBytes(4).readUInt32BE(0);
  const value = next;
  next = (next + 1) >>> 0;
  return value.toString(16).padStart(8, "0");
}
