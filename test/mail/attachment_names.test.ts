import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { partFileName } from "../../src/mail/part_file_name.ts";
import {
  attachment,
  base64Lines,
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

/** A PDF part with the given Content-Type and Content-Disposition header lines. */
function pdfPart(headers: readonly string[], bytes: Uint8Array): string {
  return entity([...headers, "Content-Transfer-Encoding: base64"], base64Lines(bytes));
}

async function namesOf(parts: readonly string[]): Promise<string[]> {
  const raw = multipart("mixed", "names", [textPart("names"), ...parts], envelope());
  const job = await expectJob(dirs, await run(dirs, raw, { chunkSize: 41 }));
  return job.documents.map((d) => d.fileName);
}

test("decodes an RFC 2231 name in UTF-8 split over continuations", async () => {
  const pdf = fakeFile(3000);
  const raw = multipart("mixed", "r2231", [
    textPart("x"),
    pdfPart([
      "Content-Type: application/pdf",
      "Content-Disposition: attachment;",
      " filename*0*=UTF-8''Bericht_Gr%C3%B6;",
      " filename*1*=%C3%9Fe;",
      ' filename*2=".pdf"',
    ], pdf),
  ], envelope());
  const job = await expectJob(dirs, await run(dirs, raw));
  assert.deepEqual(job.documents.map((d) => [d.fileName, d.sha256]), [["Bericht_Größe.pdf", sha256(pdf)]]);
});

test("decodes an RFC 2231 name in ISO-8859-1 with a language", async () => {
  const names = await namesOf([
    pdfPart([
      "Content-Type: application/pdf",
      "Content-Disposition: attachment; filename*=iso-8859-1'de'Stra%DFe_%FCber.pdf",
    ], fakeFile(100)),
  ]);
  assert.deepEqual(names, ["Straße_über.pdf"]);
});

test("decodes RFC 2047 encoded words in B and Q form, from filename and from the name on Content-Type", async () => {
  const names = await namesOf([
    pdfPart([
      "Content-Type: application/pdf",
      'Content-Disposition: attachment; filename="=?UTF-8?B?UmVjaG51bmfDnGJlcnNpY2h0LnBkZg==?="',
    ], fakeFile(100)),
    pdfPart(['Content-Type: application/pdf; name="=?ISO-8859-1?Q?K=F6ln_Angebot=2Epdf?="'], fakeFile(100)),
    pdfPart(
      ['Content-Type: application/pdf; name="=?utf-8?Q?Fallback_name?=.pdf"', "Content-Disposition: attachment"],
      fakeFile(100),
    ),
    pdfPart([
      'Content-Type: application/pdf; name="ignored.pdf"',
      'Content-Disposition: attachment; filename="wins.pdf"',
    ], fakeFile(100)),
  ]);
  assert.deepEqual(names, ["RechnungÜbersicht.pdf", "Köln Angebot.pdf", "Fallback name.pdf", "wins.pdf"]);
});

test("takes a raw UTF-8 name as written", async () => {
  const names = await namesOf([
    pdfPart(
      ["Content-Type: application/pdf", 'Content-Disposition: attachment; filename="Übersicht 2026.pdf"'],
      fakeFile(100),
    ),
  ]);
  assert.deepEqual(names, ["Übersicht 2026.pdf"]);
});

test("makes hostile names safe: no path parts, no reserved Windows names or characters", async () => {
  const names = await namesOf([
    attachment("../../etc/passwd.pdf", "application/pdf", fakeFile(100)),
    attachment("C:\\\\Windows\\\\evil.pdf", "application/pdf", fakeFile(100)),
    attachment("CON.pdf", "application/pdf", fakeFile(100)),
    attachment("a:b*c?.pdf", "application/pdf", fakeFile(100)),
    attachment("job.json", "application/pdf", fakeFile(100)),
    attachment("trailing. . ", "application/pdf", fakeFile(100)),
    pdfPart(
      ["Content-Type: application/pdf", "Content-Disposition: attachment; filename*=UTF-8''..%2F..%2Fx%00y.pdf"],
      fakeFile(100),
    ),
  ]);
  assert.deepEqual(names, [
    "passwd.pdf",
    "evil.pdf",
    "_CON.pdf",
    "a_b_c_.pdf",
    "job.json.pdf",
    "trailing.pdf",
    "xy.pdf",
  ]);
  // deno-lint-ignore no-control-regex
  for (const name of names) assert.doesNotMatch(name, /[\\/:*?"<>|\u0000-\u001f]/);
});

test("numbers duplicate names, ignoring case, and keeps each file's bytes", async () => {
  const files = [fakeFile(500), fakeFile(600), fakeFile(700), fakeFile(800)];
  const raw = multipart("mixed", "dup", [
    textPart("dups"),
    attachment("scan.pdf", "application/pdf", files[0]!),
    attachment("scan.pdf", "application/pdf", files[1]!),
    attachment("SCAN.pdf", "application/pdf", files[2]!),
    pdfPart(["Content-Type: application/pdf"], files[3]!),
  ], envelope());
  const job = await expectJob(dirs, await run(dirs, raw));
  assert.deepEqual(job.documents.map((d) => [d.fileName, d.sha256]), [
    ["scan.pdf", sha256(files[0]!)],
    ["scan (2).pdf", sha256(files[1]!)],
    ["SCAN (3).pdf", sha256(files[2]!)],
    ["attachment.pdf", sha256(files[3]!)],
  ]);
});

test("names a body document after the subject, made safe", async () => {
  const raw = entity([...envelope("Q3: results / draft?"), "Content-Type: text/plain"], "numbers");
  const job = await expectJob(dirs, await run(dirs, raw));
  assert.deepEqual(job.documents.map((d) => d.fileName), ["Q3_ results _ draft_.txt"]);
});

test("gives a nameless part its type's extension and keeps a name that has one", () => {
  assert.equal(partFileName("", "application/pdf"), "attachment.pdf");
  assert.equal(partFileName("  ", "image/png"), "attachment.png");
  assert.equal(partFileName("scan", "application/pdf"), "scan.pdf");
  assert.equal(partFileName("photo.JPG", "image/jpeg"), "photo.JPG");
  assert.equal(partFileName("dir/sub/", "application/pdf"), "attachment.pdf");
  assert.equal(partFileName("archive", "application/x-unknown-thing"), "archive");
});

test("adds the accepted type's extension to a name whose own extension is missing or names another type", () => {
  const cases: Array<[string, string, string]> = [
    ["report.hta", "application/pdf", "report.hta.pdf"],
    ["Rechnung 2026.05", "application/pdf", "Rechnung 2026.05.pdf"],
    ["invoice.pdf.exe", "application/pdf", "invoice.pdf.exe.pdf"],
    ["setup.pdf", "application/x-msdownload", "setup.pdf.exe"],
    ["Scan.PDF", "application/pdf", "Scan.PDF"],
    ["scan.jpeg", "image/jpg", "scan.jpeg"],
    ["photo.jpg", "image/pjpeg", "photo.jpg"],
    ["draft.pdf", "application/x-pdf", "draft.pdf"],
    ["letter.rtf", "text/rtf", "letter.rtf"],
    ["notes.log", "text/plain", "notes.log"],
    ["plan.docx", "application/octet-stream", "plan.docx"],
    ["archive.zip", "application/octet-stream", "archive.zip"],
  ];
  for (const [raw, type, expected] of cases) assert.equal(partFileName(raw, type), expected, `${raw} as ${type}`);
});

test("stores a part under the extension of the type it was printed as, and one accepted by its name as named", async () => {
  const raw = multipart("mixed", "ext", [
    textPart("see attachments"),
    attachment("report.hta", "application/pdf", fakeFile(100)),
    attachment("plan.docx", "application/octet-stream", fakeFile(100, "PK\u0003\u0004")),
    attachment("data.zip", "application/octet-stream", fakeFile(100, "PK\u0003\u0004")),
  ], envelope());
  const job = await expectJob(
    dirs,
    await run(dirs, raw, { source: { printableTypes: ["application/pdf", ".docx", ".zip"] } }),
  );
  assert.deepEqual(job.documents.map((d) => [d.fileName, d.contentType]), [
    ["report.hta.pdf", "application/pdf"],
    ["plan.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"],
    ["data.zip", "application/octet-stream"],
  ]);
});

test("names the body of a mail whose subject is 90 CJK characters within 200 bytes, and the mail becomes a job", async () => {
  const subject = "会议纪要".repeat(22) + "会议";
  const raw = entity(
    [...envelope(`=?UTF-8?B?${Buffer.from(subject).toString("base64")}?=`), "Content-Type: text/plain; charset=utf-8"],
    "body",
  );
  const job = await expectJob(dirs, await run(dirs, raw));
  assert.deepEqual(job.documents.map((d) => d.fileName), [`${"会议纪要".repeat(16)}会.txt`]);
  assert.equal(Buffer.byteLength(job.documents[0]!.fileName), 199);
  assert.equal(job.subject, subject);
});

test("names the body 'message.txt' when the subject is empty or only invisible characters", async () => {
  for (const subject of ["", "=?UTF-8?Q?=E2=80=AE=E2=80=8B?="]) {
    const raw = entity([...envelope(subject), "Content-Type: text/plain"], "body");
    const job = await expectJob(dirs, await run(dirs, raw));
    assert.deepEqual(job.documents.map((d) => d.fileName), ["message.txt"], subject);
  }
});
