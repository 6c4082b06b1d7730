import { createHash, randomBytes } from "node:crypto";
import { mkdir, open, readdir, rename, rm, stat, writeFile } from "node:fs/promises";
import type { FileHandle } from "node:fs/promises";
import * as path from "node:path";
import process from "node:process";
import { MpsError } from "../shared/errors.ts";
import { syncPath } from "../shared/sync_path.ts";
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

export class SpoolError extends MpsError {
  static readonly CODE = "ERR_SPOOL";
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(SpoolError.CODE, message, {
      ...options,
      fix: "Check that the spool folder exists, is writable by the account mps runs as, and its disk is not full",
    });
  }
}

const TEMP = ".tmp";
const WRITE_SIZE = 256 * 1024;
const DONE = ".done";

/**
 * Builds one job in a temp folder and publishes it whole with a rename, so the print system
 * never sees half a job. A ledger entry written after the rename remembers the job id even
 * after the print system has taken the folder away, so a restart never makes it twice.
 */
export class JobBuilder {
  readonly #spoolDir: string;
  readonly #id: string;
  readonly #tempDir: string;
  readonly #names = reservedJobNames();
  readonly #documents: JobDocument[] = [];

  private constructor(spoolDir: string, id: string, tempDir: string) {
    this.#spoolDir = spoolDir;
    this.#id = id;
    this.#tempDir = tempDir;
  }

  /** Starts a job, or returns undefined when a job of this id was already published. */
  static async begin(spoolDir: string, id: string): Promise<JobBuilder | undefined> {
    if (!/^[\w.@+-]+$/.test(id) || id.startsWith(".")) throw new SpoolError(`Job id '${id}' is not a safe folder name`);
    if (await isPublished(spoolDir, id)) return undefined;
    const tempDir = path.join(spoolDir, TEMP, `${id}.${process.pid}.${randomBytes(4).toString("hex")}`);
    try {
      await inFolder(path.join(spoolDir, TEMP), () => mkdir(tempDir));
    } catch (cause) {
      throw new SpoolError(`Cannot create job folder '${tempDir}': ${(cause as Error).message}`, { cause });
    }
    return new JobBuilder(spoolDir, id, tempDir);
  }

  /** Streams one document to disk, hashing as it goes; returns its safe file name. */
  async addDocument(fileName: string, contentType: string, content: AsyncIterable<Uint8Array>): Promise<JobDocument> {
    const safeName = safeDocumentName(fileName, this.#names);
    const file = path.join(this.#tempDir, safeName);
    const hash = createHash("sha256");
    let size = 0;
    let handle: FileHandle | undefined;
    try {
      handle = await open(file, "wx");
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
          await handle.writev(pending);
          pending = [];
          pendingBytes = 0;
        }
      }
      if (pending.length > 0) await handle.writev(pending);
      await handle.sync();
    } catch (cause) {
      throw new SpoolError(`Cannot write document '${file}': ${(cause as Error).message}`, { cause });
    } finally {
      await handle?.close();
    }
    const document = { fileName: safeName, contentType, size, sha256: hash.digest("hex") };
    this.#documents.push(document);
    return document;
  }

  get documents(): readonly JobDocument[] {
    return this.#documents;
  }

  /**
   * Writes job.json, makes everything durable and renames the job into place. With
   * `syncSpool: false` the rename itself is made durable later by the caller, with one
   * `syncSpool(spoolDir)` for a whole batch, which must come before the batch's messages are
   * deleted from the mailbox.
   */
  async commit(info: Omit<JobInfo, "id">, options: { syncSpool?: boolean } = {}): Promise<Job> {
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
      const meta = await open(path.join(this.#tempDir, "job.json"), "wx");
      try {
        await meta.writeFile(`${JSON.stringify(job, null, 2)}\n`);
        await meta.sync();
      } finally {
        await meta.close();
      }
      await syncPath(this.#tempDir);
      await rename(this.#tempDir, target);
      if (options.syncSpool !== false) await syncPath(this.#spoolDir);
      const ledger = path.join(this.#spoolDir, DONE);
      await inFolder(ledger, () => writeFile(path.join(ledger, this.#id), `${new Date().toISOString()}\n`));
    } catch (cause) {
      await this.abort();
      throw new SpoolError(`Cannot publish job '${target}': ${(cause as Error).message}`, { cause });
    }
    return job;
  }

  async abort(): Promise<void> {
    await rm(this.#tempDir, { recursive: true, force: true });
  }
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
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Makes the renames of jobs committed with `syncSpool: false` durable. */
export async function syncSpool(spoolDir: string): Promise<void> {
  await syncPath(spoolDir);
}

// Folders known to exist (the ledger, .tmp): made once per process rather than once per job,
// and made again when someone removed them meanwhile.
const folders = new Set<string>();

async function inFolder<T>(dir: string, operation: () => Promise<T>): Promise<T> {
  if (!folders.has(dir)) {
    await mkdir(dir, { recursive: true });
    folders.add(dir);
  }
  try {
    return await operation();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    await mkdir(dir, { recursive: true });
    return await operation();
  }
}

/** True when the job is in the spool or the ledger remembers it. */
export async function isPublished(spoolDir: string, id: string): Promise<boolean> {
  for (const candidate of [path.join(spoolDir, id), path.join(spoolDir, DONE, id)]) {
    try {
      await stat(candidate);
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    }
  }
  return false;
}
