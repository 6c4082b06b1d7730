import assert from "node:assert/strict";
import { test } from "node:test";
import { tempSuffix } from "../../src/shared/temp_suffix.ts";

test("tempSuffix gives eight hex digits, different on every call of the process", () => {
  const seen = new Set<string>();
  for (let i = 0; i < 10_000; i++) {
    const suffix = tempSuffix();
    assert.match(suffix, /^[0-9a-f]{8}$/);
    assert.equal(seen.has(suffix), false, `'${suffix}' came twice`);
    seen.add(suffix);
  }
});
