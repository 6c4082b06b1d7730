import assert from "node:assert/strict";
import { test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import type { SplitterChunk } from "@zone-eu/mailsplit";
import { SplitterFeed } from "../../src/mail/mime/splitter_feed.ts";

const MESSAGE =
  "Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nhello\r\n--b--\r\n";

function describe(item: SplitterChunk): string {
  return item.type === "node" ? `node ${item.contentType}` : `${item.type} ${item.value.toString("latin1")}`;
}

test("returns from a write only once a slow walker has taken the events of its bytes", async () => {
  const seen: string[] = [];
  const feed = new SplitterFeed(async (items) => {
    for await (const item of items) {
      await sleep(5);
      seen.push(describe(item));
    }
  });
  await feed.write(Buffer.from("Content-Type: text/plain\r\n\r\nfirst "));
  assert.deepEqual(seen.slice(0, 1), ["node text/plain"]);
  await feed.write(Buffer.from("second"));
  await feed.end();
  assert.deepEqual(seen, ["node text/plain", "body first ", "body second"]);
});

test("rethrows the walker's failure from write and from end", async () => {
  const failure = new Error("no printer for this");
  const feed = new SplitterFeed(async (items) => {
    for await (const item of items) if (item.type === "node") throw failure;
  });
  await assert.rejects(feed.write(Buffer.from(MESSAGE)), failure);
  await assert.rejects(feed.write(Buffer.from("more")), failure);
  await assert.rejects(feed.end(), failure);
});

test("hands a message past the splitter's limits to the walker as an error of its iterator, after the parts before", async () => {
  const raw = `Content-Type: multipart/mixed; boundary=b\r\n\r\n${"--b\r\n\r\nx\r\n".repeat(1000)}--b--\r\n`;
  let nodes = 0;
  const feed = new SplitterFeed(async (items) => {
    try {
      for await (const item of items) if (item.type === "node") nodes++;
    } catch (error) {
      throw new Error(`walker saw: ${(error as Error).message}`, { cause: error });
    }
  });
  await assert.rejects(feed.write(Buffer.from(raw)), (error: Error) => {
    assert.equal(error.message, "walker saw: Max allowed child nodes exceeded");
    assert.equal((error.cause as { code?: string }).code, "EMAXLEN");
    return true;
  });
  assert.equal(nodes, 1000);
  await assert.rejects(feed.end(), /walker saw/);
});

test("stops the walker with an error of its iterator when the input gives up, and waits for it", async () => {
  let walkerSaw: unknown;
  let cleanedUp = false;
  const feed = new SplitterFeed(async (items) => {
    try {
      for await (const item of items) void item;
    } catch (error) {
      walkerSaw = error;
      await sleep(5);
      cleanedUp = true;
      throw error;
    }
  });
  await feed.write(Buffer.from(MESSAGE.slice(0, 60)));
  await feed.close();
  assert.ok(walkerSaw instanceof Error);
  assert.equal(cleanedUp, true);
});

test("ignores the bytes that come after the walker stopped reading", async () => {
  const seen: string[] = [];
  const feed = new SplitterFeed(async (items) => {
    for await (const item of items) {
      seen.push(describe(item));
      break;
    }
  });
  await feed.write(Buffer.from(MESSAGE));
  await feed.write(Buffer.from("ignored"));
  await feed.end();
  assert.deepEqual(seen, ["node multipart/mixed"]);
});
