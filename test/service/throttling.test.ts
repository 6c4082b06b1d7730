import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { describe, test } from "node:test";
import { IMAP_THROTTLED, ImapThrottledError, MAX_THROTTLE_WAIT_MS, throttleAnswer } from "../../src/imap/index.ts";
import { toImapError } from "../../src/imap/index.ts";
import type { ImapTarget } from "../../src/imap/index.ts";
import { createLogger } from "../../src/log/index.ts";
import { runLoop } from "../../src/service/downloader_loop.ts";
import { createSourceState } from "../../src/status/index.ts";

const TARGET: ImapTarget = {
  host: "outlook.office365.com",
  port: 993,
  userName: "print@contoso.com",
  folder: "INBOX",
  caFile: undefined,
  oauth: true,
};

describe("Exchange's throttling answers", () => {
  test("a throttled command names the time the server suggested, less what imapflow already waited", () => {
    // imapflow's error for `A5 BAD Request is throttled. Suggested Backoff Time: 92415 milliseconds`
    const error = Object.assign(new Error("Command failed"), {
      responseStatus: "BAD",
      responseText: "Request is throttled. Suggested Backoff Time: 92415 milliseconds",
      code: "ETHROTTLE",
      throttleReset: 92415,
      throttleWaited: 2415,
    });
    assert.deepEqual(throttleAnswer(error), {
      said: "Request is throttled. Suggested Backoff Time: 92415 milliseconds",
      waitMs: 90_000,
      suggested: true,
    });
    const mapped = toImapError(error, TARGET);
    assert.ok(mapped instanceof ImapThrottledError);
    assert.equal(mapped.code, IMAP_THROTTLED);
    assert.equal(mapped.retryAfterMs, 90_000);
    assert.match(mapped.message, /outlook\.office365\.com:993 throttles the mailbox of 'print@contoso\.com'/);
    assert.match(mapped.message, /waits 90 s as the server suggested/);
  });

  test("a suggestion longer than 10 minutes is capped at 10 minutes", () => {
    const answer = throttleAnswer({
      responseText: "Request is throttled. Suggested Backoff Time: 86400000 milliseconds",
    });
    assert.equal(answer?.waitMs, MAX_THROTTLE_WAIT_MS);
    assert.equal(MAX_THROTTLE_WAIT_MS, 600_000);
  });

  test("'* BYE Connection closed. 14' and 'NO Server Unavailable. 15' are throttling with a wait of a minute", () => {
    const bye = Object.assign(new Error("Unexpected close"), {
      code: "ClosedAfterConnectTLS",
      reason: "Connection closed. 14",
    });
    const busy = Object.assign(new Error("Command failed"), {
      responseStatus: "NO",
      responseText: "Server Unavailable. 15",
    });
    for (const error of [bye, busy]) {
      const mapped = toImapError(error, TARGET);
      assert.equal(mapped.code, IMAP_THROTTLED);
      assert.equal((mapped as ImapThrottledError).retryAfterMs, 60_000);
    }
    assert.equal(
      throttleAnswer(Object.assign(new Error("Command failed"), { responseText: "Server Unavailable." })),
      undefined,
    );
    assert.equal(toImapError(Object.assign(new Error("x"), { code: "ECONNREFUSED" }), TARGET).code, "ERR_IMAP_CONNECT");
  });

  test("after a throttled cycle the loop waits the time it was told, not its 1 s backoff", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "mps-throttle-loop-"));
    const log = createLogger({
      now: Date.now,
      level: "debug",
      file: { path: path.join(dir, "mps.log") },
      console: false,
    });
    const state = createSourceState({
      name: "print",
      type: "ImapOAuthMicrosoft",
      intervalMs: 60_000,
      startedAt: Date.now(),
    });
    const shutdown = new AbortController();
    const starts: number[] = [];
    try {
      await runLoop({
        state,
        log: log.child("downloader/print"),
        now: Date.now,
        shutdown: shutdown.signal,
        cycle: () => {
          starts.push(Date.now());
          if (starts.length === 1) {
            return Promise.reject(new ImapThrottledError("throttled", 2_500, { cause: undefined, fix: "wait" }));
          }
          shutdown.abort();
          return Promise.resolve(0);
        },
      });
      const gap = (starts[1] ?? 0) - (starts[0] ?? 0);
      assert.ok(gap >= 2_450, `second cycle began ${gap} ms after the first`);
      assert.equal(state.throttles, 1);
      assert.equal(state.throttledUntil, undefined, "a good cycle clears throttledUntil");
    } finally {
      log.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
