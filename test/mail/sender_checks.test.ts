import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import * as path from "node:path";
import { after, before, test } from "node:test";
import type { FailedRecord, MessageOutcome } from "../../src/mail/index.ts";
import { documentText, entity, expectJob, makeDirs, removeDirs, run } from "./mail_test_kit.ts";
import type { Dirs } from "./mail_test_kit.ts";

let dirs: Dirs;
before(async () => {
  dirs = await makeDirs();
});
after(async () => {
  await removeDirs(dirs);
});

const EXCHANGE_PASS = "Authentication-Results: spf=pass (sender IP is 203.0.113.7)\r\n smtp.mailfrom=contoso.com; " +
  "dkim=pass (signature was verified)\r\n header.d=contoso.com;dmarc=pass action=none\r\n " +
  "header.from=contoso.com;compauth=pass reason=100";
const REQUIRE = { requireAuthenticated: true, allowedSenders: ["*@contoso.com"] } as const;

function message(headers: readonly string[]): string {
  return entity(
    [...headers, "To: print@example.test", "Subject: Print this", "Content-Type: text/plain"],
    "Please print",
  );
}

async function failed(outcome: MessageOutcome, reason: string): Promise<FailedRecord> {
  if (outcome.outcome !== "failed") assert.fail(`expected failed, got ${JSON.stringify(outcome)}`);
  assert.equal(outcome.reason, reason, outcome.message);
  const record = JSON.parse(await readFile(path.join(dirs.failed, `${outcome.failedStem}.json`), "utf8"));
  return record as FailedRecord;
}

test("makes the job of a forged encoded display name the attacker's, and prints the name quoted", async () => {
  const raw = message(["From: =?utf-8?q?=3Cboss=40contoso=2Ecom=3E?= <attacker@evil.com>"]);
  const job = await expectJob(dirs, await run(dirs, raw));
  assert.equal(job.owner, "attacker@evil.com");
  assert.match(await documentText(dirs, job, 0), /From: "<boss@contoso\.com>" <attacker@evil\.com>/);
  const refused = await failed(
    await run(dirs, raw, { source: { allowedSenders: ["*@contoso.com"] } }),
    "sender-not-allowed",
  );
  assert.equal(refused.sender, "attacker@evil.com");
});

test("sends a message with two From headers to Failed as ambiguous-sender", async () => {
  const raw = message(["From: Boss <boss@contoso.com>", "From: attacker@evil.com"]);
  const record = await failed(await run(dirs, raw), "ambiguous-sender");
  assert.equal(record.sender, null);
  assert.match(record.message, /^The message has 2 From headers \('Boss <boss@contoso\.com>', 'attacker@evil\.com'\)/);
});

test("takes the Sender of a From with several authors as owner, and refuses it without one", async () => {
  const from = "From: Alice <alice@contoso.com>, Bob <bob@contoso.com>";
  const job = await expectJob(dirs, await run(dirs, message([from, "Sender: Bob <Bob@Contoso.com>"])));
  assert.equal(job.owner, "bob@contoso.com");
  await failed(await run(dirs, message([from])), "ambiguous-sender");
  await failed(await run(dirs, message([from, "Sender: mallory@evil.test"])), "ambiguous-sender");
});

test("sends a From that is only an empty group to Failed as no-sender", async () => {
  const record = await failed(await run(dirs, message(["From: undisclosed-recipients:;"])), "no-sender");
  assert.equal(
    record.message,
    "The message has no sender address: its From header 'undisclosed-recipients:;' holds no mailbox",
  );
});

test("with requireAuthenticated takes mail that Exchange Online's topmost Authentication-Results passes", async () => {
  const raw = message([EXCHANGE_PASS, "From: Boss <boss@contoso.com>"]);
  const job = await expectJob(dirs, await run(dirs, raw, { source: REQUIRE }));
  assert.equal(job.owner, "boss@contoso.com");
});

test("with requireAuthenticated refuses a passing Authentication-Results that is not the topmost", async () => {
  const raw = message([
    "Authentication-Results: mx.contoso.com; spf=fail smtp.mailfrom=evil.test; dmarc=fail header.from=contoso.com",
    "Received: from evil.test by mx.contoso.com",
    "Authentication-Results: mx.contoso.com; dmarc=pass header.from=contoso.com",
    "From: Boss <boss@contoso.com>",
  ]);
  const record = await failed(await run(dirs, raw, { source: REQUIRE }), "not-authenticated");
  assert.equal(
    record.message,
    "The topmost Authentication-Results header from 'mx.contoso.com' says spf=fail, dmarc=fail, and source " +
      "'print@example.test' requires dmarc=pass or compauth=pass (requireAuthenticated=\"true\")",
  );
  assert.equal(record.sender, "boss@contoso.com");
});

test("with requireAuthenticated refuses mail without the header, from another server, or for another domain", async () => {
  await failed(await run(dirs, message(["From: boss@contoso.com"]), { source: REQUIRE }), "not-authenticated");
  const other = message([
    "Authentication-Results: mx.evil.test; dmarc=pass header.from=contoso.com",
    "From: boss@contoso.com",
  ]);
  await expectJob(dirs, await run(dirs, other, { source: REQUIRE }));
  await failed(await run(dirs, other, { source: { ...REQUIRE, authservId: "mx.contoso.com" } }), "not-authenticated");
  const domain = message([EXCHANGE_PASS, "From: boss@contoso.com.evil.test"]);
  await failed(await run(dirs, domain, { source: { requireAuthenticated: true } }), "not-authenticated");
  // without requireAuthenticated the header is not looked at
  await expectJob(
    dirs,
    await run(dirs, message(["From: boss@contoso.com"]), { source: { allowedSenders: ["*@contoso.com"] } }),
  );
});
