import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { test } from "node:test";
import type { ReplyFields } from "../../src/mail/index.ts";
import { BUILT_IN_TEXTS, composeReply, jobDocuments, loadTexts, whyNoReply } from "../../src/notify/index.ts";
import type { ReplyRequest } from "../../src/notify/index.ts";

const PLAIN: ReplyFields = {
  autoSubmitted: "",
  precedence: "",
  listId: "",
  returnPath: "<alice@example.test>",
  references: "",
  autoMarks: [],
};
const OWN = ["print@contoso.com"];

test("a person's ordinary mail may get a reply, also with Auto-Submitted: no", () => {
  assert.equal(whyNoReply("alice@example.test", PLAIN, OWN), undefined);
  assert.equal(whyNoReply("alice@example.test", { ...PLAIN, autoSubmitted: "No" }, OWN), undefined);
  assert.equal(whyNoReply("alice@example.test", { ...PLAIN, returnPath: undefined }, OWN), undefined);
  assert.equal(
    whyNoReply("alice@example.test", { ...PLAIN, autoMarks: ["x-auto-response-suppress: DR, RN, NRN"] }, OWN),
    undefined,
  );
});

test("automatic, bulk, list and bounce mail, machine addresses and the print mailbox itself get no reply", () => {
  const cases: Array<[string, Partial<ReplyFields>, RegExp]> = [
    ["a@example.test", { autoSubmitted: "auto-replied" }, /Auto-Submitted: auto-replied/],
    ["a@example.test", { autoSubmitted: "auto-generated; owner-email=x@y" }, /automatic/],
    ["a@example.test", { precedence: "Bulk" }, /Precedence: Bulk/],
    ["a@example.test", { precedence: "junk" }, /bulk mail/],
    ["a@example.test", { precedence: "list" }, /bulk mail/],
    ["a@example.test", { listId: "Printers <printers.example.test>" }, /List-Id/],
    ["a@example.test", { returnPath: "<>" }, /empty return path/],
    ["a@example.test", { returnPath: "" }, /empty return path/],
    ["a@example.test", { autoMarks: ["x-auto-response-suppress: All"] }, /asks for no automatic replies/],
    ["a@example.test", { autoMarks: ["x-autoreply: yes"] }, /asks for no automatic replies/],
    ["MAILER-DAEMON@example.test", {}, /machine address/],
    ["postmaster@example.test", {}, /machine address/],
    ["no-reply@example.test", {}, /machine address/],
    ["noreply@example.test", {}, /machine address/],
    ["do-not-reply@example.test", {}, /machine address/],
    ["MicrosoftExchange329e71ec88ae4615bbc36ab6ce41109e@contoso.com", {}, /machine address/],
    ["Print@Contoso.com", {}, /print mailbox itself/],
  ];
  for (const [sender, fields, why] of cases) {
    assert.match(
      whyNoReply(sender, { ...PLAIN, ...fields }, OWN) ?? "(none)",
      why,
      `${sender} ${JSON.stringify(fields)}`,
    );
  }
});

const REQUEST: ReplyRequest = {
  id: "print-1-7",
  kind: "accepted",
  to: "alice@example.test",
  mailbox: "print@contoso.com",
  subject: "Report <Q3> & more",
  messageId: "<m1@example.test>",
  references: "<m0@example.test>",
  receivedAt: "2026-11-27T10:00:00.000Z",
  documents: jobDocuments([{ fileName: "a.pdf" }], ["'tool.exe' (application/x-msdownload)"]),
};

test("a job reply lists each document with its status, in plain text and escaped HTML, threaded to the original", () => {
  const reply = composeReply(
    {
      ...REQUEST,
      documents: [...REQUEST.documents, { fileName: "b.pdf", status: "printed", printer: "floor2" }],
    },
    BUILT_IN_TEXTS["en"]!,
    "en",
    "print@contoso.com",
  );
  assert.equal(reply.subject, "Print job received: Report <Q3> & more");
  assert.equal(reply.inReplyTo, "<m1@example.test>");
  assert.equal(reply.references, "<m0@example.test> <m1@example.test>");
  assert.match(reply.messageId, /^<mps-reply\.[0-9a-f]{32}@contoso\.com>$/);
  assert.match(reply.text, /^- a\.pdf: queued for printing$/m);
  assert.match(
    reply.text,
    /^- tool\.exe: not printed, this file type cannot be printed \(application\/x-msdownload\)$/m,
  );
  assert.match(reply.text, /^- b\.pdf: printed on floor2$/m);
  assert.match(reply.html, /&#34;Report &#60;Q3&#62; &#38; more&#34;/);
  assert.ok(!reply.html.includes("<Q3>"));
  assert.equal(composeReply(REQUEST, BUILT_IN_TEXTS["en"]!, "en", "print@contoso.com").messageId, reply.messageId);
});

test("a refusal says why and what to do in the sender's language, and an unknown reason gets the general sentence", () => {
  const cs = composeReply(
    { ...REQUEST, kind: "refused", documents: [], reason: "too-large" },
    BUILT_IN_TEXTS["cs"]!,
    "cs",
    "print@contoso.com",
  );
  assert.equal(cs.subject, "Nevytištěno: Report <Q3> & more");
  assert.match(cs.text, /Je příliš velký\./);
  assert.match(cs.text, /Pošlete dokumenty v několika menších e-mailech\./);
  const other = composeReply(
    { ...REQUEST, kind: "refused", documents: [], reason: "cannot-process" },
    BUILT_IN_TEXTS["en"]!,
    "en",
    "print@contoso.com",
  );
  assert.match(other.text, /It could not be processed\./);
});

test("a subject with line breaks stays one line, and a message without Message-ID gets no In-Reply-To", () => {
  const reply = composeReply(
    { ...REQUEST, subject: "a\r\nBcc: victim@example.test", messageId: "", references: "" },
    BUILT_IN_TEXTS["en"]!,
    "en",
    "print@contoso.com",
  );
  assert.equal(reply.subject, "Print job received: a Bcc: victim@example.test");
  assert.equal(reply.inReplyTo, undefined);
  assert.equal(reply.references, undefined);
});

test("a templates folder overrides keys of a built-in language and adds a language of its own", async () => {
  const dir = await mkdtemp(path.join(tmpdir(), "mps-templates-"));
  try {
    await writeFile(path.join(dir, "de.json"), JSON.stringify({ acceptedSubject: "Gedruckt wird: " }));
    await writeFile(
      path.join(dir, "fr.json"),
      JSON.stringify({ acceptedSubject: "Impression reçue : ", reasons: { "too-large": "Il est trop gros." } }),
    );
    await writeFile(path.join(dir, "notes.txt"), "not a template");
    const de = await loadTexts(dir, "de", "en");
    assert.equal(de.language, "de");
    assert.equal(de.texts.acceptedSubject, "Gedruckt wird: ");
    assert.equal(de.texts.refusedSubject, "Nicht gedruckt: ");
    const fr = await loadTexts(dir, "fr", "en");
    assert.equal(fr.language, "fr");
    assert.equal(fr.texts.reasons["too-large"], "Il est trop gros.");
    assert.equal(fr.texts.reasons["unreadable"], BUILT_IN_TEXTS["en"]!.reasons["unreadable"]);
    assert.deepEqual(fr.problems, []);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test("a broken template file is reported and the built-in texts are used; an unknown language falls back to default", async () => {
  const dir = await mkdtemp(path.join(tmpdir(), "mps-templates-"));
  try {
    await writeFile(path.join(dir, "de.json"), "{ not json");
    await writeFile(path.join(dir, "cs.json"), JSON.stringify({ greting: "Ahoj" }));
    const de = await loadTexts(dir, "de", "en");
    assert.equal(de.language, "de");
    assert.equal(de.texts.acceptedSubject, BUILT_IN_TEXTS["de"]!.acceptedSubject);
    assert.equal(de.problems.length, 2);
    assert.match(de.problems[0]?.message ?? "", /Template file '.*cs\.json' has the unknown key 'greting'/);
    assert.match(de.problems[1]?.message ?? "", /Template file '.*de\.json' is not valid JSON/);
    assert.equal((await loadTexts(dir, "pl", "cs")).language, "cs");
    assert.equal((await loadTexts(undefined, "pl", "sk")).language, "en");
    const missing = await loadTexts(path.join(dir, "nope"), "de", "en");
    assert.match(missing.problems[0]?.message ?? "", /Cannot read the templates folder/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
