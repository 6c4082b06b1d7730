import assert from "node:assert/strict";
import { test } from "node:test";
import { setImmediate } from "node:timers";
import { BodyText } from "../../src/mail/body_text.ts";
import { HTML_SLICE_CHARS, htmlToText, MAX_HTML_CHARS } from "../../src/mail/html/html_to_text.ts";

/** Converts `html` and counts the turns the event loop got meanwhile. */
async function convertCountingTurns(html: string): Promise<{ text: string; turns: number }> {
  let turns = 0;
  let running = true;
  const tick = (): void => {
    turns++;
    if (running) setImmediate(tick);
  };
  setImmediate(tick);
  const text = await htmlToText(html);
  running = false;
  return { text, turns };
}

test("drops comments, declarations and processing instructions, also empty and abrupt ones", async () => {
  assert.equal(await htmlToText("a<!-- x --> b<!DOCTYPE html><?xml x?>c<![CDATA[ d ]]>e<!---->f<!-->g"), "a bcefg");
});

test("drops everything after a comment that never closes", async () => {
  assert.equal(await htmlToText("before<!-- never closed <p>hidden</p>"), "before");
});

test("keeps '<' that starts no tag as text and drops a tag cut off by the end of the input", async () => {
  assert.equal(await htmlToText("1 < 2 and 3 <= 4, a<>b"), "1 < 2 and 3 <= 4, a<>b");
  assert.equal(await htmlToText("kept <b>bold</b> <a href='x"), "kept bold");
});

test("skips script, style and title up to their end tag in any case, not at a look-alike", async () => {
  assert.equal(
    await htmlToText("<SCRIPT type=x>if (a </b) { '</SCRIPT'; }</SCRIPT >shown<style>p{}</style>text<title>T</title>"),
    "showntext",
  );
});

test("reads quoted attribute values holding '>' as part of the tag", async () => {
  assert.equal(await htmlToText(`<div title="a>b" data-x='c>d'>inside</div>`), "inside");
});

test("numbers ordered lists, bullets unordered ones and indents nested lists", async () => {
  assert.equal(
    await htmlToText("<ol><li>one<li>two<ul><li>inner</li><li>inner2</li></ul></li><li>three</ol>after"),
    "1. one\n2. two\n  • inner\n  • inner2\n3. three\nafter",
  );
});

test("writes an http(s) link's target after its text, alone when the text is empty or the target", async () => {
  assert.equal(
    await htmlToText(
      `<p>See <a href="https://x.test/?a=1&amp;b=2">the <b>report</b></a> and <a href='https://y.test/'></a> and ` +
        `<a href=mailto:a@b>mail</a> and <a href="https://z.test/">https://z.test/</a>.</p>`,
    ),
    "See the report (https://x.test/?a=1&b=2) and https://y.test/ and mail and https://z.test/.",
  );
});

test("keeps spaces and line breaks inside <pre> and collapses them elsewhere", async () => {
  assert.equal(
    await htmlToText("<pre>  indented\n    more\n\n\n\nend</pre>  <p>  normal   text  </p>"),
    "  indented\n    more\n\nend\n\nnormal text",
  );
});

test("puts table cells on one line separated by tabs and rows on lines of their own", async () => {
  assert.equal(
    await htmlToText("<table><tr><td>a<td>b</tr><tr><th>c</th><td></td><td>d</td></tr></table>after"),
    "a\tb\nc\t\td\n\nafter",
  );
});

test("decodes character references, showing ones that are no character as U+FFFD", async () => {
  assert.equal(
    await htmlToText("&#0;&#xD800;&#x110000;&#65&#x42;&#128512;&AMP;&unknown;&amp &euro;&nbsp;x"),
    "\uFFFD\uFFFD\uFFFDAB😀&&unknown;&amp € x",
  );
});

test("drops no-break spaces at the start and end of lines", async () => {
  assert.equal(await htmlToText("&nbsp;&nbsp;lead<br>&nbsp;x&nbsp;&nbsp;<br>"), "lead\nx");
});

test("converts a megabyte of '<' to the same text, giving the event loop a turn between slices", async () => {
  const html = "<".repeat(1024 * 1024);
  const { text, turns } = await convertCountingTurns(html);
  assert.equal(text, html);
  assert.ok(turns >= html.length / HTML_SLICE_CHARS - 1, `${turns} turns`);
});

test("converts hostile markup of a megabyte each, giving the event loop turns between slices", async () => {
  const size = 1024 * 1024;
  const cases: Array<[string, string, (text: string) => void]> = [
    ["unclosed comments", "x<!--".repeat(size / 5), (text) => assert.equal(text, "x")],
    ["an unclosed quote", `z<a href="${"x".repeat(size)}`, (text) => assert.equal(text, "z")],
    ["one unclosed tag", `y<a ${"<a ".repeat(size / 3)}`, (text) => assert.equal(text, "y")],
    ["nested elements", `${"<div><span>".repeat(size / 11)}deep`, (text) => assert.equal(text, "deep")],
    [
      "nested lists",
      `${"<ol><li>x".repeat(20)}${"</ol>".repeat(20)}`.repeat(size / 280),
      (text) => assert.match(text, /^1\. x\n {2}1\. x\n {4}1\. x\n/),
    ],
    ["'</' inside a script", `<script>${"</".repeat(size / 2)}`, (text) => assert.equal(text, "")],
    ["character reference starts", "&#".repeat(size / 2), (text) => assert.equal(text, "&#".repeat(size / 2))],
  ];
  for (const [label, html, check] of cases) {
    const { text, turns } = await convertCountingTurns(html);
    check(text);
    assert.ok(turns >= size / HTML_SLICE_CHARS - 1, `${label}: ${turns} turns`);
  }
});

test("converts HTML only up to the cap and says the rest was cut off", async () => {
  const body = new BodyText();
  const html = `<p>start</p>${"<b>x</b>".repeat(MAX_HTML_CHARS / 8)}<p>never seen</p>`;
  body.add("html", html, html.length, false);
  const text = await body.text();
  assert.ok(text.startsWith("start\nxxx"));
  assert.doesNotMatch(text, /never seen/);
  assert.ok(text.endsWith("x\n\n[... the rest of the message text was cut off]"));
});

test("stops when the text grows past the cap (markup that expands) and says the rest was cut off", async () => {
  const body = new BodyText();
  const html = "<ul><li>item".repeat(MAX_HTML_CHARS / 12);
  body.add("html", html, html.length, false);
  const text = await body.text();
  assert.ok(text.length <= MAX_HTML_CHARS + HTML_SLICE_CHARS + 100, `${text.length} characters`);
  assert.ok(text.endsWith("\n\n[... the rest of the message text was cut off]"));
});
