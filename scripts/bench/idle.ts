import { existsSync, watch } from "node:fs";
import { mkdir, readFile, rm } from "node:fs/promises";
import * as path from "node:path";
import { performance } from "node:perf_hooks";
import type { BenchContext } from "./context.ts";
import { benchConfig, primeMailbox } from "./context.ts";
import { BENCH_USER, pdfMessage } from "./messages.ts";
import { startMpsService } from "./mps_run.ts";
import { seedMaildir } from "./seed.ts";
import { percentile } from "./stats.ts";

export interface IdleOptions {
  readonly messages: number;
  /** Pause after one message's job appeared before the next APPEND. */
  readonly gapMs: number;
  readonly attachmentBytes: number;
}

export interface IdleResult {
  readonly messages: number;
  /** Milliseconds from APPEND completion to job.json on disk, in APPEND order. */
  readonly latenciesMs: readonly number[];
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  /**
   * mps's own share: milliseconds from the server's EXISTS to "job created" in mps's debug log
   * (median and max); the rest is the server's notification delay.
   */
  readonly mpsP50Ms: number;
  readonly mpsMaxMs: number;
}

/** How long one message may take before the benchmark gives up on it. */
const JOB_TIMEOUT_MS = 15_000;

/**
 * `mps run` as a service (idle="true", pollInterval 60 s, so only IDLE can explain a fast
 * job): once its first cycle is done and it idles, APPEND messages one at a time over a
 * separate IMAP connection and time each from the APPEND's completion to its `job.json`
 * (the job id is source-UIDVALIDITY-UID, from the APPEND's answer), watching the spool folder.
 */
export async function idleBenchmark(context: BenchContext, options: IdleOptions): Promise<IdleResult> {
  const { setup, progress } = context;
  const { config, dir, spool } = await benchConfig(context, "idle", {
    attributes: { idle: "true", pollInterval: "60000" },
    // debug: the log then shows when the server announced each message (see ownShare)
    logLevel: "debug",
  });
  await mkdir(spool, { recursive: true });
  // One message already waiting: the first cycle makes its job, which shows the service is up.
  seedMaildir(setup.dovecot, BENCH_USER, [pdfMessage("Idle warm-up", options.attachmentBytes).raw]);
  if ((await primeMailbox(setup)) !== 1) throw new Error("The mailbox should hold exactly the warm-up message");
  const service = startMpsService(context.mps, ["run", "--config", config], { cwd: dir });
  const appender = await setup.dovecot.connectAs(BENCH_USER);
  const watcher = watch(spool);
  const latenciesMs: number[] = [];
  const jobIds: string[] = [];
  let log = "";
  try {
    await waitFor(
      async () =>
        (await readFile(path.join(dir, "mps.log"), "utf8").catch(() => "")).includes("MpsDownloader finished"),
      30_000,
      () =>
        `mps did not finish its first cycle within 30 s: ${service.stderr().trim()} (see ${path.join(dir, "mps.log")})`,
    );
    // imapflow starts IDLE 100 ms after the last command; give it time to be idling.
    await sleep(500);
    progress(`idle: mps is idling; appending ${options.messages} messages one at a time`);
    for (let i = 1; i <= options.messages; i++) {
      const subject = `Idle ${i}`;
      const raw = pdfMessage(subject, options.attachmentBytes).raw;
      const appended = await appender.append("INBOX", raw);
      const appendedAt = performance.now();
      if (appended === false || appended.uid === undefined) throw new Error("IMAP APPEND returned no UID");
      const jobId = `print-${appended.uidValidity}-${appended.uid}`;
      jobIds.push(jobId);
      const jobJson = path.join(spool, jobId, "job.json");
      const seenAt = await appearance(jobJson, watcher, JOB_TIMEOUT_MS);
      if (seenAt === undefined) {
        throw new Error(`No job for '${subject}' within ${JOB_TIMEOUT_MS / 1000} s (see ${path.join(dir, "mps.log")})`);
      }
      const job = JSON.parse(await readFile(jobJson, "utf8")) as { subject: string };
      if (job.subject !== subject) throw new Error(`Job ${jobJson} has subject '${job.subject}', not '${subject}'`);
      latenciesMs.push(seenAt - appendedAt);
      await sleep(options.gapMs);
    }
  } finally {
    watcher.close();
    await appender.logout().catch(() => undefined);
    const code = await service.stop();
    log = await readFile(path.join(dir, "mps.log"), "utf8").catch(() => "");
    if (code !== 0 && latenciesMs.length === options.messages) progress(`idle: mps exited with ${code} on SIGTERM`);
    await rm(dir, { recursive: true, force: true });
  }
  const own = ownShare(log, jobIds);
  progress(`idle: p50 ${percentile(latenciesMs, 50).toFixed(0)} ms, max ${Math.max(...latenciesMs).toFixed(0)} ms`);
  return {
    messages: latenciesMs.length,
    latenciesMs,
    p50Ms: percentile(latenciesMs, 50),
    p99Ms: percentile(latenciesMs, 99),
    maxMs: Math.max(...latenciesMs),
    mpsP50Ms: percentile(own, 50),
    mpsMaxMs: Math.max(...own),
  };
}

/**
 * When `file` exists: checked on every change in the spool folder (inotify) and every 5 ms
 * besides, so a missed event costs at most 5 ms. Undefined after `timeoutMs`.
 */
function appearance(file: string, watcher: ReturnType<typeof watch>, timeoutMs: number): Promise<number | undefined> {
  return new Promise((resolve) => {
    let settled = false;
    const check = (): void => {
      if (!settled && existsSync(file)) finish(performance.now());
    };
    const timer = setInterval(check, 5);
    const deadline = setTimeout(() => finish(undefined), timeoutMs);
    const finish = (at: number | undefined): void => {
      settled = true;
      clearInterval(timer);
      clearTimeout(deadline);
      watcher.off("change", check);
      resolve(at);
    };
    watcher.on("change", check);
    check();
  });
}

/**
 * From mps's debug log: for each job, the milliseconds from the last `* N EXISTS` the server sent
 * before it to its `job created` line (log times have millisecond resolution).
 */
function ownShare(log: string, jobIds: readonly string[]): number[] {
  const wanted = new Set(jobIds);
  const shares: number[] = [];
  let existsAt: number | undefined;
  for (const line of log.split("\n")) {
    const time = Date.parse(line.slice(0, line.indexOf(" ")));
    if (/ DEBUG +\[[^\]]*\/imap\] \* \d+ EXISTS/.test(line)) existsAt = time;
    const job = / job created job=(\S+)/.exec(line)?.[1];
    if (job !== undefined && wanted.has(job) && existsAt !== undefined) shares.push(time - existsAt);
  }
  return shares;
}

async function waitFor(condition: () => Promise<boolean>, timeoutMs: number, message: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(message());
    await sleep(50);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
