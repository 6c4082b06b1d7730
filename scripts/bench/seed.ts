import { randomBytes } from "node:crypto";
import { chownSync, mkdirSync, readdirSync, renameSync, statSync, writeFileSync } from "node:fs";
import { open } from "node:fs/promises";
import * as path from "node:path";
import { nobodyIds } from "../../test/servers/index.ts";
import type { DovecotServer } from "../../test/servers/index.ts";
import { base64Lines, messageParts } from "./messages.ts";

let sequence = 0;

/**
 * The Maildir of `user`, created (with its home) owned by nobody:nogroup when missing, as
 * Dovecot's mail processes would create it.
 */
function ensureMaildir(dovecot: DovecotServer, user: string): string {
  const maildir = dovecot.mailDir(user);
  const ids = nobodyIds();
  for (const dir of [path.dirname(maildir), maildir, ...["cur", "new", "tmp"].map((sub) => path.join(maildir, sub))]) {
    mkdirSync(dir, { recursive: true });
    chownSync(dir, ids.uid, ids.gid);
  }
  return maildir;
}

/** A Dovecot-style Maildir file name: `<secs>.M<usecs>P<pid>.<host>,S=<size>,W=<vsize>:2,`. */
function maildirName(size: number): string {
  const now = Date.now();
  sequence += 1;
  // The message is stored with CRLF line ends already, so its virtual size is its size.
  return `${Math.floor(now / 1000)}.M${sequence}P${process.pid}.mps-bench,S=${size},W=${size}:2,`;
}

/**
 * Writes messages straight into `cur/` of the user's Maildir (no IMAP): Dovecot finds them at
 * the next SELECT and gives them UIDs in file-name order. Much faster than APPEND one by one.
 */
export function seedMaildir(dovecot: DovecotServer, user: string, messages: readonly Buffer[]): void {
  const cur = path.join(ensureMaildir(dovecot, user), "cur");
  const ids = nobodyIds();
  for (const raw of messages) {
    const file = path.join(cur, maildirName(raw.length));
    writeFileSync(file, raw, { mode: 0o600 });
    chownSync(file, ids.uid, ids.gid);
  }
}

/**
 * Writes one large message with one PDF attachment of `attachmentSize` bytes into the Maildir,
 * under a megabyte at a time (the benchmark itself never holds it whole). Returns its size.
 */
export async function seedLargeMessage(
  dovecot: DovecotServer,
  user: string,
  subject: string,
  attachmentSize: number,
): Promise<number> {
  const maildir = ensureMaildir(dovecot, user);
  const ids = nobodyIds();
  const tmp = path.join(maildir, "tmp", `bench-${process.pid}-${++sequence}`);
  const file = await open(tmp, "wx", 0o600);
  const { head, tail } = messageParts(subject, "large.pdf");
  const pdfHead = Buffer.from("%PDF-1.4\n% mps benchmark\n");
  const pdfTail = Buffer.from("\n%%EOF\n");
  // A whole number of 57-byte groups per step, so every base64 line stays 76 characters wide.
  const step = 57 * 16_000;
  let size = 0;
  const write = async (buffer: Buffer): Promise<void> => {
    await file.write(buffer);
    size += buffer.length;
  };
  try {
    await write(head);
    let pending: Buffer = pdfHead;
    let left = attachmentSize - pdfHead.length - pdfTail.length;
    let first = true;
    while (left > 0 || pending.length > 0) {
      const take = Math.min(left, step - pending.length);
      left -= take;
      let chunk = Buffer.concat([pending, randomBytes(take)]);
      pending = Buffer.alloc(0);
      if (left === 0) chunk = Buffer.concat([chunk, pdfTail]);
      if (!first) await write(Buffer.from("\r\n"));
      first = false;
      await write(base64Lines(chunk));
    }
    await write(tail);
  } finally {
    await file.close();
  }
  chownSync(tmp, ids.uid, ids.gid);
  renameSync(tmp, path.join(maildir, "cur", maildirName(size)));
  return size;
}

/** Messages in the Maildir right now (cur/ and new/). */
export function maildirCount(dir: string): number {
  let count = 0;
  for (const sub of ["cur", "new"]) {
    try {
      count += readdirSync(path.join(dir, sub)).filter((name) => statSync(path.join(dir, sub, name)).isFile()).length;
    } catch {
      // not there yet
    }
  }
  return count;
}
