import { access, mkdir, open, readdir, readFile, rename, unlink } from "node:fs/promises";
import * as path from "node:path";
import { syncPath } from "../shared/sync_path.ts";
import type { OutgoingReply, ReplyRequest } from "./compose_reply.ts";
import { errnoCode } from "../shared/errno.ts";

/** A reply waiting to be sent: `Spool/.outbox/<id>.json`. */
export interface OutboxEntry {
  readonly id: string;
  readonly reply: OutgoingReply;
  /** ms epoch. */
  readonly createdAt: number;
  readonly attempts: number;
  /** ms epoch: not tried again before then. */
  readonly nextAttemptAt: number;
  readonly lastError: string | undefined;
  /**
   * Held until the delivery stage reports what became of the documents (printing configured):
   * not sent before; `request` is what the reply is written again from.
   */
  readonly held?: { readonly request: ReplyRequest } | undefined;
}

/** What became of a message's reply: `Spool/.outbox/done/<id>.json`, so no message gets two. */
export interface ReplyRecord {
  readonly id: string;
  readonly to: string;
  /** ms epoch of the decision. */
  readonly at: number;
  readonly result: "sent" | "suppressed" | "rate-limited" | "gave-up";
}

// Records are kept this long: longer than a message can sit in a mailbox or in Failed
// before it is handled again, so a re-read message is still recognised.
const RECORD_DAYS = 30;
const DAY_MS = 86_400_000;

/**
 * The durable part of replies. A reply is written here before it is sent and its record
 * after, each file atomically (temp file, fsync, rename, folder fsync), so a crash neither
 * loses a reply nor sends one twice for the same message (at most a reply whose send
 * was under way when the power went may go again).
 */
export class Outbox {
  readonly dir: string;
  readonly #doneDir: string;
  #prepared = false;

  constructor(spoolDir: string) {
    this.dir = path.join(spoolDir, ".outbox");
    this.#doneDir = path.join(this.dir, "done");
  }

  /** True when the message already has a reply waiting or decided. */
  async has(id: string): Promise<boolean> {
    await this.#prepare();
    for (const file of [path.join(this.dir, fileName(id)), path.join(this.#doneDir, fileName(id))]) {
      try {
        await access(file);
        return true;
      } catch (error) {
        if (errnoCode(error) !== "ENOENT") throw error;
      }
    }
    return false;
  }

  async put(entry: OutboxEntry): Promise<void> {
    await this.#prepare();
    await writeDurably(path.join(this.dir, fileName(entry.id)), entry);
  }

  /** The waiting reply of a message, if there is one. */
  async get(id: string): Promise<OutboxEntry | undefined> {
    try {
      return JSON.parse(await readFile(path.join(this.dir, fileName(id)), "utf8")) as OutboxEntry;
    } catch (error) {
      if (errnoCode(error) === "ENOENT") return undefined;
      throw error;
    }
  }

  /** Every waiting reply; an unreadable file is skipped and returned apart. */
  async pending(): Promise<{ entries: OutboxEntry[]; unreadable: string[] }> {
    await this.#prepare();
    const entries: OutboxEntry[] = [];
    const unreadable: string[] = [];
    for (const name of (await readdir(this.dir)).filter((entry) => entry.endsWith(".json")).sort()) {
      try {
        const entry = JSON.parse(await readFile(path.join(this.dir, name), "utf8")) as OutboxEntry;
        if (typeof entry.id !== "string" || typeof entry.reply?.to !== "string") throw new Error("not an outbox entry");
        entries.push(entry);
      } catch {
        unreadable.push(path.join(this.dir, name));
      }
    }
    return { entries, unreadable };
  }

  /** Records the outcome of a message's reply and removes it from the waiting ones. */
  async finish(record: ReplyRecord): Promise<void> {
    await this.#prepare();
    await writeDurably(path.join(this.#doneDir, fileName(record.id)), record);
    await unlink(path.join(this.dir, fileName(record.id))).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== "ENOENT") throw error;
    });
    await syncPath(this.dir);
  }

  /** Records of the last `sinceMs`, and removes those older than the keeping time. */
  async records(now: number, sinceMs: number): Promise<ReplyRecord[]> {
    await this.#prepare();
    const found: ReplyRecord[] = [];
    for (const name of (await readdir(this.#doneDir)).filter((entry) => entry.endsWith(".json"))) {
      const file = path.join(this.#doneDir, name);
      try {
        const record = JSON.parse(await readFile(file, "utf8")) as ReplyRecord;
        if (now - record.at > RECORD_DAYS * DAY_MS) await unlink(file);
        else if (now - record.at <= sinceMs) found.push(record);
      } catch {
        // a record that cannot be read only weakens the limit; it does not stop replies
      }
    }
    return found;
  }

  async #prepare(): Promise<void> {
    if (this.#prepared) return;
    await mkdir(this.#doneDir, { recursive: true });
    this.#prepared = true;
  }
}

function fileName(id: string): string {
  // job ids are folder-safe already (letters, digits, . @ + - _)
  return `${id}.json`;
}

async function writeDurably(file: string, value: unknown): Promise<void> {
  const temp = `${file}.${process.pid}.tmp`;
  const handle = await open(temp, "w");
  try {
    await handle.writeFile(`${JSON.stringify(value, null, 2)}\n`);
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await rename(temp, file);
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw error;
  }
  await syncPath(path.dirname(file));
}
