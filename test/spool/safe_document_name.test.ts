import assert from "node:assert/strict";
import { test } from "node:test";
import { reservedJobNames, safeDocumentName } from "../../src/spool/index.ts";

const bytes = (text: string): number => Buffer.byteLength(text, "utf8");

/** Makes `raw` safe in a fresh job and checks what every safe name must be. */
function safe(raw: string, taken: Set<string> = reservedJobNames()): string {
  const name = safeDocumentName(raw, taken);
  assert.ok(bytes(name) <= 200, `${bytes(name)} bytes: ${name}`);
  assert.equal(name, name.normalize("NFC"));
  assert.equal(Buffer.from(name, "utf8").toString("utf8"), name, "no lone surrogate");
  // deno-lint-ignore no-control-regex
  assert.doesNotMatch(name, /[<>:"/\\|?*\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]/);
  assert.doesNotMatch(name, /[\u200b\u200c\u2060\ufeff]|^[. ]|[. ]$/);
  assert.equal(safeDocumentName(name, new Set()), name, "a safe name stays as it is");
  return name;
}

test("cuts a name of 90 CJK characters to 200 UTF-8 bytes at a character boundary, keeping .pdf", () => {
  const name = safe(`${"会议纪要".repeat(22)}会议.pdf`);
  // 65 characters of 3 bytes + ".pdf" = 199 bytes; a 66th would make 202
  assert.equal(name, `${"会议纪要".repeat(16)}会.pdf`);
  assert.equal(bytes(name), 199);
});

test("cuts a name without an extension to 200 bytes", () => {
  const name = safe("会".repeat(90));
  assert.equal(name, "会".repeat(66));
  assert.equal(bytes(name), 198);
});

test("keeps a Cyrillic name under the limit as it is, and cuts a longer one between letters", () => {
  const short = "Отчёт о продажах за третий квартал.pdf";
  assert.equal(safe(short), short);
  const name = safe(`${"Пояснительная записка ".repeat(10)}.docx`);
  // Cyrillic letters are 2 bytes: 195 bytes of room before ".docx" end after a space, which is dropped
  assert.equal(name, `${"Пояснительная записка ".repeat(4)}Пояснительная.docx`);
  assert.equal(bytes(name), 199);
});

test("removes bidi controls that disguise an Arabic name's extension", () => {
  assert.equal(safe("فاتورة\u202Efdp.exe"), "فاتورةfdp.exe");
  assert.equal(safe("\u202Bتقرير المبيعات\u202C.pdf"), "تقرير المبيعات.pdf");
  assert.equal(safe("\u2067invoice\u2069\u200F\u061C.pdf"), "invoice.pdf");
  assert.equal(safe("\u202Dscan\u202A\u200E.pdf\u2066"), "scan.pdf");
});

test("removes zero-width characters and keeps a zero-width joiner only inside an emoji sequence", () => {
  assert.equal(safe("in\u200Dvo\u200Cice\u200B\u2060\uFEFF.pdf"), "invoice.pdf");
  assert.equal(safe("👩🏽‍💻 code.pdf"), "👩🏽‍💻 code.pdf");
  assert.equal(safe("\u200D👍\u200D.pdf"), "👍.pdf");
});

test("cuts Devanagari at a grapheme boundary, never inside a conjunct", () => {
  const name = safe(`${"नमस्ते दुनिया ".repeat(12)}.pdf`);
  assert.equal(name, `${"नमस्ते दुनिया ".repeat(5)}नम.pdf`);
  assert.equal(bytes(name), 200);
});

test("cuts a run of family emoji between sequences, never inside one", () => {
  const family = "👨‍👩‍👧‍👦";
  assert.equal(bytes(family), 25);
  const name = safe(`${family.repeat(12)}.pdf`);
  assert.equal(name, `${family.repeat(7)}.pdf`);
  assert.equal(bytes(name), 179);
});

test("keeps combining marks with their letter and composes them (NFC)", () => {
  const name = safe(`${"e\u0301".repeat(120)}.pdf`);
  assert.equal(name, `${"é".repeat(98)}.pdf`);
  assert.equal(bytes(name), 200);
  assert.equal(safe("Cafe\u0301 menu.pdf"), "Café menu.pdf");
});

test("cuts one giant grapheme (a letter with hundreds of combining marks) between code points", () => {
  const name = safe(`Z${"\u0301".repeat(300)}.pdf`);
  assert.equal(name, `Ź${"\u0301".repeat(97)}.pdf`);
  assert.equal(bytes(name), 200);
});

test("counts the extension and the duplicate number in the 200 bytes", () => {
  const taken = reservedJobNames();
  const raw = `${"会".repeat(70)}.pdf`;
  assert.deepEqual([safe(raw, taken), safe(raw, taken), safe(raw, taken)], [
    `${"会".repeat(65)}.pdf`,
    `${"会".repeat(64)} (2).pdf`,
    `${"会".repeat(64)} (3).pdf`,
  ]);
  assert.deepEqual([...taken].map(bytes), [8, 199, 200, 200]);
});

test("prefixes every form of a Windows device name", () => {
  const cases: Array<[string, string]> = [
    ["CON", "_CON"],
    ["con.txt", "_con.txt"],
    ["Con.Pdf", "_Con.Pdf"],
    ["CON .pdf", "_CON.pdf"],
    ["nul.tar.gz", "_nul.tar.gz"],
    ["AUX...", "_AUX"],
    ["PRN  ", "_PRN"],
    ["COM1.pdf", "_COM1.pdf"],
    ["com0", "_com0"],
    ["LPT9.doc", "_LPT9.doc"],
    ["COM¹.pdf", "_COM¹.pdf"],
    ["lpt²", "_lpt²"],
    ["Com³.txt", "_Com³.txt"],
    ["CONIN$", "_CONIN$"],
    ["conout$.pdf", "_conout$.pdf"],
    ["CLOCK$.txt", "_CLOCK$.txt"],
    // not device names
    ["console.pdf", "console.pdf"],
    ["CON-report.pdf", "CON-report.pdf"],
    ["COM10.pdf", "COM10.pdf"],
  ];
  for (const [raw, expected] of cases) assert.equal(safe(raw), expected, raw);
});

test("removes control characters, turns line breaks and tabs into spaces, and replaces what Windows forbids", () => {
  assert.equal(safe("bell\u0007\u0000\u009b.pdf"), "bell.pdf");
  assert.equal(safe("two\r\nlines\tand tab.pdf"), "two  lines and tab.pdf");
  assert.equal(safe('a<b>c:d"e|f?g*.pdf'), "a_b_c_d_e_f_g_.pdf");
  assert.equal(safe("a\uD800b.pdf"), "a\uFFFDb.pdf");
});

test("drops leading and trailing dots and spaces and names an empty result 'document'", () => {
  assert.equal(safe(" . .hidden.pdf"), "hidden.pdf");
  assert.equal(safe("trailing. . "), "trailing");
  assert.equal(safe(".pdf"), "document.pdf");
  assert.equal(safe("\u202E\u200B.pdf"), "document.pdf");
  assert.equal(safe("???"), "document");
});

test("keeps the start and the extension of a name of 100,000 characters", () => {
  const name = safe(`${"x".repeat(100_000)}.pdf`);
  assert.equal(name, `${"x".repeat(196)}.pdf`);
});

test("treats a long dotted tail as part of the name, not as an extension", () => {
  const name = safe(`${"y".repeat(250)}.this-is-no-extension-at-all`);
  assert.equal(name, "y".repeat(200));
});
