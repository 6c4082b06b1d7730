import assert from "node:assert/strict";
import { mkdir, open, readdir, readFile, writeFile } from "node:fs/promises";
import * as path from "node:path";
import { after, before, beforeEach, test } from "node:test";
import type { EmailSource } from "../../src/config/types.ts";
import { FailedFolderError, messageToJob } from "../../src/mail/index.ts";
import type { FailedRecord, MessageOutcome } from "../../src/mail/index.ts";
import { messageFault, systemErrorCode } from "../../src/mail/message_fault.ts";
import { SpoolError } from "../../src/spool/index.ts";
import {
  attachment,
  chunked,
  emailSource,
  entity,
  envelope,
  expectJob,
  fakeFile,
  makeDirs,
  multipart,
  NOW,
  RECEIVED,
  removeDirs,
  run,
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
  await removeDirs(dirs);
});

async function record(outcome: MessageOutcome, reason: string): Promise<FailedRecord> {
  if (outcome.outcome !== "failed") assert.fail(`expected failed, got ${JSON.stringify(outcome)}`);
  assert.equal(outcome.reason, reason);
  const saved = JSON.parse(
    await readFile(path.join(dirs.failed, `${outcome.failedStem}.json`), "utf8"),
  ) as FailedRecord;
  assert.equal(saved.reason, reason);
  assert.equal(saved.message, outcome.message);
  return saved;
}

function pdfMail(fileName: string, subject = "Print"): string {
  return multipart("mixed", "b1", [attachment(fileName, "application/pdf", fakeFile(2000))], envelope(subject));
}

/**
 * A spool so deep that its paths come within 150 bytes of PATH_MAX (4096 on Linux): short
 * document names still fit, a long one is refused (ENAMETOOLONG) however names are cut.
 */
async function deepSpool(): Promise<string> {
  let spool = path.join(dirs.root, "Spool");
  while (Buffer.byteLength(spool) < 3950 - 201) spool = path.join(spool, "d".repeat(200));
  spool = path.join(spool, "s".repeat(3950 - Buffer.byteLength(spool) - 1));
  assert.equal(Buffer.byteLength(spool), 3950);
  await mkdir(spool, { recursive: true });
  return spool;
}

test("a document the file system refuses sends only its message to Failed as cannot-store-document", async () => {
  const spool = await deepSpool();
  const longName = `${"r".repeat(180)}.pdf`;
  const raw = pdfMail(longName, "Long name");
  const refused = await run(dirs, raw, { spoolDir: spool });
  const saved = await record(refused, "cannot-store-document");
  assert.equal(saved.subject, "Long name");
  assert.equal(saved.sender, "alice@example.test");
  assert.match(
    saved.message,
    /^A file of the message cannot be stored in the spool, though the spool takes other files: Cannot write document 'r+\.pdf' of job 'print_1_\d+': ENAMETOOLONG: name too long$/,
  );
  const eml = await readFile(path.join(dirs.failed, `${(refused as { failedStem: string }).failedStem}.eml`));
  assert.ok(eml.equals(Buffer.from(raw)), "the .eml is the raw message");
  assert.deepEqual(await readdir(path.join(spool, ".tmp")), [], "no half job and no probe file is left behind");
  // the same spool takes the next message
  const next = await run(dirs, pdfMail("short.pdf"), { spoolDir: spool });
  assert.equal(next.outcome, "job");
});

test("a large message, streamed and spilled to a temp file, follows the same rule and is saved exactly", async () => {
  const spool = await deepSpool();
  const raw = Buffer.from(
    multipart(
      "mixed",
      "big",
      [attachment(`${"r".repeat(180)}.pdf`, "application/pdf", fakeFile(3_000_000))],
      envelope(),
    ),
  );
  const outcome = await run(dirs, raw, { spoolDir: spool, chunkSize: 512 * 1024 });
  await record(outcome, "cannot-store-document");
  const eml = await readFile(path.join(dirs.failed, `${(outcome as { failedStem: string }).failedStem}.eml`));
  assert.ok(eml.equals(raw), "the .eml is the raw message");
  assert.deepEqual((await readdir(dirs.failed)).filter((name) => name.startsWith(".")), [], "no temp copy is left");
});

test("an unexpected error inside MIME handling sends the message to Failed as cannot-process, with the error", async () => {
  // A fake bug: a source whose printableTypes throws when the walker reads it for the attachment.
  const source = new Proxy(emailSource(), {
    get(target, key, receiver) {
      if (key === "printableTypes") throw new TypeError("Cannot read properties of undefined (reading 'fake')");
      return Reflect.get(target, key, receiver) as unknown;
    },
  }) as EmailSource;
  const raw = pdfMail("a.pdf", "Buggy");
  const outcome = await messageToJob({
    message: chunked(raw),
    jobId: "print_1_bug",
    source,
    spoolDir: dirs.spool,
    failedDir: dirs.failed,
    receivedAt: RECEIVED,
    now: () => NOW,
  });
  const saved = await record(outcome, "cannot-process");
  assert.equal(saved.subject, "Buggy");
  assert.equal(
    saved.message,
    "The message cannot be processed: TypeError: Cannot read properties of undefined (reading 'fake')",
  );
  assert.deepEqual(await readdir(path.join(dirs.spool, ".tmp")), []);
  assert.deepEqual((await readdir(dirs.spool)).filter((name) => !name.startsWith(".")), []);
});

test("a Failed folder that cannot be written fails the message out of messageToJob, leaving nothing behind", async () => {
  await mkdir(dirs.root, { recursive: true });
  await writeFile(dirs.failed, "a file where the Failed folder must be");
  const raw = entity(["Subject: no sender", "Content-Type: text/plain"], "x");
  await assert.rejects(run(dirs, raw), (error: unknown) => {
    assert.ok(error instanceof FailedFolderError, String(error));
    assert.match(error.message, /^Cannot save message print_1_\d+ in the Failed folder/);
    return true;
  });
  assert.deepEqual(await readdir(path.join(dirs.spool, ".tmp")), []);
});

test("a full disk is the spool's fault, not the message's: the error is thrown as it is", async () => {
  // A fake ENOSPC (no disk here can be filled for a test), shaped as Node's system errors are.
  const full = Object.assign(new Error("ENOSPC: no space left on device, write"), {
    code: "ENOSPC",
    errno: -28,
    syscall: "write",
  });
  const wrapped = new SpoolError("Cannot write document 'a.pdf' of job 'j': ENOSPC: no space left on device", {
    cause: full,
  });
  assert.equal(systemErrorCode(wrapped), "ENOSPC");
  await assert.rejects(messageFault(wrapped, dirs.spool), (error: unknown) => error === wrapped);
});

test("a file error where the spool takes no file at all is the spool's fault: the probe's error names the spool", async () => {
  await mkdir(dirs.spool, { recursive: true });
  await writeFile(path.join(dirs.spool, ".tmp"), "a file where the spool's temp folder must be");
  // a real error of the file system: a name longer than 255 bytes
  const refused = await open(path.join(dirs.root, "x".repeat(300)), "w").then(
    () => assert.fail("a 300-byte name was taken"),
    (error: unknown) => error,
  );
  assert.equal(systemErrorCode(refused), "ENAMETOOLONG");
  await assert.rejects(messageFault(refused, dirs.spool), (error: unknown) => {
    assert.ok(error instanceof SpoolError, String(error));
    assert.match(error.message, /^Cannot write to spool folder '.*Spool': /);
    return true;
  });
  // with a spool that takes files, the same error is the message's
  await removeDirs(dirs);
  const rejection = await messageFault(refused, dirs.spool);
  assert.equal(rejection.reason, "cannot-store-document");
  assert.deepEqual(await readdir(path.join(dirs.spool, ".tmp")), [], "the probe file is gone");
});

test("errors that are no file system's are the message's: cannot-process, quoted and cut to a sane length", async () => {
  const rejection = await messageFault(new RangeError(`Invalid array length ${"x".repeat(2000)}`), dirs.spool);
  assert.equal(rejection.reason, "cannot-process");
  assert.ok(rejection.message.startsWith("The message cannot be processed: RangeError: Invalid array length xxx"));
  assert.ok(rejection.message.length < 600, `${rejection.message.length} characters`);
  const odd = await messageFault("a thrown string", dirs.spool);
  assert.equal(odd.message, "The message cannot be processed: thrown a thrown string");
  await expectJob(dirs, await run(dirs, pdfMail("after.pdf")));
});
