import assert from "node:assert/strict";
import { test } from "node:test";
import { uidSet } from "../../src/imap/index.ts";

test("a UID set writes runs of consecutive UIDs as ranges and covers no UID outside the list", () => {
  assert.equal(uidSet([1, 2, 3, 4]), "1:4");
  assert.equal(uidSet([7]), "7");
  assert.equal(uidSet([9, 3, 1, 2, 10, 5]), "1:3,5,9:10");
  assert.equal(uidSet([]), "");
  const uids = [4, 5, 6, 8, 20, 21, 1000];
  const covered = uidSet(uids).split(",").flatMap((part) => {
    const [first, last = first] = part.split(":").map(Number);
    return Array.from({ length: last! - first! + 1 }, (_, i) => first! + i);
  });
  assert.deepEqual(covered, uids);
});
