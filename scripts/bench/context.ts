import { mkdir, readdir } from "node:fs/promises";
import * as path from "node:path";
import { ImapFlow } from "imapflow";
import type { MailboxSetup } from "../../test/helpers/mailbox_setup.ts";
import type { MbsyncTarget } from "./mbsync.ts";
import { BENCH_PASSWORD, BENCH_USER } from "./messages.ts";
import type { MpsCommand, MpsConfigOptions } from "./mps_run.ts";
import { writeMpsConfig } from "./mps_run.ts";
import { seedMaildir } from "./seed.ts";

/** What every benchmark shares: the servers, the mps command, where to write. */
export interface BenchContext {
  readonly setup: MailboxSetup;
  readonly mps: MpsCommand;
  /**
   * Where the clients (mps and mbsync alike) reach Dovecot's IMAPS port: Dovecot's own, or an
   * RTT relay in front of it (`--rtt-ms`). Seeding and checks go to Dovecot directly.
   */
  readonly imapPort: number;
  /** Temp folder of this benchmark run (inside the mailbox setup's folder). */
  readonly dir: string;
  /** Progress lines (stderr), so stdout keeps the figures. */
  readonly progress: (line: string) => void;
}

/** A fresh folder `<dir>/<name>` with an mps.config for the benchmark mailbox; returns both paths. */
export async function benchConfig(
  context: BenchContext,
  name: string,
  extra: Pick<MpsConfigOptions, "attributes" | "logLevel"> = {},
): Promise<{ dir: string; config: string; spool: string }> {
  const { setup } = context;
  const dir = path.join(context.dir, name);
  await mkdir(dir, { recursive: true });
  const config = await writeMpsConfig(dir, {
    host: "localhost",
    port: context.imapPort,
    user: BENCH_USER,
    caFile: setup.dovecot.caFile,
    issuer: setup.auth.issuer,
    clientId: setup.auth.clientId,
    storageDir: path.join(setup.dir, "oauth-storage"),
    keyFile: path.join(setup.dir, "mps.key"),
    ...extra,
  });
  return { dir, config, spool: path.join(dir, "Spool") };
}

/** Writes `messages` into the benchmark mailbox and lets Dovecot index them; throws unless all are there. */
export async function seedMailbox(setup: MailboxSetup, messages: readonly Buffer[]): Promise<void> {
  seedMaildir(setup.dovecot, BENCH_USER, messages);
  const indexed = await primeMailbox(setup);
  if (indexed !== messages.length) {
    throw new Error(`The mailbox holds ${indexed} messages after seeding, not ${messages.length}`);
  }
}

/** Where mbsync finds the benchmark mailbox: the same Dovecot over IMAPS (same port as mps), with a password. */
export function mbsyncTarget(context: BenchContext): MbsyncTarget {
  const { setup } = context;
  return {
    host: "localhost",
    port: context.imapPort,
    user: BENCH_USER,
    password: BENCH_PASSWORD,
    caFile: setup.dovecot.caFile,
  };
}

/** Job folders in a spool (not the hidden `.tmp` and `.done`). */
export async function spoolJobs(spool: string): Promise<string[]> {
  return (await readdir(spool).catch(() => [] as string[])).filter((name) => !name.startsWith("."));
}

/** An IMAP session of the benchmark user (through Dovecot's master user), INBOX selected. */
export async function openInbox(setup: MailboxSetup): Promise<ImapFlow> {
  const client = await setup.dovecot.connectAs(BENCH_USER);
  await client.mailboxOpen("INBOX");
  return client;
}

/**
 * Lets Dovecot index messages written straight into the Maildir (SELECT + FETCH of sizes and
 * dates), so neither mbsync nor mps pays for the first scan; returns the message count.
 */
export async function primeMailbox(setup: MailboxSetup): Promise<number> {
  const client = await openInbox(setup);
  try {
    let count = 0;
    if (client.mailbox !== false && client.mailbox.exists > 0) {
      for await (const message of client.fetch("1:*", { uid: true, size: true, internalDate: true })) {
        if (message.uid > 0) count++;
      }
    }
    return count;
  } finally {
    await client.logout();
  }
}
