import assert from "node:assert/strict";
import { test } from "node:test";
import { jobIdPrefix } from "../../src/spool/index.ts";

test("keeps a name that is already a safe folder name as its prefix, as earlier versions did", () => {
  for (const name of ["print@contoso.com", "Print_Floor-2", "a.b+c@x", "a".repeat(60)]) {
    assert.equal(jobIdPrefix(name), name);
  }
});

test("gives every other name a readable part and the hash of the whole name, fixed across versions", () => {
  // These values are job ids' exactly-once identity: they must never change.
  assert.equal(jobIdPrefix("print a@x"), "print_a@x_ef99c796");
  assert.equal(jobIdPrefix("print/a@x"), "print_a@x_56302337");
  assert.equal(jobIdPrefix("Print Floor 2"), "Print_Floor_2_3890ae82");
  assert.equal(jobIdPrefix("data/incoming"), "data_incoming_d2cf415e");
  assert.equal(jobIdPrefix("Drucker Büro"), "Drucker_B_ro_5d502d8f");
  assert.equal(jobIdPrefix("..."), "source_ab5df625");
});

test("tells apart names that differ only in punctuation or after 60 characters", () => {
  const names = [
    "print a@x",
    "print_a@x",
    "print/a@x",
    "print  a@x",
    `${"a".repeat(60)}b`,
    `${"a".repeat(60)}c`,
    "a".repeat(60),
  ];
  const prefixes = names.map((name) => jobIdPrefix(name).toLowerCase());
  assert.equal(new Set(prefixes).size, names.length, prefixes.join(" "));
  assert.equal(jobIdPrefix(`${"a".repeat(60)}b`), `${"a".repeat(60)}_6f929a36`);
});

test("makes prefixes that the spool takes as job ids", () => {
  for (const name of ["print a@x", "...", "C:\\scan\\in", "x".repeat(500), "😀", "-lead", ".hidden"]) {
    const prefix = jobIdPrefix(name);
    assert.match(prefix, /^[\w.@+-]+$/, name);
    assert.ok(!prefix.startsWith("."), name);
    assert.ok(prefix.length <= 69, name);
  }
});
