import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chmodSync, chownSync, mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { ImapFlow } from "imapflow";
import { dovecotConfig } from "./dovecot_config.ts";
import { freePort } from "./free_port.ts";
import { makeTestCerts } from "./test_certs.ts";

export type DovecotOptions = {
  /** `auth_mechanisms`; default `plain xoauth2 oauthbearer`. Outlook offers `plain xoauth2`. */
  mechanisms?: string;
  /**
   * RFC 7662 introspection URL that checks XOAUTH2/OAUTHBEARER tokens, e.g.
   * `authServer.introspectionUrl`. Without it only password logins work.
   */
  introspectionUrl?: string;
  /** Password logins (PLAIN/LOGIN) for `Imap` sources: user name → password. */
  users?: Record<string, string>;
  /** Make the server certificate for these host names instead of localhost/127.0.0.1. */
  certHosts?: string[];
  /** Validity of the server certificate in days (default 7, that of `makeTestCerts`). */
  certDays?: number;
  /**
   * Shared mailboxes: mailbox → the users with Full Access to it. A delegate's token then opens
   * the mailbox when XOAUTH2 `user=` names it, as on Exchange; anyone else's is refused.
   * Needs `introspectionUrl` (of the local authorization server, which applies the table).
   */
  fullAccess?: Record<string, string[]>;
  /** `auth_debug = yes` (token checks are logged in detail in `logPath`). */
  debug?: boolean;
};

export type LoggedLogin = { user: string; method: string };

export type DovecotServer = {
  host: string;
  /** Plain IMAP; STARTTLS offered, plaintext auth allowed. */
  port: number;
  /** Implicit TLS (IMAPS). */
  tlsPort: number;
  /** The private CA that signed the server certificate. */
  caPem: string;
  caFile: string;
  logPath: string;
  /** The Dovecot master user that can log in as anyone (for seeding mail only). */
  master: { user: string; password: string };
  mailDir(user: string): string;
  /**
   * Sets (or adds) a user's password for PLAIN/LOGIN. Resolves once Dovecot will
   * see it (it re-reads the file at most once a second, so this takes up to 1 s).
   */
  setPassword(user: string, password: string): Promise<void>;
  /** An IMAP client logged in as `user` through the master user; the caller logs out. */
  connectAs(user: string): Promise<ImapFlow>;
  /** IMAP APPEND as `user`; creates `folder` (default INBOX) when missing. */
  appendMessage(
    user: string,
    raw: string | Buffer,
    folder?: string,
    flags?: string[],
  ): Promise<{ uid: number; uidValidity: number }>;
  listMessages(user: string, folder?: string): Promise<Array<{ uid: number; flags: string[]; subject: string }>>;
  /** Successful logins from the log, with the SASL mechanism used (`XOAUTH2`, `OAUTHBEARER`, `PLAIN`). */
  logins(): Promise<LoggedLogin[]>;
  /** Stops Dovecot and waits until its master process is gone; files are kept. */
  stop(): Promise<void>;
  /** Starts it again on the same ports after `stop()`. */
  start(): Promise<void>;
  /** `stop()` and delete the temp folder. */
  dispose(): Promise<void>;
};

const MASTER_USER = "mps-test-master";

/** Starts a private Dovecot (never the system one) in a fresh temp folder. */
export async function startDovecot(options: DovecotOptions = {}): Promise<DovecotServer> {
  const dir = mkdtempSync(join(tmpdir(), "mps-dovecot-"));
  tempDirs.add(dir);
  chmodSync(dir, 0o755); // mail processes run as nobody and must reach mail/
  const ids = nobodyIds();
  const mailRoot = join(dir, "mail");
  mkdirSync(mailRoot);
  chownSync(mailRoot, ids.uid, ids.gid);
  const certs = await makeTestCerts(dir, {
    ...(options.certHosts ? { hosts: options.certHosts } : {}),
    ...(options.certDays === undefined ? {} : { days: options.certDays }),
  });
  const master = { user: MASTER_USER, password: randomBytes(12).toString("hex") };
  writeFileSync(join(dir, "master-users"), `${master.user}:{PLAIN}${master.password}\n`, { mode: 0o644 });
  const users = new Map(Object.entries(options.users ?? {}));
  let usersGeneration = 0;
  const writeUsers = (): void => {
    const lines = [...users].map(([u, p]) => `${u}:{PLAIN}${p}\n`).join("");
    const file = join(dir, "users");
    writeFileSync(file, lines, { mode: 0o644 });
    // Dovecot reloads a passwd-file when its mtime (whole seconds) or size changes,
    // at most once a second: give each version its own mtime.
    const stamp = Math.floor(Date.now() / 1000) - 1000 + usersGeneration++;
    utimesSync(file, stamp, stamp);
  };
  writeUsers();
  const sharedMailboxes = Object.entries(options.fullAccess ?? {});
  if (options.introspectionUrl !== undefined) {
    const oauth2Conf = (url: string) =>
      [
        "introspection_mode = post",
        `introspection_url = ${url}`,
        "force_introspection = yes",
        "active_attribute = active",
        "active_value = true",
        "username_attribute = email",
        "",
      ].join("\n");
    writeFileSync(join(dir, "oauth2.conf.ext"), oauth2Conf(options.introspectionUrl));
    sharedMailboxes.forEach(([mailbox, delegates], index) => {
      const url = new URL(options.introspectionUrl ?? "");
      url.searchParams.set("mailbox", mailbox);
      url.searchParams.set("fullAccess", delegates.join(","));
      writeFileSync(join(dir, `oauth2-shared-${index}.conf.ext`), oauth2Conf(url.href));
    });
  }
  const logPath = join(dir, "dovecot.log");
  const configFile = join(dir, "dovecot.conf");
  const greeting = `mps test IMAP ${basename(dir)} ready`;
  const host = "127.0.0.1";
  let port = 0;
  let tlsPort = 0;
  let child: ChildProcess | undefined;

  const writeConfig = (): void => {
    writeFileSync(
      configFile,
      dovecotConfig({
        dir,
        port,
        tlsPort,
        greeting,
        certFile: certs.certFile,
        keyFile: certs.keyFile,
        mechanisms: options.mechanisms ?? "plain xoauth2 oauthbearer",
        oauth2: options.introspectionUrl !== undefined,
        sharedMailboxes: options.introspectionUrl === undefined ? [] : sharedMailboxes.map(([mailbox]) => mailbox),
        debug: options.debug === true,
      }),
    );
  };

  const start = async (): Promise<void> => {
    if (child !== undefined) throw new Error("Dovecot is already running");
    writeConfig();
    rmSync(join(dir, "run", "anvil-auth-penalty"), { force: true });
    let stderr = "";
    // Its own process group, so stop() can signal the master and all its children at once.
    const proc = spawn("dovecot", ["-F", "-c", configFile], { stdio: ["ignore", "ignore", "pipe"], detached: true });
    child = proc;
    track(proc);
    // A test that forgets stop() must not hang: unref, and the exit hook kills the group.
    proc.unref();
    (proc.stderr as (NodeJS.ReadableStream & { unref?: () => void }) | null)?.unref?.();
    proc.stderr?.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const alive = (): boolean => proc.exitCode === null && proc.signalCode === null;
    let outcome: "ready" | "exited" | Error;
    try {
      outcome = await waitForGreeting(host, port, greeting, 5000, alive);
    } catch (error) {
      outcome = error as Error;
      signalGroup(proc, "SIGKILL");
    }
    if (outcome !== "ready") {
      untrack(proc);
      child = undefined;
      const log = await readFile(logPath, "utf8").catch(() => "");
      const reason = outcome === "exited" ? "it exited" : outcome.message;
      throw new Error(
        `Dovecot did not start (${reason}): ${stderr.trim()}\n${log.split("\n").slice(-5).join("\n")}`.trim(),
      );
    }
  };

  const stop = async (): Promise<void> => {
    const proc = child;
    if (proc === undefined) return;
    if (proc.exitCode === null && proc.signalCode === null) {
      const gone = new Promise<void>((resolve) => proc.once("exit", () => resolve()));
      // SIGTERM to the master alone takes ~1 s (it waits for its children to notice);
      // to the whole group it takes a few milliseconds.
      signalGroup(proc, "SIGTERM");
      const timer = setTimeout(() => signalGroup(proc, "SIGKILL"), 5000);
      await gone;
      clearTimeout(timer);
    }
    untrack(proc);
    child = undefined;
    await waitForPidGone(join(dir, "run", "master.pid"));
  };

  // A freshly released port may be taken before Dovecot binds it: retry with new ones.
  for (let attempt = 1;; attempt++) {
    port = await freePort();
    do tlsPort = await freePort(); while (tlsPort === port);
    try {
      await start();
      break;
    } catch (error) {
      if (attempt >= 3 || !/in use/i.test(String(error))) {
        rmSync(dir, { recursive: true, force: true });
        tempDirs.delete(dir);
        throw error;
      }
    }
  }

  const connectAs = async (user: string): Promise<ImapFlow> => {
    const client = new ImapFlow({
      host,
      port: tlsPort,
      secure: true,
      tls: { ca: certs.caPem },
      logger: false,
      auth: { user: master.user, pass: master.password, authzid: user },
    });
    await client.connect();
    return client;
  };

  return {
    host,
    get port() {
      return port;
    },
    get tlsPort() {
      return tlsPort;
    },
    caPem: certs.caPem,
    caFile: certs.caFile,
    logPath,
    master,
    mailDir: (user) => join(mailRoot, user, "Maildir"),
    async setPassword(user, password) {
      users.set(user, password);
      writeUsers();
      await new Promise((r) => setTimeout(r, 1050 - (Date.now() % 1000)));
    },
    connectAs,
    async appendMessage(user, raw, folder = "INBOX", flags = []) {
      const client = await connectAs(user);
      try {
        if (folder !== "INBOX") {
          const exists = (await client.list()).some((box) => box.path === folder);
          if (!exists) await client.mailboxCreate(folder);
        }
        const result = await client.append(folder, raw, flags);
        if (!result || result.uid === undefined || result.uidValidity === undefined) {
          throw new Error(`IMAP APPEND to '${folder}' of ${user} returned no UID`);
        }
        return { uid: result.uid, uidValidity: Number(result.uidValidity) };
      } finally {
        await client.logout();
      }
    },
    async listMessages(user, folder = "INBOX") {
      const client = await connectAs(user);
      try {
        await client.mailboxOpen(folder, { readOnly: true });
        const found: Array<{ uid: number; flags: string[]; subject: string }> = [];
        for await (const msg of client.fetch("1:*", { uid: true, flags: true, envelope: true })) {
          found.push({ uid: msg.uid, flags: [...(msg.flags ?? [])], subject: msg.envelope?.subject ?? "" });
        }
        return found;
      } catch (error) {
        const e = error as { serverResponseCode?: string; mailboxMissing?: boolean };
        if (e.mailboxMissing === true || e.serverResponseCode === "NONEXISTENT") return [];
        throw error;
      } finally {
        await client.logout();
      }
    },
    async logins() {
      const log = await readFile(logPath, "utf8").catch(() => "");
      const found: LoggedLogin[] = [];
      for (const m of log.matchAll(/imap-login: Info: Login: user=<([^>]*)>, method=([A-Z0-9-]+)/g)) {
        found.push({ user: m[1] ?? "", method: m[2] ?? "" });
      }
      return found;
    },
    stop,
    start,
    async dispose() {
      await stop();
      rmSync(dir, { recursive: true, force: true });
      tempDirs.delete(dir);
    },
  };
}

// Dovecot runs in its own process group (detached), so neither Ctrl-C nor the end
// of the test process reaches it: kill every running group when this process ends.
const running = new Set<ChildProcess>();
let hooked = false;

function signalGroup(proc: ChildProcess, signal: NodeJS.Signals): void {
  try {
    if (proc.pid !== undefined) process.kill(-proc.pid, signal);
  } catch {
    // already gone
  }
}

/** Temp folders of instances not yet disposed: removed when this process exits. */
const tempDirs = new Set<string>();

function killAll(): void {
  for (const proc of running) signalGroup(proc, "SIGKILL");
  running.clear();
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
  tempDirs.clear();
}

function onSignal(signal: NodeJS.Signals): void {
  killAll();
  // Still exit as the default action would, unless someone else handles the signal.
  const codes: Record<string, number> = { SIGHUP: 129, SIGINT: 130, SIGTERM: 143 };
  if (process.listenerCount(signal) === 0) process.exit(codes[signal] ?? 1);
}

function track(proc: ChildProcess): void {
  running.add(proc);
  if (hooked) return;
  hooked = true;
  process.on("exit", killAll);
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) process.once(signal, onSignal);
}

function untrack(proc: ChildProcess): void {
  running.delete(proc);
}

/** uid/gid of nobody:nogroup, the owner of every Dovecot mail file. */
export function nobodyIds(): { uid: number; gid: number } {
  const field = (file: string, name: string): number | undefined => {
    const line = readFileSync(file, "utf8").split("\n").find((l) => l.startsWith(`${name}:`));
    return line === undefined ? undefined : Number(line.split(":")[2]);
  };
  const uid = field("/etc/passwd", "nobody");
  const gid = field("/etc/group", "nogroup") ?? field("/etc/group", "nobody");
  if (uid === undefined || gid === undefined) {
    throw new Error("Cannot find user nobody / group nogroup for Dovecot mail");
  }
  return { uid, gid };
}

/**
 * Resolves once this instance sends its IMAP greeting; the greeting is unique per
 * instance, so another test's Dovecot that took the port is not mistaken for it.
 */
async function waitForGreeting(
  host: string,
  port: number,
  greeting: string,
  timeoutMs: number,
  alive: () => boolean,
): Promise<"ready" | "exited"> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (!alive()) return "exited";
    const ok = await new Promise<boolean>((resolve) => {
      const socket = connect(port, host);
      socket.setTimeout(1000);
      socket.once("data", (data) => {
        socket.destroy();
        resolve(data.toString().includes(greeting));
      });
      socket.once("error", () => resolve(false));
      socket.once("timeout", () => {
        socket.destroy();
        resolve(false);
      });
    });
    if (ok) return "ready";
    if (Date.now() > deadline) throw new Error(`Dovecot did not answer on ${host}:${port} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function waitForPidGone(pidFile: string): Promise<void> {
  let pid: number;
  try {
    pid = Number(readFileSync(pidFile, "utf8").trim());
  } catch {
    return;
  }
  for (let i = 0; i < 250; i++) {
    try {
      process.kill(pid, 0);
    } catch {
      return;
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`Dovecot master process ${pid} is still running 5 s after stop`);
}
