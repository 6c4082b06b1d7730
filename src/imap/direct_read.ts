import type { Writable } from "node:stream";

/** What `tls.connect()` takes as `onread`. */
export interface DirectRead {
  readonly buffer: Uint8Array;
  readonly callback: (this: unknown, bytes: number, buffer: Uint8Array) => boolean;
}

// Dovecot sends TLS records of ~4 KiB: 68,000 of them per 280 MB. Node hands each to the client
// as a new Buffer pushed through the socket's Readable and a pipe: 12 µs of CPU per record,
// about a fifth of a drain's. Read into one buffer (`onread`) and written to the parser
// directly, a record costs half that.
const READ_BUFFER = 64 * 1024;

/**
 * A TLS socket's `onread`: each read is copied out of the one read buffer and written straight
 * into `target()` (imapflow's response parser, looked up at the first read), instead of through the socket's stream and a
 * pipe; the socket pauses while the parser is full and resumes when it drains, as a pipe does.
 * Node ignores `onread` for TLS over an existing socket (STARTTLS, a proxy tunnel): those keep
 * the pipe. The caller must keep the session uncompressed: COMPRESS puts an inflater between
 * socket and parser, which this would skip.
 */
export function directRead(target: () => Writable | undefined): DirectRead {
  // looked up once, at the first read: the parser lives as long as the client
  let found: Writable | undefined;
  return {
    buffer: Buffer.allocUnsafe(READ_BUFFER),
    callback(this: unknown, bytes: number, buffer: Uint8Array): boolean {
      const parser = found ??= target();
      if (parser === undefined || parser.destroyed || parser.writableEnded) return true;
      // a copy: the read buffer is reused for the next record
      if (parser.write(Buffer.from(buffer.subarray(0, bytes)))) return true;
      const socket = this as { resume?: () => void } | undefined;
      parser.once("drain", () => socket?.resume?.());
      return false;
    },
  };
}
