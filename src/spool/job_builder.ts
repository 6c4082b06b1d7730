import { createHash } from "node:crypto";
import { mkdir, readdir, rm } from "node:fs/promises";
import * as path from "node:path";
import process from "node:process";
import { renameRetrying } from "../shared/durable_file.ts";
import { errnoCode } from "../shared/errno.ts";
import { closeFile, fsyncFile, openFile, writeBuffers, writeSmall } from "../shared/file_ops.ts";
import { DEFAULT_MODE, mkdirPrivate } from "../shared/private_path.ts";
import { syncPath } from "../shared/sync_path.ts";
import { tempSuffix } from "../shared/temp_suffix.ts";
import { SpoolError } from "./errors.ts";
import { Ledger } from "./ledger.ts";
import type { PublishTicket } from "./publish_queue.ts";
import { reservedJobNames, safeDocumentName } from "./safe_document_name.ts";

export interface JobDocument {
  readonly fileName: string;
  readonly contentType: string;
  readonly size: number;
  readonly sha256: string;
}

/** What `job.json` says about the job besides its documents. */
export interface JobInfo {
  readonly id: string;
  readonly source: string;
  readonly owner: string;
  readonly subject: string;
  readonly receivedAt: string;
  readonly messageId: string;
}

export interface Job extends JobInfo {
  readonly documents: readonly JobDocument[];
}

const TEMP = ".tmp";
const WRITE_SIZE = 256 * 1024;

export interface CommitOptions {
  /** False: the caller makes the rename and the ledger line durable, with `syncSpool()`. */
  readonly syncSpool?: boolean;
  /** The job's place in the publishing order: its rename waits for the job before. */
  readonly order?: PublishTicket;
}

export interface BeginOptions {
  /** The clock of the ledger's entries (the spool's ledger takes the clock of its first caller). */
  readonly now: () => number;
}

/**
 * Builds one job in a temp folder and publishes it whole with a rename, so the print system
 * never sees half a job. The spool's {@link Ledger} remembers the job id after the rename, even
 * once the print system has taken the folder away, so a restart never makes it twice.
 */
export class JobBuilder {
  readonly #spoolDir: string;
  readonly #id: string;
  readonly #tempDir: string;
  readonly #ledger: Ledger;
  readonly #names = reservedJobNames();
  readonly #documents: JobDocument[] = [];
  #published = false;

  private constructor(spoolDir: string, id: string, tempDir: string, ledger: Ledger) {
    this.#spoolDir = spoolDir;
    this.#id = id;
    this.#tempDir = tempDir;
    this.#ledger = ledger;
  }

  /** Starts a job, or returns undefined when a job of this id was already published. */
  static async begin(spoolDir: string, id: string, options: BeginOptions): Promise<JobBuilder | undefined> {
    if (!/^[\w.@+-]+$/.test(id) || id.startsWith(".")) throw new SpoolError(`Job id '${id}' is not a safe folder name`);
    const ledger = await ledgerOf(spoolDir, options.now);
    let published: boolean;
    try {
      published = await ledger.has(id);
    } catch (cause) {
      throw new SpoolError(`Cannot read the ledger of spool '${spoolDir}': ${(cause as Error).message}`, { cause });
    }
    if (published) return undefined;
    const tempDir = path.join(spoolDir, TEMP, `${id}.${process.pid}.${tempSuffix()}`);
    try {
      await inFolder(path.join(spoolDir, TEMP), () => mkdir(tempDir));
    } catch (cause) {
      throw new SpoolError(`Cannot create job folder '${tempDir}': ${(cause as Error).message}`, { cause });
    }
    return new JobBuilder(spoolDir, id, tempDir, ledger);
  }

  /** Streams one document to disk, hashing as it goes; returns its safe file name. */
  async addDocument(fileName: string, contentType: string, content: AsyncIterable<Uint8Array>): Promise<JobDocument> {
    const safeName = safeDocumentName(fileName, this.#names);
    const file = path.join(this.#tempDir, safeName);
    const hash = createHash("sha256");
    let size = 0;
    let fd: number | undefined;
    try {
      fd = await openFile(file, "wx");
      // Decoders hand over small chunks; a write per chunk would cost a thread-pool round trip
      // each, so they are gathered into writes of WRITE_SIZE (memory stays bounded by it).
      let pending: Uint8Array[] = [];
      let pendingBytes = 0;
      for await (const chunk of content) {
        hash.update(chunk);
        size += chunk.byteLength;
        pending.push(chunk);
        pendingBytes += chunk.byteLength;
        if (pendingBytes >= WRITE_SIZE) {
          await writeBuffers(fd, pending);
          pending = [];
          pendingBytes = 0;
        }
      }
      if (pending.length > 0) await writeBuffers(fd, pending);
      await fsyncFile(fd);
    } catch (cause) {
      throw new SpoolError(`Cannot write document '${safeName}' of job '${this.#id}': ${systemMessage(cause)}`, {
        cause,
      });
    } finally {
      if (fd !== undefined) closeFile(fd);
    }
    const document = { fileName: safeName, contentType, size, sha256: hash.digest("hex") };
    this.#documents.push(document);
    return document;
  }

  get documents(): readonly JobDocument[] {
    return this.#documents;
  }

  /** True once the job was renamed into the spool: from then on it is in the print system's hands. */
  get published(): boolean {
    return this.#published;
  }

  /**
   * Writes job.json, makes everything durable, renames the job into place and adds it to the
   * ledger. With `syncSpool: false` the rename and the ledger line are made durable later by the
   * caller, with one `syncSpool(spoolDir)` for a whole batch, which must come before the batch's
   * messages are deleted from the mailbox. With an `order`, the rename waits for the job before
   * (only the rename: everything else runs side by side with the other jobs).
   */
  async commit(info: Omit<JobInfo, "id">, options: CommitOptions = {}): Promise<Job> {
    const job: Job = {
      id: this.#id,
      source: info.source,
      owner: info.owner,
      subject: info.subject,
      receivedAt: info.receivedAt,
      messageId: info.messageId,
      documents: this.#documents,
    };
    const target = path.join(this.#spoolDir, this.#id);
    try {
      const meta = await openFile(path.join(this.#tempDir, "job.json"), "wx");
      try {
        writeSmall(meta, Buffer.from(`${JSON.stringify(job, null, 2)}\n`));
        // the file's bytes and the folder's entries, side by side: both must be durable before the rename
        await Promise.all([fsyncFile(meta), syncPath(this.#tempDir)]);
      } finally {
        closeFile(meta);
      }
      const publish = async (): Promise<void> => {
        await renameRetrying(this.#tempDir, target);
        this.#published = true;
      };
      await (options.order === undefined ? publish() : options.order.publish(publish));
    } catch (cause) {
      await this.abort();
      throw new SpoolError(`Cannot publish job '${target}': ${(cause as Error).message}`, { cause });
    }
    try {
      await this.#ledger.add(this.#id);
      if (options.syncSpool !== false) await syncSpool(this.#spoolDir);
    } catch (cause) {
      // published: the job stays; only its memory failed, and with it the promise of once
      throw new SpoolError(
        `Cannot record job '${this.#id}' in the ledger of spool '${this.#spoolDir}': ${(cause as Error).message}`,
        { cause },
      );
    }
    return job;
  }

  async abort(): Promise<void> {
    await rm(this.#tempDir, { recursive: true, force: true });
  }
}

/** A system error's message without the path it repeats (the temp folder's, of no use to an admin). */
function systemMessage(cause: unknown): string {
  const error = cause as NodeJS.ErrnoException;
  const text = error instanceof Error ? error.message : String(cause);
  return typeof error.path === "string" && typeof error.syscall === "string"
    ? text.replace(`, ${error.syscall} '${error.path}'`, "")
    : text;
}

/**
 * Removes half-built jobs left in `.tmp` by a process that died (its pid is in the folder name).
 * Returns how many it removed.
 */
export async function cleanPartialJobs(spoolDir: string): Promise<number> {
  let removed = 0;
  const entries = await readdir(path.join(spoolDir, TEMP)).catch(() => [] as string[]);
  for (const entry of entries) {
    const pid = Number(/\.(\d+)\.[0-9a-f]{8}$/.exec(entry)?.[1]);
    if (Number.isInteger(pid) && pid !== process.pid && isAlive(pid)) continue;
    if (pid === process.pid) continue;
    await rm(path.join(spoolDir, TEMP, entry), { recursive: true, force: true });
    removed += 1;
  }
  return removed;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return errnoCode(error) === "EPERM";
  }
}

/** Makes the renames and ledger lines of jobs committed with `syncSpool: false` durable. */
export async function syncSpool(spoolDir: string): Promise<void> {
  await syncPath(spoolDir);
  // no ledger open yet: no job was committed, so no line waits to be made durable
  await (await ledgers.get(path.resolve(spoolDir)))?.sync();
}

// One ledger per spool and process: it is read once, then kept in memory.
const ledgers = new Map<string, Promise<Ledger>>();

function ledgerOf(spoolDir: string, now: () => number): Promise<Ledger> {
  const key = path.resolve(spoolDir);
  let ledger = ledgers.get(key);
  if (ledger === undefined) {
    ledger = Ledger.open(spoolDir, now).catch((cause: unknown) => {
      ledgers.delete(key);
      throw new SpoolError(`Cannot read the ledger of spool '${spoolDir}': ${(cause as Error).message}`, { cause });
    });
    ledgers.set(key, ledger);
  }
  return ledger;
}

// Folders known to exist (.tmp, in the spool): made once per process rather than once per job,
// and made again when someone removed them meanwhile.
const folders = new Set<string>();

async function inFolder<T>(dir: string, operation: () => Promise<T>): Promise<T> {
  if (!folders.has(dir)) {
    await mkdirPrivate(dir, { root: path.dirname(dir), mode: DEFAULT_MODE });
    folders.add(dir);
  }
  try {
    return await operation();
  } catch (error) {
    if (errnoCode(error) !== "ENOENT") throw error;
    await mkdirPrivate(dir, { root: path.dirname(dir), mode: DEFAULT_MODE });
    return await operation();
  }
}

/**
 * Writes, fsyncs and removes a small file where jobs are built (the spool's `.tmp`), to tell a
 * spool that takes no file at all from one that refused a single message's file. Throws a
 * {@link SpoolError} naming the spool when it cannot.
 */
export async function probeSpool(spoolDir: string): Promise<void> {
  const dir = path.join(spoolDir, TEMP);
  // named like a job's temp folder, so one left behind by a crash is cleaned like them
  const file = path.join(dir, `.probe.${process.pid}.${tempSuffix()}`);
  let fd: number | undefined;
  try {
    fd = await inFolder(dir, () => openFile(file, "wx"));
    await writeBuffers(fd, [Buffer.from("mps spool probe\n")]);
    await fsyncFile(fd);
  } catch (cause) {
    throw new SpoolError(`Cannot write to spool folder '${spoolDir}': ${(cause as Error).message}`, { cause });
  } finally {
    if (fd !== undefined) closeFile(fd);
    await rm(file, { force: true }).catch(() => undefined);
  }
}
