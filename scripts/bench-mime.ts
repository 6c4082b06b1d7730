#!/usr/bin/env node
// MIME splitting alone, in memory: mailsplit's Splitter against mps's MimeSplitter (and the
// SplitterFeed around it, with a walker that takes every event) on the throughput benchmark's
// messages: a short text part and a 200 KiB random PDF in base64 (76-character lines, CRLF).
// Each message is written whole, then in 64 KiB pieces. Prints figures, asserts nothing. See
// docs/BENCHMARKS.md.
//
//   node scripts/bench-mime.ts [--messages 1000] [--attachment-kb 200] [--runs 5]

import { Splitter } from "@zone-eu/mailsplit";
import type { SplitterChunk } from "@zone-eu/mailsplit";
import { performance } from "node:perf_hooks";
import process from "node:process";
import type { Transform } from "node:stream";
import { parseArgs } from "node:util";
import { MimeSplitter } from "../src/mail/mime/mime_splitter.ts";
import { SplitterFeed } from "../src/mail/mime/splitter_feed.ts";
import { pdfMessage } from "./bench/messages.ts";

const { values: opts } = parseArgs({
  options: {
    messages: { type: "string", default: "1000" },
    "attachment-kb": { type: "string", default: "200" },
    runs: { type: "string", default: "5" },
  },
});
const count = Number(opts.messages);
const runs = Number(opts.runs);
const CHUNK = 64 * 1024;

/** Body bytes seen, so that no splitter's work can be skipped, and compared across splitters. */
type Split = (raw: Buffer, pieces: readonly Buffer[]) => Promise<number>;

async function viaMailsplit(_raw: Buffer, pieces: readonly Buffer[]): Promise<number> {
  const splitter = new Splitter({ ignoreEmbedded: true });
  // the typings declare only `data` events; the rest is the Transform stream it is
  const stream = splitter as unknown as Transform;
  let body = 0;
  splitter.on("data", (item: SplitterChunk) => {
    if (item.type === "body") body += item.value.length;
  });
  const done = new Promise<void>((resolve, reject) => {
    stream.once("end", resolve);
    stream.once("error", reject);
  });
  for (const piece of pieces) stream.write(piece);
  stream.end();
  await done;
  return body;
}

function viaMimeSplitter(_raw: Buffer, pieces: readonly Buffer[]): Promise<number> {
  const splitter = new MimeSplitter();
  const events: SplitterChunk[] = [];
  let body = 0;
  const tally = (): void => {
    for (const item of events) if (item.type === "body") body += item.value.length;
    events.length = 0;
  };
  for (const piece of pieces) {
    splitter.write(piece, events);
    tally();
  }
  splitter.end(events);
  tally();
  return Promise.resolve(body);
}

async function viaSplitterFeed(_raw: Buffer, pieces: readonly Buffer[]): Promise<number> {
  let body = 0;
  const feed = new SplitterFeed(async (items) => {
    for await (const item of items) if (item.type === "body") body += item.value.length;
  });
  for (const piece of pieces) await feed.write(piece);
  await feed.end();
  return body;
}

function piecesOf(raw: Buffer, size: number): Buffer[] {
  const pieces: Buffer[] = [];
  for (let at = 0; at < raw.length; at += size) pieces.push(raw.subarray(at, at + size));
  return pieces;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] ?? 0 : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

async function measure(
  split: Split,
  messages: ReadonlyArray<{ raw: Buffer; pieces: readonly Buffer[] }>,
): Promise<{ ms: number; body: number }> {
  const times: number[] = [];
  let body = 0;
  // the first run warms up the JIT and is not counted
  for (let run = 0; run <= runs; run++) {
    body = 0;
    const started = performance.now();
    for (const message of messages) body += await split(message.raw, message.pieces);
    if (run > 0) times.push(performance.now() - started);
  }
  return { ms: median(times), body };
}

const raws = Array.from(
  { length: count },
  (_, n) => pdfMessage(`Benchmark ${n + 1}`, Number(opts["attachment-kb"]) * 1024).raw,
);
const totalBytes = raws.reduce((sum, raw) => sum + raw.length, 0);
console.log(
  `${count} messages, ${(totalBytes / count / 1000).toFixed(1)} kB each (${
    (totalBytes / 1e6).toFixed(1)
  } MB), median of ${runs} runs, Node ${process.version}`,
);
console.log("");
console.log("splitter                      writes        total ms    ms/message    MB/s     body bytes");
for (const [writes, size] of [["whole", 0], ["64 KiB", CHUNK]] as const) {
  const messages = raws.map((raw) => ({ raw, pieces: size === 0 ? [raw] : piecesOf(raw, size) }));
  for (
    const [name, split] of [["mailsplit Splitter", viaMailsplit], ["MimeSplitter", viaMimeSplitter], [
      "SplitterFeed (MimeSplitter)",
      viaSplitterFeed,
    ]] as const
  ) {
    const { ms, body } = await measure(split, messages);
    console.log(
      `${name.padEnd(30)}${writes.padEnd(10)}${ms.toFixed(1).padStart(12)}${(ms / count).toFixed(3).padStart(14)}` +
        `${(totalBytes / 1e6 / (ms / 1000)).toFixed(0).padStart(8)}${String(body).padStart(15)}`,
    );
  }
}
