import { closeSync, fsync, open, openSync, writeSync, writev } from "node:fs";
import { promisify } from "node:util";

// The spool's hot path works on plain file descriptors, not FileHandles: a job is ~15 file
// operations, and each asynchronous one is a thread-pool round trip (a wake-up there and one
// back, measured as much of mps's system time). Operations that touch no disk and cannot wait
// long (closing a file already fsynced, opening a folder to fsync it, writing a few hundred
// bytes) are made in place; creating files, writing documents and fsync go to the thread pool.

/** Opens (e.g. creates) a file in the thread pool; resolves to its descriptor. */
export const openFile: (path: string, flags: string) => Promise<number> = promisify(open);

/** fsyncs a descriptor in the thread pool. */
export const fsyncFile: (fd: number) => Promise<void> = promisify(fsync);

// Not promisify(writev): Node resolves that with { bytesWritten, buffers }, Deno with the number.
function writevOnce(fd: number, buffers: Uint8Array[]): Promise<number> {
  return new Promise((resolve, reject) => {
    writev(fd, buffers, (error, bytesWritten) => (error ? reject(error) : resolve(bytesWritten)));
  });
}

/** Writes all of `buffers` at the descriptor's position, in the thread pool. */
export async function writeBuffers(fd: number, buffers: readonly Uint8Array[]): Promise<void> {
  const pending = buffers.filter((buffer) => buffer.byteLength > 0);
  while (pending.length > 0) {
    let written = await writevOnce(fd, pending);
    if (written <= 0) throw new Error(`Writing to file descriptor ${fd} wrote nothing`);
    // a short write (rare, e.g. a signal): continue where it stopped
    while (pending.length > 0 && written >= (pending[0]?.byteLength ?? 0)) written -= pending.shift()?.byteLength ?? 0;
    const first = pending[0];
    if (first !== undefined && written > 0) pending[0] = first.subarray(written);
  }
}

/** Writes a few bytes in place (a job.json, a ledger line): cheaper than a round trip. */
export function writeSmall(fd: number, bytes: Uint8Array): void {
  for (let offset = 0; offset < bytes.byteLength;) offset += writeSync(fd, bytes, offset);
}

/** Opens a folder (or file) for reading, in place: a lookup, no disk access. */
export function openForSync(path: string): number {
  return openSync(path, "r");
}

export function closeFile(fd: number): void {
  closeSync(fd);
}
