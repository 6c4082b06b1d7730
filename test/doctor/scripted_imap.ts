// A few lines of IMAP that Dovecot cannot be made to say: Exchange Online's answer for a mailbox
// with IMAP disabled. It greets, accepts any AUTHENTICATE, and answers NAMESPACE (and every
// later command) with `BAD User is authenticated but not connected.`, as Exchange does.
import { readFile } from "node:fs/promises";
import type { AddressInfo, Socket } from "node:net";
import { createServer } from "node:tls";
import type { Server } from "node:tls";
import { makeTestCerts } from "../servers/index.ts";

export interface ScriptedImap {
  /** IMAPS (implicit TLS) on 127.0.0.1. */
  readonly port: number;
  /** The CA of its certificate (for localhost and 127.0.0.1). */
  readonly caFile: string;
  /** Every command line received (tag removed), e.g. `AUTHENTICATE XOAUTH2 …`, `NAMESPACE`. */
  readonly commands: string[];
  stop(): Promise<void>;
}

const CAPABILITIES = "IMAP4rev1 AUTH=XOAUTH2 SASL-IR NAMESPACE UIDPLUS";
const NOT_CONNECTED = "BAD User is authenticated but not connected.";

/** Starts the responder with a certificate made in `dir`. */
export async function startNotConnectedImap(dir: string): Promise<ScriptedImap> {
  const certs = await makeTestCerts(dir, { days: 90 });
  const commands: string[] = [];
  const sockets = new Set<Socket>();
  const tlsOptions = { key: await readFile(certs.keyFile), cert: await readFile(certs.certFile) };
  const server: Server = createServer(tlsOptions, (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => socket.destroy());
    const send = (line: string) => socket.write(`${line}\r\n`);
    let pendingAuth: string | undefined; // tag of an AUTHENTICATE waiting for its SASL response
    let buffer = "";
    send(`* OK [CAPABILITY ${CAPABILITIES}] The Microsoft Exchange IMAP4 service is ready.`);
    socket.setEncoding("utf8").on("data", (chunk: string) => {
      buffer += chunk;
      for (let end = buffer.indexOf("\r\n"); end >= 0; end = buffer.indexOf("\r\n")) {
        const line = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        if (pendingAuth !== undefined) {
          send(`${pendingAuth} OK AUTHENTICATE completed.`);
          pendingAuth = undefined;
          continue;
        }
        const [tag = "*", verb = "", ...rest] = line.split(" ");
        commands.push([verb, ...rest].join(" "));
        switch (verb.toUpperCase()) {
          case "CAPABILITY":
            send(`* CAPABILITY ${CAPABILITIES}`);
            send(`${tag} OK CAPABILITY completed.`);
            break;
          case "AUTHENTICATE":
            if (rest.length >= 2) send(`${tag} OK AUTHENTICATE completed.`);
            else {
              pendingAuth = tag;
              send("+ ");
            }
            break;
          case "LOGOUT":
            send("* BYE Microsoft Exchange Server IMAP4 server signing off.");
            send(`${tag} OK LOGOUT completed.`);
            socket.end();
            break;
          default:
            send(`${tag} ${NOT_CONNECTED}`);
        }
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    port: (server.address() as AddressInfo).port,
    caFile: certs.caFile,
    commands,
    stop: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
