import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, rm, writeFile } from "node:fs/promises";
import * as path from "node:path";
import { performance } from "node:perf_hooks";
import { maildirCount } from "./seed.ts";

export interface MbsyncTarget {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly password: string;
  readonly caFile: string;
}

export interface MbsyncRun {
  readonly seconds: number;
  readonly messages: number;
}

/** Where mbsync is, or undefined (scripts/install-test-deps.sh installs Debian's isync). */
export function findMbsync(): string | undefined {
  for (const dir of (process.env["PATH"] ?? "").split(path.delimiter)) {
    const candidate = path.join(dir, "mbsync");
    if (dir !== "" && existsSync(candidate)) return candidate;
  }
  return undefined;
}

/**
 * An mbsyncrc pulling INBOX of the IMAPS account into a Maildir under `dir`: Sync Pull, Create
 * Near, nothing expunged on the server, so the same mailbox can be downloaded again by mps.
 * Everything else is isync's default (FSync yes, unlimited PipelineDepth).
 */
export function mbsyncConfig(dir: string, target: MbsyncTarget): string {
  return `# mps benchmark: mbsync pulls the benchmark mailbox (scripts/bench/mbsync.ts)
IMAPAccount bench
Host ${target.host}
Port ${target.port}
User ${target.user}
Pass ${target.password}
AuthMechs PLAIN
SSLType IMAPS
CertificateFile ${target.caFile}

IMAPStore bench-far
Account bench

MaildirStore bench-near
Path ${path.join(dir, "mail")}/
Inbox ${path.join(dir, "mail", "INBOX")}

Channel bench
Far :bench-far:INBOX
Near :bench-near:INBOX
Sync Pull
Create Near
Expunge None
SyncState *
`;
}

/**
 * Runs `mbsync -c <rc> bench` into a fresh Maildir under `dir` and times it (wall clock of the
 * process, start-up included, like the mps side). Throws when mbsync fails.
 */
export async function runMbsync(
  binary: string,
  dir: string,
  target: MbsyncTarget,
  timeoutMs: number,
  /** Run mbsync under this command, e.g. `/usr/bin/time -f … -o FILE`. */
  wrapper: readonly string[] = [],
): Promise<MbsyncRun> {
  await rm(dir, { recursive: true, force: true });
  await mkdir(path.join(dir, "mail"), { recursive: true });
  const rc = path.join(dir, "mbsyncrc");
  await writeFile(rc, mbsyncConfig(dir, target), { mode: 0o600 });
  const started = performance.now();
  const { code, output } = await new Promise<{ code: number | null; output: string }>((resolve, reject) => {
    const [file = binary, ...args] = [...wrapper, binary, "-c", rc, "bench"];
    const child = spawn(file, args, {
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, HOME: dir },
    });
    let text = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (text += chunk));
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (text += chunk));
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("error", reject);
    child.on("close", (exit) => {
      clearTimeout(timer);
      resolve({ code: exit, output: text });
    });
  });
  const seconds = (performance.now() - started) / 1000;
  if (code !== 0) throw new Error(`mbsync exited with ${code ?? "a signal (timeout?)"}: ${output.trim()}`);
  return { seconds, messages: maildirCount(path.join(dir, "mail", "INBOX")) };
}
