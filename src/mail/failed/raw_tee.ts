import { open, unlink } from "node:fs/promises";
import type { FileHandle } from "node:fs/promises";
import * as path from "node:path";
import { FailedFolderError } from "./failed_folder_error.ts";
import { renameRetrying } from "../../shared/durable_file.ts";
import { DEFAULT_MODE, mkdirPrivate } from "../../shared/private_path.ts";
import { tempSuffix } from "../../shared/temp_suffix.ts";

/** A message up to this size is kept in memory; a larger one spills to a temp file as it arrives. */
export const TEE_MEMORY_LIMIT = 1024 * 1024;

/** Prefix of the temp files in the `Failed` folder; `purgeFailed` removes stale ones. */
export const TEE_PREFIX = ".incoming-";

/**
 * A copy of the raw message bytes taken while the message is parsed, so a message that cannot
 * become a job is saved exactly as received. Small messages stay in memory; from
 * {@link TEE_MEMORY_LIMIT} on, the bytes go to a temp file in the `Failed` folder (the same
 * file system, so saving is a rename). Never holds a large message whole.
 */
export class RawTee {
  readonly #dir: string;
  readonly #tempPath: string;
  #memory: Buffer[] = [];
  #memoryBytes = 0;
  #handle: FileHandle | undefined;
  #size = 0;

  constructor(dir: string, jobId: string) {
    this.#dir = dir;
    this.#tempPath = path.join(dir, `${TEE_PREFIX}${jobId}.${tempSuffix()}.tmp`);
  }

  /** Bytes seen so far. */
  get size(): number {
    return this.#size;
  }

  async write(chunk: Buffer): Promise<void> {
    this.#size += chunk.byteLength;
    if (this.#handle === undefined && this.#memoryBytes + chunk.byteLength <= TEE_MEMORY_LIMIT) {
      this.#memory.push(chunk);
      this.#memoryBytes += chunk.byteLength;
      return;
    }
    const handle = this.#handle ?? (await this.#spill());
    await this.#guard(() => writeAll(handle, chunk), "write");
  }

  /** Makes the copy durable under `target` (fsync, then rename: never a half file under that name). */
  async saveAs(target: string): Promise<void> {
    const handle = this.#handle ?? (await this.#spill());
    await this.#guard(async () => {
      await handle.sync();
      await handle.close();
      this.#handle = undefined;
      await renameRetrying(this.#tempPath, target);
    }, "save");
  }

  /** Drops the copy. */
  async discard(): Promise<void> {
    this.#memory = [];
    const handle = this.#handle;
    if (handle === undefined) return;
    this.#handle = undefined;
    await handle.close().catch(() => undefined);
    await unlink(this.#tempPath).catch(() => undefined);
  }

  async #spill(): Promise<FileHandle> {
    const handle = await this.#guard(async () => {
      await mkdirPrivate(this.#dir, { mode: DEFAULT_MODE });
      return await open(this.#tempPath, "wx");
    }, "create");
    this.#handle = handle;
    const memory = this.#memory;
    this.#memory = [];
    this.#memoryBytes = 0;
    for (const chunk of memory) await this.#guard(() => writeAll(handle, chunk), "write");
    return handle;
  }

  async #guard<T>(action: () => Promise<T>, what: string): Promise<T> {
    try {
      return await action();
    } catch (cause) {
      throw new FailedFolderError(
        `Cannot ${what} the raw message copy '${this.#tempPath}': ${(cause as Error).message}`,
        { cause },
      );
    }
  }
}

async function writeAll(handle: FileHandle, chunk: Buffer): Promise<void> {
  let offset = 0;
  while (offset < chunk.byteLength) {
    const { bytesWritten } = await handle.write(chunk, offset, chunk.byteLength - offset);
    offset += bytesWritten;
  }
}
