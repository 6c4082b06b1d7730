import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { after, before, test } from "node:test";
import { fileURLToPath } from "node:url";
import { expectJob, makeDirs, removeDirs, run, sha256 } from "./mail_test_kit.ts";
import type { Dirs } from "./mail_test_kit.ts";

let dirs: Dirs;
before(async () => {
  dirs = await makeDirs();
});
after(async () => {
  await removeDirs(dirs);
});

async function fixture(name: string): Promise<Buffer> {
  return await readFile(fileURLToPath(new URL(`fixtures/${name}`, import.meta.url)));
}

test("reads an Outlook message: the PDF prints, the signature logo of the HTML does not", async () => {
  const job = await expectJob(dirs, await run(dirs, await fixture("outlook_signature_logo.eml"), { chunkSize: 512 }));
  const pdf =
    "%PDF-1.4\n% Outlook fixture: Angebot 2026\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n";
  assert.deepEqual(job.documents.map((d) => [d.fileName, d.contentType, d.sha256]), [[
    "Angebot Büro 2026.pdf",
    "application/pdf",
    sha256(pdf),
  ]]);
  assert.equal(job.owner, "juergen.mueller@contoso.com");
  assert.equal(job.subject, "Angebot für Büro");
  assert.equal(job.messageId, "<AM0PR01MB1234ABCD@AM0PR01MB1234.eurprd01.prod.exchangelabs.com>");
});

test("reads a Thunderbird forward-as-attachment: the PDF with an RFC 2231 name inside prints", async () => {
  const job = await expectJob(
    dirs,
    await run(dirs, await fixture("thunderbird_forward_attached.eml"), { chunkSize: 100 }),
  );
  const pdf = "%PDF-1.5\n% Thunderbird forwarded fixture\n%%EOF\n";
  assert.deepEqual(job.documents.map((d) => [d.fileName, d.sha256]), [["Rechnung_4711_Größe.pdf", sha256(pdf)]]);
  assert.equal(job.subject, "Fwd: Rechnung 4711");
});
