import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import type { Transform } from "node:stream";
import { test } from "node:test";
import libbase64 from "libbase64";
import { Base64Decoder } from "../../src/mail/mime/base64_decoder.ts";

async function decode(decoder: Transform, chunks: readonly Buffer[]): Promise<Buffer> {
  const out: Buffer[] = [];
  decoder.on("data", (chunk: Buffer) => out.push(chunk));
  const ended = new Promise<void>((resolve, reject) => {
    decoder.on("end", resolve);
    decoder.on("error", reject);
  });
  for (const chunk of chunks) decoder.write(chunk);
  decoder.end();
  await ended;
  return Buffer.concat(out);
}

/** Both decoders on the same chunks: the output must be the same. */
async function assertSameAsLibbase64(chunks: readonly Buffer[], label: string): Promise<Buffer> {
  const expected = await decode(new libbase64.Decoder(), chunks);
  const actual = await decode(new Base64Decoder(), chunks);
  assert.equal(
    actual.toString("hex"),
    expected.toString("hex"),
    `${label}: ${JSON.stringify(chunks.map((c) => c.toString("latin1")))}`,
  );
  return actual;
}

function wrap(base64: string, width: number, lineEnd: string): Buffer {
  return Buffer.from(base64.replace(new RegExp(`.{${width}}`, "g"), `$&${lineEnd}`), "latin1");
}

/** A small deterministic generator, so a failure can be reproduced. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

test("decodes a 200 KB attachment in 76-character CRLF lines to its bytes, in one chunk or many", async () => {
  const bytes = randomBytes(200 * 1024);
  const body = wrap(bytes.toString("base64"), 76, "\r\n");
  assert.deepEqual(await decode(new Base64Decoder(), [body]), bytes);
  const pieces: Buffer[] = [];
  for (let at = 0; at < body.length; at += 65_536) pieces.push(body.subarray(at, at + 65_536));
  assert.deepEqual(await decode(new Base64Decoder(), pieces), bytes);
});

test("decodes line-wrapped base64 cut at every position like libbase64", async () => {
  for (const [width, lineEnd] of [[76, "\r\n"], [64, "\n"], [5, "\r\n"]] as const) {
    for (const length of [0, 1, 2, 3, 31, 32, 33]) {
      const body = wrap(randomBytes(length).toString("base64"), width, lineEnd);
      for (let cut = 0; cut <= body.length; cut++) {
        await assertSameAsLibbase64(
          [body.subarray(0, cut), body.subarray(cut)],
          `width ${width}, ${length} bytes, cut at ${cut}`,
        );
      }
    }
  }
});

test("decodes damaged base64 (stray characters, padding inside, base64url digits, 8-bit bytes) like libbase64", async () => {
  const next = random(20261127);
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=\r\n \t-_.!\u00e9";
  for (let round = 0; round < 3000; round++) {
    let text = randomBytes(Math.floor(next() * 300)).toString("base64");
    text = text.replace(/.{76}/g, round % 2 === 0 ? "$&\r\n" : "$&\n");
    const kind = round % 3;
    if (kind === 0) {
      // a few stray characters anywhere
      const characters = [...text];
      for (let i = 0; i < 1 + (round % 4); i++) {
        characters.splice(
          Math.floor(next() * (characters.length + 1)),
          0,
          alphabet[Math.floor(next() * alphabet.length)] ?? "",
        );
      }
      text = characters.join("");
    } else if (kind === 1) {
      // anything at all
      text = Array.from({ length: Math.floor(next() * 80) }, () => alphabet[Math.floor(next() * alphabet.length)]).join(
        "",
      );
    } else {
      // padded segments one after another
      text = `${text}\r\n${randomBytes(Math.floor(next() * 10)).toString("base64")}`;
    }
    const body = Buffer.from(text, "latin1");
    const cuts = Array.from({ length: round % 5 }, () => Math.floor(next() * (body.length + 1))).sort((a, b) => a - b);
    const chunks = [0, ...cuts].map((start, i) => body.subarray(start, [...cuts, body.length][i]));
    await assertSameAsLibbase64(chunks, `round ${round}`);
  }
});

test("decodes long bodies whose lines are not all one length, or hide a line end inside a line, like libbase64", async () => {
  const next = random(20261128);
  for (let round = 0; round < 400; round++) {
    const lineEnd = round % 2 === 0 ? "\r\n" : "\n";
    const lines = randomBytes(2000 + Math.floor(next() * 6000)).toString("base64").match(/.{1,76}/g) ?? [];
    const at = Math.floor(next() * lines.length);
    const line = lines[at] ?? "";
    const cut = Math.floor(next() * (line.length + 1));
    const kind = round % 4;
    // a line end inside a line, a lone CR, a shorter line, or two lines joined
    if (kind === 0) lines[at] = `${line.slice(0, cut)}${lineEnd}${line.slice(cut)}`;
    else if (kind === 1) lines[at] = `${line.slice(0, cut)}\r${line.slice(cut)}`;
    else if (kind === 2) lines[at] = line.slice(0, cut);
    else lines.splice(at, 2, `${line}${lines[at + 1] ?? ""}`);
    const body = Buffer.from(lines.join(lineEnd), "latin1");
    const cuts = Array.from({ length: round % 4 }, () => Math.floor(next() * (body.length + 1))).sort((a, b) => a - b);
    const chunks = [0, ...cuts].map((start, i) => body.subarray(start, [...cuts, body.length][i]));
    await assertSameAsLibbase64(chunks, `round ${round}, kind ${kind}`);
  }
});

test("decodes a chunk of several MB (read in slices) like libbase64, also when it turns bad in a later slice", async () => {
  const bytes = randomBytes(3 * 1024 * 1024 + 7);
  const body = wrap(bytes.toString("base64"), 76, "\r\n");
  assert.deepEqual(await decode(new Base64Decoder(), [body]), bytes);
  // one slice boundary falls between the CR and LF of a line end
  const lineEnd = body.indexOf("\r\n", 256 * 1024 - 2);
  await assertSameAsLibbase64(
    [body.subarray(0, lineEnd + 1), body.subarray(lineEnd + 1)],
    "cut inside a line end",
  );
  const damaged = Buffer.concat([body.subarray(0, 700_000), Buffer.from("!=A", "latin1"), body.subarray(700_000)]);
  const decoded = await assertSameAsLibbase64([damaged], "stray characters in the third slice");
  assert.ok(decoded.length > 500_000);
});
