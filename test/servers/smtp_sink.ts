import { createServer } from "node:net";
import type { Socket } from "node:net";

export type SinkMessage = { from: string; to: string[]; raw: Buffer };

export type SmtpSink = {
  port: number;
  /** Every message accepted so far, in order. */
  messages: SinkMessage[];
  close(): Promise<void>;
};

/**
 * The next hop of the test SMTP server: a small SMTP receiver (EHLO, MAIL, RCPT, DATA, RSET,
 * NOOP, QUIT; no TLS, no auth) that hands each message to `deliver` before it answers 250,
 * so a message it accepted is already in the mailbox the test reads.
 */
export async function startSmtpSink(deliver: (message: SinkMessage) => Promise<void>): Promise<SmtpSink> {
  const messages: SinkMessage[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => undefined);
    let buffer = Buffer.alloc(0);
    let data: Buffer[] | undefined;
    let from = "";
    let to: string[] = [];
    let busy = Promise.resolve();
    const reply = (line: string) => socket.write(`${line}\r\n`);
    reply("220 mps-test-sink ESMTP");
    socket.on("data", (chunk: Buffer) => {
      buffer = Buffer.concat([buffer, chunk]);
      busy = busy.then(async () => {
        for (;;) {
          const end = buffer.indexOf("\r\n");
          if (end < 0) return;
          const line = buffer.subarray(0, end).toString("latin1");
          buffer = buffer.subarray(end + 2);
          if (data !== undefined) {
            if (line === ".") {
              const raw = Buffer.concat(data);
              data = undefined;
              const message = { from, to, raw };
              try {
                await deliver(message);
                messages.push(message);
                reply("250 2.0.0 delivered");
              } catch (error) {
                reply(`451 4.3.0 cannot deliver: ${(error as Error).message.replace(/\s+/g, " ")}`);
              }
            } else {
              data.push(Buffer.from(`${line.startsWith(".") ? line.slice(1) : line}\r\n`, "latin1"));
            }
            continue;
          }
          const verb = line.slice(0, 4).toUpperCase();
          if (verb === "EHLO") reply("250-mps-test-sink\r\n250 8BITMIME");
          else if (verb === "HELO" || verb === "NOOP") reply("250 ok");
          else if (verb === "MAIL") {
            from = /<([^>]*)>/.exec(line)?.[1] ?? "";
            to = [];
            reply("250 2.1.0 ok");
          } else if (verb === "RCPT") {
            to.push(/<([^>]*)>/.exec(line)?.[1] ?? "");
            reply("250 2.1.5 ok");
          } else if (verb === "DATA") {
            data = [];
            reply("354 go ahead");
          } else if (verb === "RSET") {
            from = "";
            to = [];
            reply("250 ok");
          } else if (verb === "QUIT") {
            reply("221 bye");
            socket.end();
          } else reply("502 5.5.2 not implemented");
        }
      });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("the SMTP sink has no TCP address");
  return {
    port: address.port,
    messages,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
