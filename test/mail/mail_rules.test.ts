import assert from "node:assert/strict";
import { test } from "node:test";
import { htmlToText } from "../../src/mail/html/html_to_text.ts";
import { isAllowedSender, printablePart, senderAddress } from "../../src/mail/index.ts";

test("finds the sender address behind display names, quotes, comments and source routes, and none among several", () => {
  const cases: Array<[string, string | undefined]> = [
    ["alice@example.test", "alice@example.test"],
    ["Alice <Alice@Example.TEST>", "alice@example.test"],
    ['"Doe, John <fake@evil.test>" <john@example.test>', "john@example.test"],
    ["john@example.test (John <fake@evil.test>)", "john@example.test"],
    ["Jürgen Müller <j.mueller@example.de>", "j.mueller@example.de"],
    ["<@relay.test:user@example.test>", "user@example.test"],
    ["First <first@example.test>, Second <second@example.test>", undefined],
    ["Undisclosed recipients:;", undefined],
    ["", undefined],
    ["no address here", undefined],
  ];
  for (const [from, expected] of cases) assert.equal(senderAddress(from), expected, from);
});

test("matches allowedSenders with wildcards, ignoring case, and lets anyone in when empty", () => {
  assert.equal(isAllowedSender("anyone@anywhere.test", []), true);
  assert.equal(isAllowedSender("Bob@Contoso.com", ["*@contoso.com"]), true);
  assert.equal(isAllowedSender("bob@evil-contoso.com", ["*@contoso.com"]), false);
  assert.equal(isAllowedSender("bob@contoso.com.evil.test", ["*@contoso.com"]), false);
  assert.equal(isAllowedSender("print-7@contoso.com", ["print-*@contoso.com"]), true);
  assert.equal(isAllowedSender("boss@example.org", ["*@contoso.com", "Boss@Example.org"]), true);
  assert.equal(isAllowedSender("a+b@contoso.com", ["a+b@contoso.com"]), true);
  assert.equal(isAllowedSender("axb@contoso.com", ["a.b@contoso.com"]), false);
});

test("reads an allowedSenders pattern without @ as a domain", () => {
  assert.equal(isAllowedSender("bob@contoso.com", ["contoso.com"]), true);
  assert.equal(isAllowedSender("bob@contoso.com", ["@contoso.com"]), true);
  assert.equal(isAllowedSender("bob@eu.contoso.com", ["*.contoso.com"]), true);
  assert.equal(isAllowedSender("bob@contoso.com", ["*.contoso.com"]), false);
});

test("prints SPEC's default types, by extension only when the type is generic", () => {
  assert.equal(printablePart("application/pdf", "", []), "application/pdf");
  assert.equal(printablePart("Image/JPEG", "x.jpg", []), "image/jpeg");
  assert.equal(
    printablePart("application/octet-stream", "Sheet.XLSX", []),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
  );
  assert.equal(
    printablePart("application/octet-stream", "slides.odp", []),
    "application/vnd.oasis.opendocument.presentation",
  );
  assert.equal(printablePart("application/octet-stream", "tool.exe", []), undefined);
  assert.equal(printablePart("application/zip", "letter.pdf", []), undefined);
  assert.equal(printablePart("application/x-msdownload", "x.pdf", []), undefined);
  assert.equal(printablePart("text/html", "page.html", []), undefined);
  assert.equal(printablePart("application/pkcs7-signature", "smime.p7s", []), undefined);
  for (
    const type of [
      "application/postscript",
      "image/png",
      "image/gif",
      "image/tiff",
      "image/bmp",
      "text/plain",
      "application/rtf",
      "application/msword",
    ]
  ) {
    assert.equal(printablePart(type, "", []), type);
  }
});

test("takes printableTypes as types, type wildcards or extensions", () => {
  assert.equal(printablePart("image/heic", "", ["image/*"]), "image/heic");
  assert.equal(printablePart("application/pdf", "", ["image/*"]), undefined);
  assert.equal(
    printablePart("application/octet-stream", "a.docx", [".docx"]),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
  );
  assert.equal(
    printablePart("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "noext", ["docx"]),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
  );
  assert.equal(printablePart("application/zip", "a.zip", ["*.zip"]), "application/zip");
  assert.equal(printablePart("application/x-anything", "x", ["*"]), "application/x-anything");
});

test("turns HTML into readable plain text", async () => {
  assert.equal(
    await htmlToText(
      "<html><head><title>t</title><style>b{}</style></head><body><!-- c --><p>Hello&nbsp;<b>World</b> &amp; co &#8364;&#x41;</p>" +
        "<table><tr><td>a</td><td>b</td></tr></table>line<br>break<script>alert(1)</script></body></html>",
    ),
    "Hello World & co €A\n\na\tb\n\nline\nbreak",
  );
  assert.equal(await htmlToText("<a href='https://x.test/'>https://x.test/</a>"), "https://x.test/");
  assert.equal(await htmlToText("Unclosed <style>junk"), "Unclosed");
});
