import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import {
  attachment,
  base64Lines,
  documentText,
  entity,
  envelope,
  expectJob,
  fakeFile,
  makeDirs,
  multipart,
  removeDirs,
  run,
  sha256,
  textPart,
} from "./mail_test_kit.ts";
import type { Dirs } from "./mail_test_kit.ts";

let dirs: Dirs;
before(async () => {
  dirs = await makeDirs();
});
after(async () => {
  await removeDirs(dirs);
});

const PNG = "\x89PNG\r\n\x1a\n";
const JPEG = "\xff\xd8\xff\xe0";

test("prints the text of a text-only message under the sender's address, with the mail header on top", async () => {
  const raw = entity([
    ...envelope("Lunch menu"),
    "Content-Type: text/plain; charset=utf-8",
    "Content-Transfer-Encoding: quoted-printable",
  ], "Gr=C3=BC=C3=9Fe aus M=C3=BCnchen=\r\nand a soft break");
  const job = await expectJob(dirs, await run(dirs, raw));
  assert.equal(job.owner, "alice@example.test");
  assert.equal(job.subject, "Lunch menu");
  assert.equal(job.receivedAt, "2026-11-27T10:00:00.000Z");
  assert.match(job.messageId, /^<[0-9a-f]+@example\.test>$/);
  assert.deepEqual(job.documents.map((d) => [d.fileName, d.contentType]), [["Lunch menu.txt", "text/plain"]]);
  const text = await documentText(dirs, job, 0);
  assert.equal(
    text,
    "\uFEFFFrom: Alice Example <Alice@Example.test>\r\nTo: print@example.test\r\nDate: Fri, 27 Nov 2026 10:59:59 +0100\r\n" +
      "Subject: Lunch menu\r\n\r\nGrüße aus Münchenand a soft break\r\n",
  );
});

test("prints an HTML-only message as plain text", async () => {
  const html =
    "<html><head><style>p{color:red}</style><title>x</title></head><body><h1>Invoice</h1><p>Total:&nbsp;12&euro;</p>" +
    '<ul><li>one</li><li>two</li></ul><p>See <a href="https://example.test/i">portal</a></p></body></html>';
  const raw = entity([...envelope("HTML only"), "Content-Type: text/html; charset=iso-8859-1"], html);
  const job = await expectJob(dirs, await run(dirs, raw));
  assert.equal(job.documents.length, 1);
  const text = await documentText(dirs, job, 0);
  assert.ok(
    text.endsWith(
      "\r\n\r\nInvoice\r\n\r\nTotal: 12€\r\n\r\n• one\r\n• two\r\n\r\nSee portal (https://example.test/i)\r\n",
    ),
    JSON.stringify(text),
  );
  assert.doesNotMatch(text, /color|<p>/);
});

test("prefers the plain text of a multipart/alternative body over its HTML", async () => {
  const raw = multipart(
    "alternative",
    "alt",
    [textPart("Plain words"), textPart("<p>HTML words</p>", "html")],
    envelope("Both"),
  );
  const job = await expectJob(dirs, await run(dirs, raw));
  const text = await documentText(dirs, job, 0);
  assert.match(text, /\r\n\r\nPlain words\r\n$/);
  assert.doesNotMatch(text, /HTML words/);
});

test("finds the attachment of mixed > alternative > related and skips the images the HTML shows", async () => {
  const logo = fakeFile(3000, PNG);
  const pdf = fakeFile(20_000);
  const related = multipart("related", "rel", [
    textPart('<p>Hi <img src="cid:logo%40corp"> there</p>', "html"),
    entity(
      [
        'Content-Type: image/png; name="image001.png"',
        'Content-Disposition: inline; filename="image001.png"',
        "Content-ID: <logo@corp>",
        "Content-Transfer-Encoding: base64",
      ],
      base64Lines(logo),
    ),
  ]);
  const alternative = multipart("alternative", "alt", [textPart("Hi there"), related]);
  const raw = multipart(
    "mixed",
    "mix",
    [alternative, attachment("Report.pdf", "application/pdf", pdf)],
    envelope("Nested"),
  );
  const job = await expectJob(dirs, await run(dirs, raw, { chunkSize: 777 }));
  assert.deepEqual(job.documents.map((d) => [d.fileName, d.sha256]), [["Report.pdf", sha256(pdf)]]);
});

test("prints only the body of an HTML mail whose images are all inline", async () => {
  const photo = fakeFile(2000, JPEG);
  const related = multipart("related", "rel", [
    textPart('<p>Look: <img src="cid:part1.abc@x"></p>', "html"),
    entity(
      ["Content-Type: image/jpeg", "Content-ID: <part1.abc@x>", "Content-Transfer-Encoding: base64"],
      base64Lines(photo),
    ),
  ], envelope("Inline picture"));
  const job = await expectJob(dirs, await run(dirs, related));
  assert.deepEqual(job.documents.map((d) => d.fileName), ["Inline picture.txt"]);
  assert.match(await documentText(dirs, job, 0), /Look:/);
});

test("prints an image of multipart/related that the HTML never refers to, as mail clients list it", async () => {
  const photo = fakeFile(2000, JPEG);
  const related = multipart("related", "rel", [
    textPart("<p>No image shown here</p>", "html"),
    entity([
      'Content-Type: image/jpeg; name="IMG_1.jpg"',
      "Content-ID: <unused@x>",
      "Content-Transfer-Encoding: base64",
    ], base64Lines(photo)),
  ], envelope());
  const job = await expectJob(dirs, await run(dirs, related));
  assert.deepEqual(job.documents.map((d) => [d.fileName, d.contentType, d.sha256]), [[
    "IMG_1.jpg",
    "image/jpeg",
    sha256(photo),
  ]]);
});

test("prints an image the HTML shows when the sender marked it as an attachment as well", async () => {
  const photo = fakeFile(2000, JPEG);
  const related = multipart("related", "rel", [
    textPart('<p><img src="cid:both@x"></p>', "html"),
    entity(
      [
        "Content-Type: image/jpeg",
        "Content-Disposition: attachment; filename=Both.jpg",
        "Content-ID: <both@x>",
        "Content-Transfer-Encoding: base64",
      ],
      base64Lines(photo),
    ),
  ], envelope());
  const job = await expectJob(dirs, await run(dirs, related));
  assert.deepEqual(job.documents.map((d) => [d.fileName, d.sha256]), [["Both.jpg", sha256(photo)]]);
});

test("prints a photo an iPhone sends inline in multipart/mixed", async () => {
  const photo = fakeFile(5000, JPEG);
  const raw = multipart("mixed", "apple", [
    textPart("Please print"),
    entity([
      "Content-Type: image/jpeg; name=IMG_0042.JPG",
      "Content-Disposition: inline; filename=IMG_0042.JPG",
      "Content-Transfer-Encoding: base64",
    ], base64Lines(photo)),
    textPart("Sent from my iPhone"),
  ], envelope());
  const job = await expectJob(dirs, await run(dirs, raw));
  assert.deepEqual(job.documents.map((d) => [d.fileName, d.sha256]), [["IMG_0042.JPG", sha256(photo)]]);
});

test("searches a forwarded message/rfc822 part for its PDF", async () => {
  const pdf = fakeFile(10_000);
  const inner = multipart("mixed", "inner", [
    textPart("original text"),
    attachment("Contract.pdf", "application/pdf", pdf),
  ], envelope("Contract", "Bob <bob@example.test>"));
  const raw = multipart("mixed", "outer", [
    textPart("FYI, see the forwarded mail"),
    entity(["Content-Type: message/rfc822", 'Content-Disposition: attachment; filename="Contract.eml"'], inner),
  ], envelope("Fwd: Contract"));
  const job = await expectJob(dirs, await run(dirs, raw, { chunkSize: 1000 }));
  assert.deepEqual(job.documents.map((d) => [d.fileName, d.sha256]), [["Contract.pdf", sha256(pdf)]]);
  assert.equal(job.subject, "Fwd: Contract");
  assert.equal(job.owner, "alice@example.test");
});

test("searches forwarded messages inside forwarded messages, also base64-encoded ones", async () => {
  const pdf = fakeFile(4000);
  const innermost = multipart(
    "mixed",
    "m3",
    [textPart("x"), attachment("Deep.pdf", "application/pdf", pdf)],
    envelope("deep"),
  );
  const middle = multipart("mixed", "m2", [
    textPart("middle"),
    entity(["Content-Type: message/rfc822", "Content-Transfer-Encoding: base64"], base64Lines(Buffer.from(innermost))),
  ], envelope("middle"));
  const raw = multipart(
    "mixed",
    "m1",
    [textPart("top"), entity(["Content-Type: message/rfc822"], middle)],
    envelope("top"),
  );
  const job = await expectJob(dirs, await run(dirs, raw));
  assert.deepEqual(job.documents.map((d) => [d.fileName, d.sha256]), [["Deep.pdf", sha256(pdf)]]);
});

test("keeps several attachments in message order", async () => {
  const files = [
    ["b-first.pdf", "application/pdf", fakeFile(3000)],
    ["a-second.jpg", "image/jpeg", fakeFile(3000, JPEG)],
    ["c-third.png", "image/png", fakeFile(3000, PNG)],
    [
      "d-fourth.docx",
      "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
      fakeFile(3000, "PK\x03\x04"),
    ],
    ["e-fifth.odt", "application/vnd.oasis.opendocument.text", fakeFile(3000, "PK\x03\x04")],
  ] as const;
  const raw = multipart("mixed", "many", [
    textPart("five files"),
    ...files.map(([name, type, bytes]) => attachment(name, type, bytes)),
  ], envelope());
  const job = await expectJob(dirs, await run(dirs, raw));
  assert.deepEqual(
    job.documents.map((d) => [d.fileName, d.contentType, d.sha256]),
    files.map(([name, type, bytes]) => [name, type, sha256(bytes)]),
  );
});

test("prints application/octet-stream by its .docx name, with the Word content type", async () => {
  const docx = fakeFile(6000, "PK\x03\x04");
  const raw = multipart("mixed", "oct", [
    textPart("see file"),
    attachment("Letter.docx", "application/octet-stream", docx),
  ], envelope());
  const job = await expectJob(dirs, await run(dirs, raw));
  assert.deepEqual(job.documents.map((d) => [d.fileName, d.contentType, d.sha256]), [
    ["Letter.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", sha256(docx)],
  ]);
});

test("decodes a quoted-printable text attachment to its original bytes", async () => {
  const original = "Zeile 1: Grüße\r\nZeile 2: a=b tab\tend \r\nlong " + "x".repeat(200) + "\r\n";
  const qp = Buffer.from(original, "utf8").toString("latin1")
    .replace(/[=\u0080-\u00ff]/g, (c) => `=${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, "0")}`)
    .replace(/ \r\n/g, "=20\r\n")
    .replace(/x{70}/g, "$&=\r\n");
  const raw = multipart("mixed", "qp", [
    textPart("body"),
    entity([
      "Content-Type: text/plain; charset=utf-8; name=notes.txt",
      "Content-Disposition: attachment; filename=notes.txt",
      "Content-Transfer-Encoding: quoted-printable",
    ], qp),
  ], envelope());
  const job = await expectJob(dirs, await run(dirs, raw, { chunkSize: 13 }));
  assert.deepEqual(job.documents.map((d) => [d.fileName, d.contentType, d.sha256]), [[
    "notes.txt",
    "text/plain",
    sha256(Buffer.from(original, "utf8")),
  ]]);
});

test("reads damaged MIME without its final boundary as far as it goes", async () => {
  const pdf = fakeFile(9000);
  const raw = multipart("mixed", "cut", [textPart("text"), attachment("Cut.pdf", "application/pdf", pdf)], envelope())
    .replace(/--cut--\r\n$/, "");
  assert.doesNotMatch(raw, /--cut--/);
  const job = await expectJob(dirs, await run(dirs, raw));
  assert.deepEqual(job.documents.map((d) => [d.fileName, d.sha256]), [["Cut.pdf", sha256(pdf)]]);
});

test("names a part without a name after its type", async () => {
  const pdf = fakeFile(1000);
  const raw = multipart("mixed", "nn", [
    textPart("unnamed"),
    entity(["Content-Type: application/pdf", "Content-Transfer-Encoding: base64"], base64Lines(pdf)),
    entity(["Content-Type: application/pdf; name=scan", "Content-Transfer-Encoding: base64"], base64Lines(pdf)),
  ], envelope());
  const job = await expectJob(dirs, await run(dirs, raw));
  assert.deepEqual(job.documents.map((d) => d.fileName), ["attachment.pdf", "scan.pdf"]);
});

test("prints a message whose whole body is one PDF", async () => {
  const pdf = fakeFile(3000);
  const raw = entity([
    ...envelope(),
    "Content-Type: application/pdf; name=whole.pdf",
    "Content-Transfer-Encoding: base64",
  ], base64Lines(pdf));
  const job = await expectJob(dirs, await run(dirs, raw));
  assert.deepEqual(job.documents.map((d) => [d.fileName, d.sha256]), [["whole.pdf", sha256(pdf)]]);
});

test("reads a message with bare LF line ends, fed a few bytes at a time", async () => {
  const pdf = fakeFile(2000);
  const raw = multipart("mixed", "lf", [textPart("unix"), attachment("Unix.pdf", "application/pdf", pdf)], envelope())
    .replace(/\r\n/g, "\n");
  const job = await expectJob(dirs, await run(dirs, raw, { chunkSize: 7 }));
  assert.deepEqual(job.documents.map((d) => [d.fileName, d.sha256]), [["Unix.pdf", sha256(pdf)]]);
});

test("prints the body of an S/MIME signed text message and not its signature", async () => {
  const signed = multipart("signed", "sig", [
    textPart("Signed words"),
    attachment("smime.p7s", "application/pkcs7-signature", fakeFile(900, "0\x82")),
  ], envelope("Signed")).replace(
    "multipart/signed;",
    'multipart/signed; protocol="application/pkcs7-signature"; micalg=sha-256;',
  );
  const job = await expectJob(dirs, await run(dirs, signed));
  assert.deepEqual(job.documents.map((d) => d.fileName), ["Signed.txt"]);
});

test("printBody always prints the body first, then the attachments", async () => {
  const pdf = fakeFile(1000);
  const raw = multipart(
    "mixed",
    "al",
    [textPart("Cover note"), attachment("A.pdf", "application/pdf", pdf)],
    envelope("Cover"),
  );
  const job = await expectJob(dirs, await run(dirs, raw, { source: { printBody: "always" } }));
  assert.deepEqual(job.documents.map((d) => d.fileName), ["Cover.txt", "A.pdf"]);
  assert.match(await documentText(dirs, job, 0), /Cover note/);
});

test("printBody auto leaves the body out when an attachment prints", async () => {
  const raw = multipart(
    "mixed",
    "au",
    [textPart("Cover note"), attachment("A.pdf", "application/pdf", fakeFile(1000))],
    envelope(),
  );
  const job = await expectJob(dirs, await run(dirs, raw));
  assert.deepEqual(job.documents.map((d) => d.fileName), ["A.pdf"]);
});

test("printBody auto prints the body when the only attachment cannot print", async () => {
  const raw = multipart("mixed", "zb", [
    textPart("Please print the text"),
    attachment("files.zip", "application/zip", fakeFile(1000, "PK")),
  ], envelope("Zip"));
  const job = await expectJob(dirs, await run(dirs, raw));
  assert.deepEqual(job.documents.map((d) => d.fileName), ["Zip.txt"]);
});

test("printableTypes from the config replaces the default list, by type, wildcard or extension", async () => {
  const raw = multipart("mixed", "pt", [
    textPart("x"),
    attachment("a.pdf", "application/pdf", fakeFile(100)),
    attachment("b.png", "image/png", fakeFile(100, PNG)),
    attachment("c.zip", "application/octet-stream", fakeFile(100, "PK")),
    attachment("d.docx", "application/octet-stream", fakeFile(100, "PK")),
  ], envelope());
  const job = await expectJob(dirs, await run(dirs, raw, { source: { printableTypes: ["image/*", ".zip"] } }));
  assert.deepEqual(job.documents.map((d) => d.fileName), ["b.png", "c.zip"]);
});

test("says the job exists, without reading the message, when its id was published before", async () => {
  const raw = multipart(
    "mixed",
    "ex",
    [textPart("x"), attachment("a.pdf", "application/pdf", fakeFile(100))],
    envelope(),
  );
  const first = await run(dirs, raw, { jobId: "print_7_42" });
  assert.equal(first.outcome, "job");
  let read = false;
  async function* untouched(): AsyncIterable<Uint8Array> {
    read = true;
    yield new Uint8Array(0);
  }
  const second = await run(dirs, raw, { jobId: "print_7_42", message: untouched() });
  assert.deepEqual(second, { outcome: "exists" });
  assert.equal(read, false);
});

test("reads the headers of a message in encoded words and odd From forms", async () => {
  const raw = entity([
    'From: "Doe, J\u00fcrgen <fake@evil.test>" (work) <=?utf-8?q?J.Doe?=@Example.TEST>',
    "Subject: =?UTF-8?B?R3LDvMOfZQ==?= =?ISO-8859-1?Q?aus_K=F6ln?=",
    "Message-ID: <id-1@example.test>",
    "Content-Type: text/plain",
  ], "hello");
  const job = await expectJob(dirs, await run(dirs, raw));
  // An encoded word is text only in a display name or comment: inside the address it stays as written.
  assert.equal(job.owner, "=?utf-8?q?j.doe?=@example.test");
  assert.equal(job.subject, "Grüßeaus Köln");
  assert.equal(job.messageId, "<id-1@example.test>");
});
