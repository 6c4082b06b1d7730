import { fstatSync } from "node:fs";
import { appendFile, mkdir, open, readdir, rm, stat } from "node:fs/promises";
import { closeFile, fsyncFile, openFile, writeSmall } from "../shared/file_ops.ts";
import * as path from "node:path";
import { errnoCode } from "../shared/errno.ts";
import { syncPath } from "../shared/sync_path.ts";
import { DAY_MS } from "../shared/time.ts";

/** The ledger's folder inside the spool. */
export const LEDGER_DIR = ".done";

/** Days a published job's id is remembered. */
export const LEDGER_DAYS = 14;

/** How often a lookup that misses reads what other processes appended. */
export const CATCH_UP_MS = 1000;
const DAY_FILE = /^(\d{4}-\d{2}-\d{2})\.log$/;

interface Appender {
  readonly day: string;
  readonly fd: Promise<number>;
  /** The lines appended since the file was opened. */
  readonly lines: string[];
}

interface Day {
  readonly ids: Set<string>;
  /** Bytes of the day's file read into `ids` (this process's own lines included). */
  read: number;
}

/**
 * The spool's memory of published jobs, so that a message whose job was published never becomes
 * a job again, even after the print system took the job folder away: a crash between publishing
 * and `afterDownload`, or a server that refused the delete, leaves the message in the mailbox
 * for the next cycle.
 *
 * One append-only file per UTC day, `Spool/.done/<YYYY-MM-DD>.log`, a line per job
 * (`<ISO time> <id>`), read into memory once per process: a lookup of a known id costs no
 * file-system call, and publishing a job creates no file of its own (creating files is the
 * costliest thing a job does on a busy disk). Several processes may append to the same file
 * (small appends are atomic); a lookup that misses reads what the others appended since. A day's
 * file is deleted once it is {@link LEDGER_DAYS} days old, when nobody appends to it any more:
 * each process appends to the file of the current day only.
 */
export class Ledger {
  readonly #dir: string;
  readonly #now: () => number;
  readonly #days = new Map<string, Day>();
  /** Job folders found in the spool when the ledger was opened. */
  readonly #inSpool: Set<string>;
  #appender: Appender | undefined;
  #syncing: Promise<void> = Promise.resolve();
  #caughtUpAt = Number.NEGATIVE_INFINITY;
  #catchingUp: Promise<void> | undefined;

  private constructor(spoolDir: string, now: () => number, inSpool: Set<string>) {
    this.#dir = path.join(spoolDir, LEDGER_DIR);
    this.#now = now;
    this.#inSpool = inSpool;
  }

  /**
   * Reads the ledger of a spool, and the job folders in it: a job renamed into place just
   * before a crash has its folder but not yet its line. Deletes day files that have expired.
   */
  static async open(spoolDir: string, now: () => number): Promise<Ledger> {
    const names = await readdir(spoolDir).catch(noEntries);
    const ledger = new Ledger(spoolDir, now, new Set(names.filter((name) => !name.startsWith("."))));
    await ledger.#load();
    return ledger;
  }

  /**
   * True when a job of this id was published (within the last {@link LEDGER_DAYS} days). A miss
   * reads what other processes appended since, at most every {@link CATCH_UP_MS}: a new message
   * is the usual miss, and must not cost a file-system call.
   */
  async has(id: string): Promise<boolean> {
    if (this.#knows(id)) return true;
    if (this.#now() - this.#caughtUpAt < CATCH_UP_MS) return false;
    // one catch-up at a time: the lookups of messages converted side by side share it
    this.#catchingUp ??= this.#catchUp(dayOf(this.#now())).finally(() => {
      this.#caughtUpAt = this.#now();
      this.#catchingUp = undefined;
    });
    await this.#catchingUp;
    return this.#knows(id);
  }

  /** Remembers a published job; durable after the next {@link sync}. */
  async add(id: string): Promise<void> {
    const at = this.#now();
    const day = dayOf(at);
    const entry = await this.#dayEntry(day);
    const line = `${new Date(at).toISOString()} ${id}\n`;
    for (;;) {
      const appender = await this.#appenderFor(day);
      const fd = await appender.fd;
      // a sync took this file meanwhile and is closing it: the line goes into the next one
      if (this.#appender !== appender) continue;
      appender.lines.push(line);
      writeSmall(fd, Buffer.from(line, "latin1"));
      break;
    }
    entry.ids.add(id);
  }

  /**
   * Makes the ids added so far durable (also those of other sources on this spool, whose sync
   * may be under way: it is waited for), and closes the day's file until the next `add`.
   */
  async sync(): Promise<void> {
    const appender = this.#appender;
    this.#appender = undefined;
    const before = this.#syncing;
    const syncing = (async () => {
      await before.catch(() => undefined);
      if (appender !== undefined) await this.#flush(appender);
    })();
    this.#syncing = syncing;
    await syncing;
  }

  async #flush(appender: Appender): Promise<void> {
    const fd = await appender.fd;
    try {
      if (fstatSync(fd).nlink > 0) {
        await fsyncFile(fd);
        return;
      }
      // the spool (or its ledger folder) was removed while running: what was appended went with it
      await mkdir(this.#dir, { recursive: true });
      const file = this.#file(appender.day);
      await appendFile(file, appender.lines.join(""), "latin1");
      await syncPath(file);
    } finally {
      closeFile(fd);
    }
  }

  /**
   * The open file of `day`: kept open from the first `add` to the next `sync` (a batch of jobs),
   * so a job's line costs one small write in place.
   */
  async #appenderFor(day: string): Promise<Appender> {
    if (this.#appender !== undefined && this.#appender.day !== day) await this.sync();
    if (this.#appender === undefined) {
      const file = this.#file(day);
      const fd = openFile(file, "a").catch(async (error: unknown) => {
        if (errnoCode(error) !== "ENOENT") throw error;
        await mkdir(this.#dir, { recursive: true });
        return await openFile(file, "a");
      });
      const appender: Appender = { day, fd, lines: [] };
      this.#appender = appender;
      // a failed open is tried again by the next add
      fd.catch(() => {
        if (this.#appender === appender) this.#appender = undefined;
      });
    }
    return this.#appender;
  }

  #knows(id: string): boolean {
    if (this.#inSpool.has(id)) return true;
    for (const day of this.#days.values()) if (day.ids.has(id)) return true;
    return false;
  }

  #file(day: string): string {
    return path.join(this.#dir, `${day}.log`);
  }

  /** The ids of `day`; days that expired by then are forgotten and their files deleted. */
  async #dayEntry(day: string): Promise<Day> {
    let entry = this.#days.get(day);
    if (entry !== undefined) return entry;
    for (const known of [...this.#days.keys()]) {
      if (!isExpired(known, day)) continue;
      this.#days.delete(known);
      await rm(this.#file(known), { force: true });
    }
    entry = { ids: new Set(), read: 0 };
    this.#days.set(day, entry);
    return entry;
  }

  async #load(): Promise<void> {
    const today = dayOf(this.#now());
    for (const name of await readdir(this.#dir).catch(noEntries)) {
      const day = DAY_FILE.exec(name)?.[1];
      if (day === undefined) continue;
      if (isExpired(day, today)) await rm(path.join(this.#dir, name), { force: true });
      else await this.#catchUp(day);
    }
    this.#caughtUpAt = this.#now();
  }

  /** Reads what was appended to the file of `day` since this process last read it. */
  async #catchUp(day: string): Promise<void> {
    const entry = await this.#dayEntry(day);
    const file = this.#file(day);
    const from = entry.read;
    const size = await stat(file).then((info) => info.size, (error: unknown) => {
      if (errnoCode(error) === "ENOENT") return 0;
      throw error;
    });
    if (size <= from) {
      // smaller: removed with the spool (and maybe made again); what it held stays remembered
      if (size < from) entry.read = 0;
      return;
    }
    const handle = await open(file, "r");
    try {
      const buffer = Buffer.alloc(size - from);
      const { bytesRead } = await handle.read(buffer, 0, buffer.byteLength, from);
      // whole lines only: a line being appended right now is read next time
      const end = buffer.lastIndexOf(0x0a, bytesRead - 1) + 1;
      for (const id of idsOf(buffer.toString("latin1", 0, end))) entry.ids.add(id);
      entry.read = from + end;
    } finally {
      await handle.close();
    }
  }
}

function idsOf(text: string): string[] {
  const ids: string[] = [];
  for (const line of text.split("\n")) {
    const space = line.indexOf(" ");
    if (space > 0 && space < line.length - 1) ids.push(line.slice(space + 1).trimEnd());
  }
  return ids;
}

function dayOf(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

function isExpired(day: string, today: string): boolean {
  return Date.parse(today) - Date.parse(day) >= LEDGER_DAYS * DAY_MS;
}

function noEntries(error: unknown): string[] {
  if (errnoCode(error) === "ENOENT") return [];
  throw error;
}
