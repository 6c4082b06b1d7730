import assert from "node:assert/strict";
import { readdir, readFile } from "node:fs/promises";
import * as path from "node:path";
import { after, before, beforeEach, test } from "node:test";
import type { FailedRecord, MessageOutcome } from "../../src/mail/index.ts";
import {
  attachment,
  chunked,
  entity,
  envelope,
  expectJob,
  fakeFile,
  makeDirs,
  multipart,
  removeDirs,
  run,
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
beforeEach(async () => {
  // every test starts with an empty Failed folder and leaves no half job behind
  await removeDirs(dirs);
});

async function listing(dir: string): Promise<string[]> {
  return (await readdir(dir).catch(() => [])).sort();
}

/** Asserts the outcome is Failed for `reason`, the .eml holds the exact bytes and returns the record. */
async function expectFailed(outcome: MessageOutcome, reason: string, raw: string | Buffer): Promise<FailedRecord> {
  if (outcome.outcome !== "failed") assert.fail(`expected failed, got ${JSON.stringify(outcome)}`);
  assert.equal(outcome.reason, reason);
  assert.match(outcome.failedStem, /^2026-11-27T10-00-05\.000Z_print_1_\d+$/);
  assert.deepEqual(await listing(dirs.failed), [`${outcome.failedStem}.eml`, `${outcome.failedStem}.json`]);
  const eml = await readFile(path.join(dirs.failed, `${outcome.failedStem}.eml`));
  assert.ok(eml.equals(typeof raw === "string" ? Buffer.from(raw, "utf8") : raw), "the .eml is the raw message");
  const record = JSON.parse(
    await readFile(path.join(dirs.failed, `${outcome.failedStem}.json`), "utf8"),
  ) as FailedRecord;
  assert.equal(record.reason, reason);
  assert.equal(record.message, outcome.message);
  assert.equal(record.source, "print@example.test");
  assert.equal(record.receivedAt, "2026-11-27T10:00:00.000Z");
  assert.equal(record.failedAt, "2026-11-27T10:00:05.000Z");
  assert.equal(record.size, eml.length);
  assert.deepEqual(await listing(path.join(dirs.spool, ".tmp")), [], "no half job is left in the spool");
  return record;
}

test("saves a message with only a zip attachment in Failed as no-printable-part, byte for byte", async () => {
  const raw = multipart("mixed", "zip", [
    textPart(""),
    attachment("files.zip", "application/zip", fakeFile(5000, "PK")),
  ], envelope("Zipped"));
  const outcome = await run(dirs, raw);
  const record = await expectFailed(outcome, "no-printable-part", raw);
  assert.equal(record.sender, "alice@example.test");
  assert.equal(record.subject, "Zipped");
  assert.match(record.messageId ?? "", /@example\.test>$/);
  assert.equal(
    record.message,
    "The message has no printable part: its attachment 'files.zip' (application/zip) is not a printable type, and its text body is empty",
  );
});

test("saves a message without a From header as no-sender", async () => {
  const raw = entity(["To: print@example.test", "Subject: who?", "Content-Type: text/plain"], "anonymous text");
  const record = await expectFailed(await run(dirs, raw), "no-sender", raw);
  assert.equal(record.sender, null);
  assert.equal(record.subject, "who?");
  assert.equal(record.message, "The message has no sender address: it has no From header");
});

test("saves a message whose From holds no address as no-sender", async () => {
  const raw = entity(["From: Undisclosed sender", "Subject: x", "Content-Type: text/plain"], "text");
  const record = await expectFailed(await run(dirs, raw), "no-sender", raw);
  assert.equal(
    record.message,
    "The message has no sender address: From is 'Undisclosed sender', which is not an address list ('Undisclosed sender' is not an address (no '@'))",
  );
});

test("saves a message from a sender outside allowedSenders, and takes one inside", async () => {
  const source = { allowedSenders: ["*@contoso.com", "boss@example.org"] };
  const raw = entity([...envelope("Spam", "Mallory <mallory@evil.test>"), "Content-Type: text/plain"], "buy now");
  const record = await expectFailed(await run(dirs, raw, { source }), "sender-not-allowed", raw);
  assert.equal(record.sender, "mallory@evil.test");
  assert.match(
    record.message,
    /^Sender 'mallory@evil\.test' is not in allowedSenders of source 'print@example\.test' \(\*@contoso\.com, boss@example\.org\)$/,
  );
  const allowed = entity([...envelope("Fine", "Carol <Carol@CONTOSO.com>"), "Content-Type: text/plain"], "print me");
  const job = await expectJob(dirs, await run(dirs, allowed, { source }));
  assert.equal(job.owner, "carol@contoso.com");
});

test("stops at the attachment over maxAttachments and saves the message as too-many-attachments", async () => {
  const raw = multipart("mixed", "many", [
    textPart("three"),
    attachment("1.pdf", "application/pdf", fakeFile(3000)),
    attachment("2.pdf", "application/pdf", fakeFile(3000)),
    attachment("not-counted.zip", "application/zip", fakeFile(300, "PK")),
    attachment("3.pdf", "application/pdf", fakeFile(3000)),
  ], envelope());
  const record = await expectFailed(
    await run(dirs, raw, { source: { maxAttachments: 2 } }),
    "too-many-attachments",
    raw,
  );
  assert.equal(
    record.message,
    "The message has more than 2 printable attachments, the maxAttachments of source 'print@example.test'",
  );
  assert.deepEqual((await listing(dirs.spool)).filter((name) => !name.startsWith(".")), []);
});

test("saves a message over maxMessageSize as too-large, counted while it streams", async () => {
  const raw = multipart(
    "mixed",
    "big",
    [textPart("big"), attachment("big.pdf", "application/pdf", fakeFile(20_000))],
    envelope("Big"),
  );
  const record = await expectFailed(
    await run(dirs, raw, { source: { maxMessageSize: 4096 }, chunkSize: 1000 }),
    "too-large",
    raw,
  );
  assert.equal(record.subject, "Big");
  assert.equal(
    record.message,
    "The message is at least 5000 bytes, more than maxMessageSize 4096 of source 'print@example.test'",
  );
});

test("refuses a message by the size IMAP reports before parsing it", async () => {
  const raw = multipart(
    "mixed",
    "big",
    [textPart("big"), attachment("big.pdf", "application/pdf", fakeFile(20_000))],
    envelope("Big"),
  );
  const size = Buffer.byteLength(raw);
  const record = await expectFailed(await run(dirs, raw, { source: { maxMessageSize: 4096 }, size }), "too-large", raw);
  assert.equal(record.sender, "alice@example.test");
  assert.equal(
    record.message,
    `The message is ${size} bytes, more than maxMessageSize 4096 of source 'print@example.test'`,
  );
});

test("saves a large refused message exactly, from its spilled temp file", async () => {
  const raw = Buffer.from(
    multipart(
      "mixed",
      "zip",
      [textPart(""), attachment("big.zip", "application/zip", fakeFile(3_000_000, "PK"))],
      envelope(),
    ),
  );
  await expectFailed(await run(dirs, raw, { chunkSize: 65_536 }), "no-printable-part", raw);
});

test("saves a text-only message as no-printable-part when printBody is never", async () => {
  const raw = entity([...envelope(), "Content-Type: text/plain"], "just text");
  const record = await expectFailed(await run(dirs, raw, { source: { printBody: "never" } }), "no-printable-part", raw);
  assert.equal(
    record.message,
    'The message has no printable part: it has no attachment, and the body is not printed (printBody="never")',
  );
});

test("saves a message whose header block is beyond reason as unreadable", async () => {
  const raw = `${envelope().join("\r\n")}\r\n${"X-Junk: yes\r\n".repeat(20_000)}\r\nbody`;
  const record = await expectFailed(await run(dirs, raw), "unreadable", raw);
  assert.match(record.message, /^The message cannot be read as MIME: Max header size for a MIME node exceeded$/);
});

test("saves an empty message as unreadable", async () => {
  const record = await expectFailed(await run(dirs, ""), "unreadable", "");
  assert.equal(record.message, "The message has no header lines");
});

test("saves a message refused twice under one job id only once", async () => {
  const raw = entity(["Subject: no sender", "Content-Type: text/plain"], "x");
  const first = await run(dirs, raw, { jobId: "print_9_1" });
  const second = await run(dirs, raw, { jobId: "print_9_1", now: () => Date.parse("2026-11-28T00:00:00Z") });
  assert.equal(first.outcome, "failed");
  assert.deepEqual(second, first);
  assert.equal((await listing(dirs.failed)).length, 2);
});

test("leaves nothing behind and throws when the message stream breaks off", async () => {
  const raw = Buffer.from(
    multipart("mixed", "cut", [textPart("x"), attachment("a.pdf", "application/pdf", fakeFile(3_000_000))], envelope()),
  );
  async function* broken(): AsyncIterable<Uint8Array> {
    let sent = 0;
    for await (const chunk of chunked(raw, 65_536)) {
      yield chunk;
      sent += chunk.length;
      if (sent > 2_000_000) throw new Error("Connection reset by IMAP server");
    }
  }
  await assert.rejects(run(dirs, raw, { message: broken() }), /Connection reset by IMAP server/);
  assert.deepEqual(await listing(dirs.failed), []);
  assert.deepEqual(await listing(path.join(dirs.spool, ".tmp")), []);
  assert.deepEqual((await listing(dirs.spool)).filter((name) => !name.startsWith(".")), []);
});
