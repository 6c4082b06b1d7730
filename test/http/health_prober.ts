// Run as a separate process by health_during_hostile_mail.test.ts: asks GET <url> every
// <intervalMs> until its stdin ends, then prints the latencies (ms) as one JSON line. Being
// another process, it sees what a monitoring system sees when the server's event loop stalls.
import { performance } from "node:perf_hooks";
import process from "node:process";
import { setTimeout as sleep } from "node:timers/promises";

const url = process.argv[2] ?? "";
const intervalMs = Number(process.argv[3] ?? "10");
const latencies: number[] = [];
let stopped = false;
process.stdin.on("end", () => {
  stopped = true;
});
process.stdin.resume();

while (!stopped) {
  const start = performance.now();
  const response = await fetch(url);
  await response.arrayBuffer();
  latencies.push(performance.now() - start);
  if (latencies.length === 1) process.stdout.write(`ready ${response.status}\n`);
  await sleep(intervalMs);
}
process.stdout.write(`${JSON.stringify(latencies)}\n`);
