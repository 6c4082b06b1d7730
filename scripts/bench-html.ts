#!/usr/bin/env node
// HTML-to-text on hostile and ordinary bodies: total time per input, and the longest time the
// event loop was held between two yields (what /health waits for at worst) with the main
// thread's CPU time in that longest hold (the rest is the machine pausing the process). Prints figures,
// asserts nothing. See docs/MAIL.md ("HTML").
//
//   node scripts/bench-html.ts [--runs 3]

import { performance } from "node:perf_hooks";
import { setImmediate } from "node:timers";
import process from "node:process";
import { parseArgs } from "node:util";
import { htmlToText, MAX_HTML_CHARS } from "../src/mail/html/html_to_text.ts";

const { values } = parseArgs({ options: { runs: { type: "string", default: "3" } } });
const runs = Number(values.runs);
const KB = 1024;

const newsletterBlock =
  '<table class="row"><tr><td style="padding:0 8px"><a href="https://news.example/a?x=1&amp;y=2">' +
  '<img src="https://news.example/i.png" alt=""></a></td><td><h2>Headline &ndash; news</h2><p>Some words ' +
  "<b>bold</b> and <i>italic</i>,&nbsp;a <span style='color:red'>span</span>.</p><ul><li>one</li><li>two</li></ul>" +
  "</td></tr></table><!-- spacer -->\n";

const inputs: [string, (size: number) => string][] = [
  ["'<' repeated", (size) => "<".repeat(size)],
  ["unclosed '<!--' repeated", (size) => "<!--".repeat(size / 4)],
  ["'<a ' repeated (one unclosed tag)", (size) => "<a ".repeat(size / 3)],
  ["unclosed quote", (size) => `<a href="${"x".repeat(size - 9)}`],
  ["nested <div>", (size) => "<div>".repeat(size / 5)],
  ["nested <ol><li>", (size) => "<ol><li>x".repeat(size / 9)],
  ["'&#' repeated", (size) => "&#".repeat(size / 2)],
  ["'</' in <script>", (size) => `<script>${"</".repeat(size / 2 - 4)}`],
  ["newsletter", (size) => newsletterBlock.repeat(Math.ceil(size / newsletterBlock.length)).slice(0, size)],
];

// CPU time of the main thread alone (Node 23.9+): tells work from the machine pausing the process.
const threadCpu = (): number => {
  const usage = (process as { threadCpuUsage?: () => NodeJS.CpuUsage }).threadCpuUsage?.() ?? process.cpuUsage();
  return (usage.user + usage.system) / 1000;
};

async function measure(html: string): Promise<{ total: number; longest: number; cpu: number }> {
  let longest = 0;
  let cpu = 0;
  let last = performance.now();
  let lastCpu = threadCpu();
  let running = true;
  const tick = (): void => {
    const now = performance.now();
    const nowCpu = threadCpu();
    longest = Math.max(longest, now - last);
    cpu = Math.max(cpu, nowCpu - lastCpu);
    last = now;
    lastCpu = nowCpu;
    if (running) setImmediate(tick);
  };
  setImmediate(tick);
  const start = performance.now();
  await htmlToText(html);
  const total = performance.now() - start;
  running = false;
  longest = Math.max(longest, performance.now() - last);
  cpu = Math.max(cpu, threadCpu() - lastCpu);
  return { total, longest, cpu };
}

console.log(`HTML cap ${MAX_HTML_CHARS / KB / KB} Mi characters; best of ${runs} runs; ms`);
console.log(
  "input".padEnd(36),
  "size".padStart(8),
  "total".padStart(9),
  "longest hold".padStart(13),
  "its CPU".padStart(8),
);
for (const [label, make] of inputs) {
  for (const size of [64 * KB, 256 * KB, 1024 * KB, MAX_HTML_CHARS]) {
    const html = make(size);
    let best = { total: Infinity, longest: Infinity, cpu: Infinity };
    for (let run = 0; run < runs; run++) {
      const result = await measure(html);
      if (result.total < best.total) best = result;
    }
    console.log(
      label.padEnd(36),
      `${size / KB} KB`.padStart(8),
      best.total.toFixed(1).padStart(9),
      best.longest.toFixed(2).padStart(13),
      best.cpu.toFixed(2).padStart(8),
    );
  }
}
