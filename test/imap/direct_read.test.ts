import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { Writable } from "node:stream";
import { after, before, test } from "node:test";
import * as tls from "node:tls";
import { directRead } from "../../src/imap/direct_read.ts";
import type { DirectRead } from "../../src/imap/direct_read.ts";
import { makeTestCerts } from "../servers/test_certs.ts";
import type { TestCerts } from "../servers/test_certs.ts";

let dir: string;
let certs: TestCerts;

before(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "mps-direct-read-"));
  certs = await makeTestCerts(dir);
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A TLS server on loopback that sends `payload` in writes of `piece` bytes to each client, then ends. */
async function serve(payload: Buffer, piece: number): Promise<{ port: number; close: () => Promise<void> }> {
  const server = tls.createServer(
    { cert: await readFile(certs.certFile), key: await readFile(certs.keyFile) },
    (socket) => {
      for (let at = 0; at < payload.length; at += piece) socket.write(payload.subarray(at, at + piece));
      socket.end();
    },
  );
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  assert.ok(address !== null && typeof address === "object");
  return { port: address.port, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

/** A slow parser: takes each write after `delayMs`, with a small buffer, so the socket must wait for it. */
function slowParser(delayMs: number): { parser: Writable; received: Buffer[]; done: Promise<void> } {
  const received: Buffer[] = [];
  const parser = new Writable({
    highWaterMark: 16 * 1024,
    write(chunk: Buffer, _encoding, callback) {
      received.push(chunk);
      setTimeout(callback, delayMs);
    },
  });
  const done = new Promise<void>((resolve, reject) => {
    parser.on("finish", resolve);
    parser.on("error", reject);
  });
  return { parser, received, done };
}

function connect(port: number, onread: DirectRead, parser: Writable): tls.TLSSocket {
  const options: tls.ConnectionOptions & { onread: DirectRead } = { host: "127.0.0.1", port, ca: certs.caPem, onread };
  const socket = tls.connect(options);
  // as imapflow does: the pipe stays, and ends the parser when the socket ends
  socket.pipe(parser);
  return socket;
}

test("directRead hands every byte of a TLS connection to the parser, in order, through one read buffer", async () => {
  const payload = randomBytes(3 * 1024 * 1024 + 17);
  const server = await serve(payload, 4096);
  try {
    const { parser, received, done } = slowParser(0);
    const onread = directRead(() => parser);
    connect(server.port, onread, parser);
    await done;
    const got = Buffer.concat(received);
    assert.equal(got.length, payload.length);
    assert.equal(createHash("sha256").update(got).digest("hex"), createHash("sha256").update(payload).digest("hex"));
    // copies: no chunk the parser kept is the read buffer itself
    assert.ok(received.every((chunk) => chunk.buffer !== onread.buffer.buffer));
  } finally {
    await server.close();
  }
});

test("directRead pauses the socket while the parser is full and resumes it when the parser drains", async () => {
  const payload = randomBytes(2 * 1024 * 1024);
  const server = await serve(payload, 16 * 1024);
  try {
    const { parser, received, done } = slowParser(1);
    let refused = 0;
    const inner = directRead(() => parser);
    const onread: DirectRead = {
      buffer: inner.buffer,
      callback(bytes, buffer) {
        const accepted = inner.callback.call(this, bytes, buffer);
        if (!accepted) refused++;
        return accepted;
      },
    };
    connect(server.port, onread, parser);
    await done;
    assert.ok(refused > 0, "the parser never filled up: the test did not exercise back-pressure");
    assert.ok(parser.writableHighWaterMark < payload.length);
    assert.equal(Buffer.concat(received).equals(payload), true);
  } finally {
    await server.close();
  }
});

test("directRead drops reads once the parser is gone, without throwing", () => {
  const onread = directRead(() => undefined);
  assert.equal(onread.callback.call(undefined, 3, Buffer.from("abc")), true);
  const ended = new Writable({ write: (_chunk, _encoding, callback) => callback() });
  ended.end();
  assert.equal(directRead(() => ended).callback.call(undefined, 3, Buffer.from("abc")), true);
});
