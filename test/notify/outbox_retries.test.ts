import assert from "node:assert/strict";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { test } from "node:test";
import { parseConfig } from "../../src/config/index.ts";
import type { EmailSource } from "../../src/config/index.ts";
import { createLogger } from "../../src/log/index.ts";
import { createMemorySink } from "../log/memory_sink.ts";
import type { MessageHeaders } from "../../src/mail/index.ts";
import { Notifier, SmtpSendError } from "../../src/notify/index.ts";
import type { OutgoingReply } from "../../src/notify/index.ts";
import type { TokenService } from "../../src/oauth/index.ts";

const MINUTE = 60_000;

// No real server can be told to fail at a given minute of a fake clock: the SMTP send here is a
// fake (a function that fails or succeeds as the test says); the outbox and its files are real.
async function setUp() {
  const dir = await mkdtemp(path.join(tmpdir(), "mps-outbox-"));
  const config = parseConfig(
    `<mps version="6">
  <emailSources><add name="print" type="Imap" host="imap.example.test" userName="print@contoso.com" password="p" /></emailSources>
  <spool folder="${dir}/Spool" />
  <notifications from="print@contoso.com" host="smtp.example.test" password="pw" />
</mps>`,
    path.join(dir, "mps.config"),
  );
  let clock = Date.parse("2026-12-01T08:00:00Z");
  const sink = createMemorySink();
  const log = createLogger({ now: () => clock, sinks: [sink], level: "debug" });
  const sent: OutgoingReply[] = [];
  let failure: Error | undefined;
  // replies sign in with a password here: the token service is never asked
  const tokens: TokenService = {
    getAccessToken: () => Promise.reject(new Error("no token is needed with a password")),
    status: () => ({ state: "unknown" }),
    refreshIfOlderThan: () => Promise.resolve(false),
    track: () => undefined,
  };
  const settings = config.notifications;
  if (settings === undefined) throw new Error("the config has no <notifications>");
  const options = {
    config,
    settings,
    tokens,
    log: log.child("notify"),
    now: () => clock,
    send: (reply: OutgoingReply) => {
      if (failure !== undefined) return Promise.reject(failure);
      sent.push(reply);
      return Promise.resolve();
    },
  };
  const notifier = new Notifier(options);
  return {
    dir,
    notifier,
    /** Another `mps run --once` over the same spool. */
    run: () => new Notifier(options),
    sent,
    sink,
    source: config.emailSources[0] as EmailSource,
    advance: (ms: number) => (clock += ms),
    failWith: (error: Error | undefined) => (failure = error),
    outbox: async () => (await readdir(path.join(dir, "Spool", ".outbox"))).filter((name) => name.endsWith(".json")),
    record: async (id: string) =>
      JSON.parse(await readFile(path.join(dir, "Spool", ".outbox", "done", `${id}.json`), "utf8")) as {
        result: string;
      },
    dispose: () => rm(dir, { recursive: true, force: true }),
  };
}

function headers(sender: string): MessageHeaders {
  return {
    from: sender,
    sender,
    senderProblem: undefined,
    authenticationResults: undefined,
    to: "print@contoso.com",
    subject: "Hello",
    messageId: "<m@example.test>",
    date: "",
    lineCount: 5,
    reply: { autoSubmitted: "", precedence: "", listId: "", returnPath: undefined, references: "", autoMarks: [] },
  };
}

test("a reply that cannot be sent waits with doubling pauses, goes out once the server is back, and is never sent twice", async () => {
  const t = await setUp();
  try {
    t.failWith(new SmtpSendError("Cannot send: connection refused", false));
    t.notifier.jobAccepted({
      source: t.source,
      jobId: "print-1-1",
      receivedAt: "2026-12-01T08:00:00Z",
      headers: headers("alice@example.test"),
      documents: [{ fileName: "a.pdf", status: "queued" }],
    });
    await t.notifier.flush();
    assert.deepEqual(await t.outbox(), ["print-1-1.json"]);
    assert.match(t.sink.text(), /not sent; it stays in the outbox .*retryInSeconds=60/);
    assert.equal(t.notifier.waiting, 1);
    // not due yet: a round now sends nothing and does not count an attempt
    t.failWith(undefined);
    t.advance(30_000);
    t.notifier.kick();
    await t.notifier.close();
    assert.deepEqual(t.sent, []);
    t.failWith(new SmtpSendError("Cannot send: connection refused", false));
    t.advance(31_000);
    await t.run().flush();
    assert.match(t.sink.text(), /retryInSeconds=120/);
    t.failWith(undefined);
    t.advance(2 * MINUTE);
    await t.run().flush();
    assert.equal(t.sent.length, 1);
    assert.deepEqual(await t.outbox(), []);
    assert.equal((await t.record("print-1-1")).result, "sent");
    await t.run().flush();
    assert.equal(t.sent.length, 1);
  } finally {
    await t.dispose();
  }
});

test("a reply the server refuses for good, or one that could not go for three days, is given up and logged", async () => {
  const t = await setUp();
  try {
    t.failWith(new SmtpSendError("Cannot send the reply: 550 5.1.1 no such user", true));
    t.notifier.jobAccepted({
      source: t.source,
      jobId: "print-1-2",
      receivedAt: "2026-12-01T08:00:00Z",
      headers: headers("ghost@example.test"),
      documents: [{ fileName: "a.pdf", status: "queued" }],
    });
    await t.notifier.flush();
    assert.equal((await t.record("print-1-2")).result, "gave-up");
    t.failWith(new SmtpSendError("Cannot send: connection refused", false));
    t.notifier.messageRefused({
      source: t.source,
      jobId: "print-1-3",
      receivedAt: "2026-12-01T08:00:00Z",
      headers: headers("bob@example.test"),
      reason: "too-large",
    });
    await t.notifier.flush();
    assert.deepEqual(await t.outbox(), ["print-1-3.json"]);
    t.advance(3 * 24 * 60 * MINUTE + MINUTE);
    await t.run().flush();
    assert.equal((await t.record("print-1-3")).result, "gave-up");
    assert.deepEqual(await t.outbox(), []);
    assert.equal(t.notifier.counts.get("failed"), 1);
    assert.match(t.sink.text(), /ERROR \[notify\] reply to the sender given up job=print-1-2/);
  } finally {
    await t.dispose();
  }
});

test("a job that goes on to a printer has its reply held until delivery reports each document, then sent with those outcomes", async () => {
  const t = await setUp();
  try {
    t.notifier.jobAccepted({
      source: t.source,
      jobId: "print-1-4",
      receivedAt: "2026-12-01T08:00:00Z",
      headers: headers("carol@example.test"),
      documents: [{ fileName: "a.pdf", status: "queued" }, { fileName: "b.docx", status: "queued" }],
      awaitDelivery: true,
    });
    await t.notifier.flush();
    assert.deepEqual(t.sent, []);
    assert.deepEqual(await t.outbox(), ["print-1-4.json"]);
    t.notifier.jobDelivered("print-1-4", [
      { fileName: "a.pdf", status: "printed", printer: "floor2" },
      { fileName: "b.docx", status: "refused", why: "LibreOffice is not installed, so it cannot be converted" },
    ]);
    await t.notifier.flush();
    const texts = t.sent.map((reply: OutgoingReply) => reply.text);
    assert.equal(texts.length, 1);
    assert.match(texts[0] ?? "", /^- a\.pdf: printed on floor2$/m);
    assert.match(texts[0] ?? "", /^- b\.docx: not printed, LibreOffice is not installed/m);
    t.notifier.jobDelivered("print-1-4", []);
    await t.run().flush();
    assert.equal(t.sent.length, 1);
  } finally {
    await t.notifier.close();
    await t.dispose();
  }
});
