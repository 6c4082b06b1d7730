import { readdir, readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { attachment, base64Lines, entity, envelope, fakeFile, multipart, textPart } from "./mail_test_kit.ts";

const PNG = "\x89PNG\r\n\x1a\n";
const JPEG = "\xff\xd8\xff\xe0";

/** The fixture messages in `test/mail/fixtures`, by file name. */
export async function fixtureMessages(): Promise<Array<[string, Buffer]>> {
  const dir = fileURLToPath(new URL("fixtures/", import.meta.url));
  const names = (await readdir(dir)).filter((name) => name.endsWith(".eml")).sort();
  return await Promise.all(
    names.map(async (name): Promise<[string, Buffer]> => [name, await readFile(`${dir}${name}`)]),
  );
}

/** The kinds of message the mail tests build with `mail_test_kit.ts`, by what they are. */
export function kitMessages(): Array<[string, Buffer]> {
  const pdf = fakeFile(9000);
  const qp = "Zeile 1: Gr=C3=BC=C3=9Fe\r\nlong " + "x".repeat(70) + "=\r\n" + "x".repeat(130) + "\r\n";
  const related = multipart("related", "rel", [
    textPart('<p>Hi <img src="cid:logo%40corp"> there</p>', "html"),
    entity(
      [
        'Content-Type: image/png; name="image001.png"',
        'Content-Disposition: inline; filename="image001.png"',
        "Content-ID: <logo@corp>",
        "Content-Transfer-Encoding: base64",
      ],
      base64Lines(fakeFile(3000, PNG)),
    ),
  ]);
  const inner = multipart("mixed", "inner", [
    textPart("original text"),
    attachment("Contract.pdf", "application/pdf", fakeFile(10_000)),
  ], envelope("Contract", "Bob <bob@example.test>"));
  const innermost = multipart(
    "mixed",
    "m3",
    [textPart("x"), attachment("Deep.pdf", "application/pdf", fakeFile(4000))],
    envelope("deep"),
  );
  const middle = multipart("mixed", "m2", [
    textPart("middle"),
    entity(["Content-Type: message/rfc822", "Content-Transfer-Encoding: base64"], base64Lines(Buffer.from(innermost))),
  ], envelope("middle"));
  const messages: Array<[string, string]> = [
    [
      "quoted-printable text only",
      entity([
        ...envelope("Lunch menu"),
        "Content-Type: text/plain; charset=utf-8",
        "Content-Transfer-Encoding: quoted-printable",
      ], "Gr=C3=BC=C3=9Fe aus M=C3=BCnchen=\r\nand a soft break"),
    ],
    [
      "html only",
      entity(
        [...envelope("HTML only"), "Content-Type: text/html; charset=iso-8859-1"],
        "<html><body><h1>Invoice</h1></body></html>",
      ),
    ],
    [
      "alternative",
      multipart(
        "alternative",
        "alt",
        [textPart("Plain words"), textPart("<p>HTML words</p>", "html")],
        envelope("Both"),
      ),
    ],
    [
      "mixed > alternative > related",
      multipart("mixed", "mix", [
        multipart("alternative", "alt", [textPart("Hi there"), related]),
        attachment("Report.pdf", "application/pdf", pdf),
      ], envelope("Nested")),
    ],
    [
      "forwarded message/rfc822",
      multipart("mixed", "outer", [
        textPart("FYI"),
        entity(["Content-Type: message/rfc822", 'Content-Disposition: attachment; filename="Contract.eml"'], inner),
      ], envelope("Fwd: Contract")),
    ],
    [
      "forwarded in forwarded, base64",
      multipart("mixed", "m1", [textPart("top"), entity(["Content-Type: message/rfc822"], middle)], envelope("top")),
    ],
    [
      "five attachments",
      multipart("mixed", "many", [
        textPart("five files"),
        ...["a.pdf", "b.jpg", "c.png"].map((name) =>
          attachment(name, "application/octet-stream", fakeFile(3000, JPEG))
        ),
      ], envelope()),
    ],
    [
      "quoted-printable attachment",
      multipart("mixed", "qp", [
        textPart("body"),
        entity([
          "Content-Type: text/plain; charset=utf-8; name=notes.txt",
          "Content-Disposition: attachment; filename=notes.txt",
          "Content-Transfer-Encoding: quoted-printable",
        ], qp),
      ], envelope()),
    ],
    [
      "without its final boundary",
      multipart("mixed", "cut", [textPart("text"), attachment("Cut.pdf", "application/pdf", pdf)], envelope()).replace(
        /--cut--\r\n$/,
        "",
      ),
    ],
    [
      "whole body one PDF",
      entity(
        [...envelope(), "Content-Type: application/pdf; name=whole.pdf", "Content-Transfer-Encoding: base64"],
        base64Lines(fakeFile(3000)),
      ),
    ],
    [
      "bare LF line ends",
      multipart(
        "mixed",
        "lf",
        [textPart("unix"), attachment("Unix.pdf", "application/pdf", fakeFile(2000))],
        envelope(),
      ).replace(/\r\n/g, "\n"),
    ],
    [
      "S/MIME signed",
      multipart("signed", "sig", [
        textPart("Signed words"),
        attachment("smime.p7s", "application/pkcs7-signature", fakeFile(900, "0\x82")),
      ], envelope("Signed")),
    ],
    [
      "RFC 2231 continuations",
      multipart("mixed", "r2231", [
        textPart("x"),
        entity([
          "Content-Type: application/pdf",
          "Content-Disposition: attachment;",
          " filename*0*=UTF-8''Bericht_Gr%C3%B6;",
          " filename*1*=%C3%9Fe;",
          ' filename*2=".pdf"',
          "Content-Transfer-Encoding: base64",
        ], base64Lines(fakeFile(3000))),
      ], envelope()),
    ],
    [
      "RFC 2047 names",
      multipart("mixed", "names", [
        textPart("names"),
        entity([
          'Content-Type: application/pdf; name="=?ISO-8859-1?Q?K=F6ln_Angebot=2Epdf?="',
          "Content-Transfer-Encoding: base64",
        ], base64Lines(fakeFile(100))),
      ], envelope()),
    ],
    [
      "encoded-word headers",
      entity([
        'From: "Doe, J\u00fcrgen <fake@evil.test>" (work) <=?utf-8?q?J.Doe?=@Example.TEST>',
        "Subject: =?UTF-8?B?R3LDvMOfZQ==?=",
        "Content-Type: text/plain",
      ], "hello"),
    ],
    [
      "no From header",
      entity(["To: print@example.test", "Subject: who?", "Content-Type: text/plain"], "anonymous text"),
    ],
    [
      "empty text part",
      multipart(
        "mixed",
        "zip",
        [textPart(""), attachment("files.zip", "application/zip", fakeFile(5000, "PK"))],
        envelope("Zipped"),
      ),
    ],
    ["header block beyond reason", `${envelope().join("\r\n")}\r\n${"X-Junk: yes\r\n".repeat(20_000)}\r\nbody`],
    ["empty message", ""],
  ];
  return messages.map(([name, raw]): [string, Buffer] => [name, Buffer.from(raw, "utf8")]);
}
