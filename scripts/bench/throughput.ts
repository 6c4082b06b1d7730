import { rm } from "node:fs/promises";
import * as path from "node:path";
import { performance } from "node:perf_hooks";
import type { BenchContext } from "./context.ts";
import { benchConfig, mbsyncTarget, primeMailbox, seedMailbox, spoolJobs } from "./context.ts";
import { findMbsync, runMbsync } from "./mbsync.ts";
import { pdfMessage } from "./messages.ts";
import { runMpsTimed } from "./mps_run.ts";
import { median } from "./stats.ts";

export interface ThroughputOptions {
  readonly messages: number;
  readonly attachmentBytes: number;
  readonly runs: number;
}

export interface ThroughputRun {
  readonly mpsSeconds: number;
  readonly mbsyncSeconds: number | undefined;
}

export interface ThroughputResult {
  readonly messages: number;
  readonly attachmentBytes: number;
  /** Raw size of all messages (as stored, CRLF). */
  readonly rawBytes: number;
  readonly seedSeconds: number;
  readonly runs: readonly ThroughputRun[];
  readonly mpsSeconds: number;
  readonly mbsyncSeconds: number | undefined;
  /** Why there is no mbsync figure, when there is none. */
  readonly mbsyncMissing?: string;
}

/**
 * Per run: write the messages into the Maildir, let Dovecot index them, time mbsync pulling them
 * (Sync Pull, the mailbox stays), then time `mps run --once` downloading them (afterDownload
 * delete empties the mailbox for the next run). Outputs stay on disk until the end, so deleting
 * them does not slow the next run's file creation (ext4 without a journal skips recently freed
 * inodes, which makes creating files right after mass deletes slow).
 */
export async function throughputBenchmark(
  context: BenchContext,
  options: ThroughputOptions,
): Promise<ThroughputResult> {
  const { setup, progress } = context;
  progress(`throughput: generating ${options.messages} messages with a ${options.attachmentBytes / 1024} KiB PDF each`);
  const messages = Array.from(
    { length: options.messages },
    (_, i) => pdfMessage(`Throughput ${i + 1}`, options.attachmentBytes).raw,
  );
  const rawBytes = messages.reduce((sum, raw) => sum + raw.length, 0);
  const { config, dir, spool } = await benchConfig(context, "throughput");
  const mbsync = findMbsync();
  const runs: ThroughputRun[] = [];
  let seedSeconds = 0;
  try {
    for (let run = 1; run <= options.runs; run++) {
      const seedStart = performance.now();
      await seedMailbox(setup, messages);
      seedSeconds = (performance.now() - seedStart) / 1000;

      let mbsyncSeconds: number | undefined;
      if (mbsync !== undefined) {
        const pulled = await runMbsync(mbsync, path.join(dir, `mbsync-${run}`), mbsyncTarget(context), 180_000);
        if (pulled.messages !== options.messages) {
          throw new Error(`mbsync pulled ${pulled.messages} messages, not ${options.messages}`);
        }
        mbsyncSeconds = pulled.seconds;
      }

      const before = (await spoolJobs(spool)).length;
      const outcome = await runMpsTimed(context.mps, ["run", "--once", "--config", config], {
        cwd: dir,
        timeoutMs: 300_000,
      });
      const made = (await spoolJobs(spool)).length - before;
      if (outcome.code !== 0) {
        throw new Error(
          `mps run --once exited with ${outcome.code}: ${outcome.stderr.trim()} (see ${path.join(dir, "mps.log")})`,
        );
      }
      if (made !== options.messages) {
        throw new Error(`mps made ${made} jobs of ${options.messages} messages (see ${path.join(dir, "mps.log")})`);
      }
      const left = await primeMailbox(setup);
      if (left !== 0) {
        throw new Error(`${left} messages are still in the mailbox after mps run --once (afterDownload delete)`);
      }
      runs.push({ mpsSeconds: outcome.seconds, mbsyncSeconds });
      progress(
        `throughput run ${run}/${options.runs}: mps ${outcome.seconds.toFixed(2)} s` +
          (mbsyncSeconds === undefined ? "" : `, mbsync ${mbsyncSeconds.toFixed(2)} s`),
      );
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  const mbsyncTimes = runs.flatMap((run) => (run.mbsyncSeconds === undefined ? [] : [run.mbsyncSeconds]));
  return {
    messages: options.messages,
    attachmentBytes: options.attachmentBytes,
    rawBytes,
    seedSeconds,
    runs,
    mpsSeconds: median(runs.map((run) => run.mpsSeconds)),
    mbsyncSeconds: mbsyncTimes.length === 0 ? undefined : median(mbsyncTimes),
    ...(mbsync === undefined
      ? { mbsyncMissing: "mbsync is not installed: run scripts/install-test-deps.sh (Debian isync)" }
      : {}),
  };
}
