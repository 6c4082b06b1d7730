import { readFile, rm } from "node:fs/promises";
import * as path from "node:path";
import type { BenchContext } from "./context.ts";
import { benchConfig, primeMailbox, spoolJobs } from "./context.ts";
import { BENCH_USER } from "./messages.ts";
import { runMpsTimed } from "./mps_run.ts";
import type { MpsCommand } from "./mps_run.ts";
import { seedLargeMessage } from "./seed.ts";

export interface RssOptions {
  readonly attachmentBytes: number;
  readonly sampleMs: number;
  /** Which mps to run (source or binary). */
  readonly mps: MpsCommand;
}

export interface RssResult {
  /** Which mps ran. */
  readonly mps: string;
  readonly attachmentBytes: number;
  readonly rawBytes: number;
  readonly seconds: number;
  /** The kernel's peak resident set (VmHWM), last reading before exit, in bytes. */
  readonly peakHwmBytes: number;
  /** The highest VmRSS sampled, in bytes. */
  readonly peakRssBytes: number;
  readonly samples: number;
}

/**
 * One message with one large PDF attachment, downloaded by `mps run --once` while its memory is
 * read from /proc every `sampleMs` (VmRSS, and VmHWM, the kernel's own high-water mark).
 * maxMessageSize is raised above the message (the default, 100 MB, would refuse it unread).
 */
export async function rssBenchmark(context: BenchContext, options: RssOptions): Promise<RssResult> {
  const { setup, progress } = context;
  progress(
    `rss: writing one message with a ${(options.attachmentBytes / 1e6).toFixed(0)} MB attachment into the Maildir`,
  );
  const rawBytes = await seedLargeMessage(setup.dovecot, BENCH_USER, "One large document", options.attachmentBytes);
  if ((await primeMailbox(setup)) !== 1) throw new Error("The mailbox should hold exactly the one large message");
  const { config, dir, spool } = await benchConfig(context, "rss", {
    attributes: { maxMessageSize: String(rawBytes * 2) },
  });
  try {
    const outcome = await runMpsTimed(options.mps, ["run", "--once", "--config", config], {
      cwd: dir,
      timeoutMs: 300_000,
      sampleMs: options.sampleMs,
    });
    if (outcome.code !== 0) {
      throw new Error(
        `mps run --once exited with ${outcome.code}: ${outcome.stderr.trim()} (see ${path.join(dir, "mps.log")})`,
      );
    }
    const jobs = await spoolJobs(spool);
    if (jobs.length !== 1) {
      throw new Error(`mps made ${jobs.length} jobs of the one large message (see ${path.join(dir, "mps.log")})`);
    }
    const job = JSON.parse(await readFile(path.join(spool, jobs[0] ?? "", "job.json"), "utf8")) as {
      documents: Array<{ size: number }>;
    };
    const size = job.documents[0]?.size;
    if (size !== options.attachmentBytes) {
      throw new Error(`The job's document has ${size} bytes, not ${options.attachmentBytes}`);
    }
    progress(
      `rss (${options.mps.label}): ${outcome.seconds.toFixed(2)} s, peak VmHWM ${
        (outcome.peakHwmKb / 1024).toFixed(1)
      } MiB over ${outcome.samples} samples`,
    );
    return {
      mps: options.mps.label,
      attachmentBytes: options.attachmentBytes,
      rawBytes,
      seconds: outcome.seconds,
      peakHwmBytes: outcome.peakHwmKb * 1024,
      peakRssBytes: outcome.peakRssKb * 1024,
      samples: outcome.samples,
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
