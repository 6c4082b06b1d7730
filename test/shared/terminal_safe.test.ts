import assert from "node:assert/strict";
import { test } from "node:test";
import { terminalSafe } from "../../src/shared/terminal_safe.ts";

test("removes whole escape sequences: CSI, OSC up to BEL or ST, DCS, and two-character ones", () => {
  assert.equal(
    terminalSafe("a\x1b[31;1mb\x1b[2Jc\x1b]0;title\x07d\x1b]8;;http://x\x1b\\e\x1bPq#0\x1b\\f\x1bcg"),
    "abcdefg",
  );
});

test("removes 8-bit CSI and OSC, other C0 and C1 controls, and DEL", () => {
  assert.equal(terminalSafe("a\u009b31mb\u009d0;t\u009cc\x00\x07\x08\x7f\u0085d"), "abc d");
});

test("removes bidi overrides, isolates and marks", () => {
  assert.equal(terminalSafe("invoice\u202efdp.exe\u2066x\u2069\u200e\u200f\u061c"), "invoicefdp.exex");
});

test("makes line breaks spaces, or plain newlines when lines are kept", () => {
  assert.equal(terminalSafe("one\r\ntwo\rthree\tfour"), "one two three four");
  assert.equal(terminalSafe("one\r\ntwo\rthree\u2028four", { keepLines: true }), "one\ntwo\nthree\nfour");
});

test("cuts long text at a code point and marks the cut", () => {
  assert.equal(terminalSafe("😀".repeat(10), { maxLength: 4 }), "😀😀😀😀…");
  assert.equal(terminalSafe("short", { maxLength: 5 }), "short");
});

test("an unterminated OSC string swallows the rest rather than reaching the terminal", () => {
  assert.equal(terminalSafe("ok\x1b]0;never ends"), "ok");
});
