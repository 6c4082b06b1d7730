import assert from "node:assert/strict";
import { performance } from "node:perf_hooks";
import process from "node:process";
import { test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { startHttpServer } from "../../src/http/index.ts";
import type { MessageOutcome } from "../../src/mail/index.ts";
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

const MB = 1024 * 1024;
/**
 * Bound on the 99th percentile of /health latency. The target is 100 ms; the bound is 250 ms
 * because on a test machine shared with other jobs (load 8-13 on 2 cores when this was written)
 * the operating system alone pauses a process for up to ~100 ms, with no CPU of the process in
 * the pause. The converter before the linear one held the event loop for 2 s on 64 KiB and 38 s
 * on 256 KiB of '<' (1 MiB: minutes), so a stall still fails by far.
 */
const P99_BOUND_MS = 250;
/** Main-thread CPU one step may spend without a turn of the event loop: the rule mps keeps (~50 ms). */
const STEP_BOUND_MS = 50;

/** Main-thread CPU milliseconds, where the runtime tells them apart from other threads' (Node 23.9+). */
const threadCpuMs: (() => number) | undefined = typeof process.threadCpuUsage === "function"
  ? () => {
    const usage = process.threadCpuUsage();
    return (usage.user + usage.system) / 1000;
  }
  : undefined;

interface LoopHolds {
  /** The longest time between two turns of the event loop (ms, wall clock). */
  readonly longest: number;
  /** The most main-thread CPU time spent between two turns (ms): work that held the loop, without the machine's pauses. */
  readonly mostCpu: number | undefined;
}

/** Watches this process's event loop until the returned function is called. */
function watchEventLoop(): () => LoopHolds {
  let last = performance.now();
  let lastCpu = threadCpuMs?.() ?? 0;
  let longest = 0;
  let mostCpu = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    const cpu = threadCpuMs?.() ?? 0;
    longest = Math.max(longest, now - last);
    mostCpu = Math.max(mostCpu, cpu - lastCpu);
    last = now;
    lastCpu = cpu;
  }, 1);
  return () => {
    clearInterval(timer);
    return { longest, mostCpu: threadCpuMs === undefined ? undefined : mostCpu };
  };
}

/**
 * Asks GET `url` every `intervalMs` until stopped, as a monitoring system polls. A request's
 * latency counts from when it was due, not when it went out: a request due while the event loop
 * was held is late by the whole hold (this client shares the event loop with the server).
 */
function pollHealth(url: string, intervalMs: number): { first: Promise<number>; stop: () => Promise<number[]> } {
  const latencies: number[] = [];
  let running = true;
  let answered: (status: number) => void = () => {};
  let failed: (error: unknown) => void = () => {};
  const first = new Promise<number>((resolve, reject) => {
    answered = resolve;
    failed = reject;
  });
  const polling = (async () => {
    let due = performance.now();
    while (running) {
      const wait = due - performance.now();
      if (wait > 0) await sleep(wait);
      const response = await fetch(url);
      await response.arrayBuffer();
      const now = performance.now();
      latencies.push(now - due);
      if (latencies.length === 1) answered(response.status);
      due = Math.max(due + intervalMs, now);
    }
  })();
  polling.catch(failed);
  return {
    first,
    stop: async () => {
      running = false;
      await polling;
      return latencies;
    },
  };
}

/** An HTML-only message whose body is exactly `html` (base64, so no line breaks are added). */
function htmlMessage(subject: string, html: string): Buffer {
  const raw = entity(
    [...envelope(subject), "Content-Type: text/html; charset=utf-8", "Content-Transfer-Encoding: base64"],
    base64Lines(Buffer.from(html, "utf8")),
  );
  return Buffer.from(raw, "utf8");
}

test("answers /health within the bound at the 99th percentile while hostile HTML messages become jobs in the same process", async (t) => {
  const server = await startHttpServer({
    config: { http: { host: "127.0.0.1", port: 0, token: undefined } },
    states: [mailbox()],
    now: () => NOW,
    env: {},
  });
  const dirs = await makeDirs();
  const url = new URL("health", server.url).href;
  // built before the clock runs: only mps's own work is measured
  const messages: Array<[string, Buffer, string]> = [
    ["1 MiB of '<'", htmlMessage("lt", "<".repeat(MB)), "<".repeat(64)],
    ["1 MiB of unclosed '<!--'", htmlMessage("comment", `text before<!--${"<!--".repeat(MB / 4)}`), "text before"],
    ["1 MiB of nested tags", htmlMessage("nested", `${"<div><b><i>".repeat(MB / 11)}deep text`), "deep text"],
    ["1 MiB of one unclosed tag", htmlMessage("tag", `start<a ${"<a x='1' ".repeat(MB / 9)}`), "start"],
    ["4 MiB of nested lists", htmlMessage("lists", "<ul><li>item".repeat((4 * MB) / 12)), "• item"],
  ];
  const poll = pollHealth(url, 2);
  try {
    assert.equal(await poll.first, 200);
    const outcomes: MessageOutcome[] = [];
    const stopWatching = watchEventLoop();
    for (const [label, raw] of messages) {
      const start = performance.now();
      outcomes.push(await run(dirs, raw, { chunkSize: 64 * 1024 }));
      t.diagnostic(`${label}: message to job in ${(performance.now() - start).toFixed(0)} ms`);
    }
    const hold = stopWatching();
    const latencies = await poll.stop();
    t.diagnostic(
      `event loop: longest hold ${hold.longest.toFixed(1)} ms; most main-thread CPU between two turns ${
        hold.mostCpu?.toFixed(1) ?? "(not measurable here)"
      } ms`,
    );

    for (const [index, [label, , expected]] of messages.entries()) {
      const job = await expectJob(dirs, outcomes[index]!);
      assert.ok((await documentText(dirs, job, 0)).includes(expected), label);
    }
    const sorted = [...latencies].sort((a, b) => a - b);
    const p99 = sorted[Math.ceil(sorted.length * 0.99) - 1] ?? Infinity;
    t.diagnostic(
      `/health: ${sorted.length} requests, median ${sorted[sorted.length >> 1]?.toFixed(1)} ms, p99 ${
        p99.toFixed(1)
      } ms, max ${sorted.at(-1)?.toFixed(1)} ms`,
    );
    assert.ok(sorted.length >= 10, `${sorted.length} requests answered`);
    assert.ok(p99 < P99_BOUND_MS, `p99 ${p99.toFixed(1)} ms`);
    if (hold.mostCpu !== undefined) assert.ok(hold.mostCpu < STEP_BOUND_MS, `a step took ${hold.mostCpu} ms of CPU`);
  } finally {
    await poll.stop();
    await server.close();
    await removeDirs(dirs);
  }
});
