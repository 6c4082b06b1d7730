import { type ChildProcess, spawn } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { DovecotServer } from "./dovecot.ts";
import { freePort } from "./free_port.ts";
import { startSmtpSink } from "./smtp_sink.ts";
import type { SmtpSink } from "./smtp_sink.ts";
import { makeTestCerts } from "./test_certs.ts";

export type SubmissionOptions = {
  /** RFC 7662 introspection URL that checks XOAUTH2/OAUTHBEARER tokens. */
  introspectionUrl: string;
  /** Where accepted mail is delivered: appended to each recipient's INBOX (by the master user). */
  mailbox: DovecotServer;
  /** Password logins (PLAIN/LOGIN): user name → password. */
  users?: Record<string, string>;
};

export type SubmissionServer = {
  host: string;
  /** Submission port: plain, STARTTLS offered (required before AUTH). */
  port: number;
  /** Implicit TLS. */
  tlsPort: number;
  caFile: string;
  caPem: string;
  logPath: string;
  sink: SmtpSink;
  stop(): Promise<void>;
  start(): Promise<void>;
  dispose(): Promise<void>;
};

/**
 * A real SMTP submission server with XOAUTH2: Dovecot's submission service (Debian
 * `dovecot-submissiond`) in a private instance, checking tokens by introspection against the
 * test authorization server, relaying to a small sink that appends each message into the
 * IMAP Dovecot, where the test reads it.
 */
export async function startSubmission(options: SubmissionOptions): Promise<SubmissionServer> {
  const dir = mkdtempSync(join(tmpdir(), "mps-submission-"));
  chmodSync(dir, 0o755); // the auth process runs as the dovecot user and reads the users file here
  const certs = await makeTestCerts(dir);
  const sink = await startSmtpSink(async (message) => {
    for (const rcpt of message.to) await options.mailbox.appendMessage(rcpt, message.raw);
  });
  writeFileSync(
    join(dir, "oauth2.conf.ext"),
    [
      "introspection_mode = post",
      `introspection_url = ${options.introspectionUrl}`,
      "force_introspection = yes",
      "active_attribute = active",
      "active_value = true",
      "username_attribute = email",
      "",
    ].join("\n"),
  );
  writeFileSync(
    join(dir, "users"),
    Object.entries(options.users ?? {}).map(([user, pass]) => `${user}:{PLAIN}${pass}\n`).join(""),
  );
  const port = await freePort();
  let tlsPort = await freePort();
  while (tlsPort === port) tlsPort = await freePort();
  const logPath = join(dir, "dovecot.log");
  const configFile = join(dir, "dovecot.conf");
  const dh = "/usr/share/dovecot/dh.pem";
  writeFileSync(
    configFile,
    `# Private Dovecot submission service for mps tests (test/servers/submission.ts)
instance_name = mps-submission-${port}
base_dir = ${dir}/run
state_dir = ${dir}/state
log_path = ${logPath}
protocols = submission
listen = 127.0.0.1
hostname = mps-test-submission
ssl = yes
ssl_cert = <${certs.certFile}
ssl_key = <${certs.keyFile}
${existsSync(dh) ? `ssl_dh = <${dh}` : ""}
disable_plaintext_auth = yes
auth_mechanisms = plain login xoauth2 oauthbearer
auth_failure_delay = 0
auth_verbose = yes
first_valid_uid = 1
first_valid_gid = 1
mail_location = maildir:${dir}/mail/%u
submission_relay_host = 127.0.0.1
submission_relay_port = ${sink.port}
submission_relay_trusted = yes
service submission-login {
  inet_listener submission {
    address = 127.0.0.1
    port = ${port}
  }
  inet_listener submissions {
    address = 127.0.0.1
    port = ${tlsPort}
    ssl = yes
  }
}
service anvil {
  unix_listener anvil-auth-penalty {
    mode = 0
  }
}
passdb {
  driver = passwd-file
  mechanisms = plain login
  args = scheme=PLAIN username_format=%u ${dir}/users
}
passdb {
  driver = oauth2
  mechanisms = xoauth2 oauthbearer
  args = ${dir}/oauth2.conf.ext
}
userdb {
  driver = static
  args = uid=nobody gid=nogroup home=${dir}/home/%u
}
`,
  );
  let child: ChildProcess | undefined;
  const start = async () => {
    if (child !== undefined) return;
    rmSync(join(dir, "run", "anvil-auth-penalty"), { force: true });
    const proc = spawn("dovecot", ["-F", "-c", configFile], { stdio: ["ignore", "ignore", "pipe"], detached: true });
    let stderr = "";
    proc.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    proc.unref();
    (proc.stderr as (NodeJS.ReadableStream & { unref?: () => void }) | null)?.unref?.();
    child = proc;
    running.add(proc);
    const deadline = Date.now() + 10_000;
    while (!(await greets(port))) {
      if (proc.exitCode !== null || Date.now() > deadline) {
        kill(proc, "SIGKILL");
        child = undefined;
        const log = existsSync(logPath) ? readFileSync(logPath, "utf8").split("\n").slice(-5).join("\n") : "";
        throw new Error(`Dovecot submission did not start: ${stderr.trim()}\n${log}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };
  const stop = async () => {
    const proc = child;
    if (proc === undefined) return;
    child = undefined;
    if (proc.exitCode === null && proc.signalCode === null) {
      const gone = new Promise<void>((resolve) => proc.once("exit", () => resolve()));
      kill(proc, "SIGTERM");
      const timer = setTimeout(() => kill(proc, "SIGKILL"), 5000);
      await gone;
      clearTimeout(timer);
    }
    running.delete(proc);
    const pidFile = join(dir, "run", "master.pid");
    for (let i = 0; i < 100 && existsSync(pidFile); i++) await new Promise((resolve) => setTimeout(resolve, 20));
  };
  await start();
  return {
    host: "127.0.0.1",
    port,
    tlsPort,
    caFile: certs.caFile,
    caPem: certs.caPem,
    logPath,
    sink,
    stop,
    start,
    async dispose() {
      await stop();
      await sink.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

const running = new Set<ChildProcess>();
process.on("exit", () => {
  for (const proc of running) kill(proc, "SIGKILL");
});

function kill(proc: ChildProcess, signal: NodeJS.Signals): void {
  try {
    if (proc.pid !== undefined) process.kill(-proc.pid, signal);
  } catch {
    // already gone
  }
}

function greets(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1");
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1000, () => done(false));
    socket.once("data", (chunk: Buffer) => done(chunk.toString().startsWith("220")));
    socket.once("error", () => done(false));
  });
}
