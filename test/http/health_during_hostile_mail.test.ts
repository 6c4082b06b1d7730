import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { once } from "node:events";
import * as path from "node:path";
import { performance } from "node:perf_hooks";
import process from "node:process";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { startHttpServer } from "../../src/http/index.ts";
import {
  base64Lines,
  documentText,
  entity,
  envelope,
  expectJob,
  makeDirs,
  removeDirs,
  run,
} from "../mail/mail_test_kit.ts";
import { mailbox, NOW } from "./source_states.ts";

const PROBER = path.join(path.dirname(fileURLToPath(import.meta.url)), "health_prober.ts");
const MB = 1024 * 1024;
/**
 * Bound on the 99th percentile of /health latency: the target is 100 ms; the bound leaves head
 * room for a test machine shared with other jobs, where the operating system alone pauses a
 * process for tens of milliseconds. The HTML converter before the linear one held the event
 * loop for 2 s on 64 KiB and 38 s on 256 KiB of '<', so a stall still fails by far.
 */
const P99_BOUND_MS = 250;

/** An HTML-only message whose body is exactly `html` (base64, so no line breaks are added). */
function htmlMessage(subject: string, html: string): string {
  return entity(
    [...envelope(subject), "Content-Type: text/html; charset=utf-8", "Content-Transfer-Encoding: base64"],
    base64Lines(Buffer.from(html, "utf8")),
  );
}

test("answers /health within the bound at the 99th percentile while hostile HTML messages become jobs in the same process", async (t) => {
  const server = await startHttpServer({
    config: { http: { host: "127.0.0.1", port: 0, token: undefined } },
    states: [mailbox()],
    now: () => NOW,
    env: {},
  });
  const dirs = await makeDirs();
  const isDeno = "Deno" in globalThis;
  const url = new URL("health", server.url).href;
  const prober = spawn(process.execPath, isDeno ? ["run", "-A", PROBER, url, "5"] : [PROBER, url, "5"], {
    stdio: ["pipe", "pipe", "inherit"],
  });
  try {
    let output = "";
    prober.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      output += chunk;
    });
    while (!output.includes("\n")) await once(prober.stdout, "data");
    assert.match(output, /^ready 200\n/);

    const messages: Array<[string, string, string]> = [
      ["1 MiB of '<'", "<".repeat(MB), "<".repeat(64)],
      ["1 MiB of unclosed '<!--'", `text before<!--${"<!--".repeat(MB / 4)}`, "text before"],
      ["1 MiB of nested tags", `${"<div><b><i>".repeat(MB / 11)}deep text`, "deep text"],
      ["1 MiB of one unclosed tag", `start<a ${"<a x='1' ".repeat(MB / 9)}`, "start"],
      ["4 MiB of nested lists", "<ul><li>item".repeat((4 * MB) / 12), "• item"],
    ];
    for (const [label, html, expected] of messages) {
      const start = performance.now();
      const job = await expectJob(dirs, await run(dirs, htmlMessage(label, html), { chunkSize: 64 * 1024 }));
      const text = await documentText(dirs, job, 0);
      t.diagnostic(`${label}: message to job in ${(performance.now() - start).toFixed(0)} ms`);
      assert.ok(text.includes(expected), label);
    }

    prober.stdin.end();
    await once(prober, "close");
    const latencies = JSON.parse(output.split("\n")[1] ?? "[]") as number[];
    const sorted = [...latencies].sort((a, b) => a - b);
    const p99 = sorted[Math.ceil(sorted.length * 0.99) - 1] ?? Infinity;
    t.diagnostic(
      `/health: ${sorted.length} requests, median ${sorted[sorted.length >> 1]?.toFixed(1)} ms, p99 ${
        p99.toFixed(1)
      } ms, max ${sorted.at(-1)?.toFixed(1)} ms`,
    );
    assert.ok(sorted.length >= 20, `${sorted.length} requests answered`);
    assert.ok(p99 < P99_BOUND_MS, `p99 ${p99.toFixed(1)} ms`);
  } finally {
    prober.kill();
    await server.close();
    await removeDirs(dirs);
  }
});
