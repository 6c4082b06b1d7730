// A fake: Exchange Online's throttling answers cannot be provoked from Dovecot, so this small
// IMAPS responder says them on cue. Otherwise it serves one empty INBOX to any login, with the
// capabilities Outlook announces (XOAUTH2, no OAUTHBEARER), and records what it was asked.
import { readFile } from "node:fs/promises";
import type { AddressInfo, Socket } from "node:net";
import { createServer } from "node:tls";
import type { Server } from "node:tls";
import { makeTestCerts } from "./test_certs.ts";

/** What to answer instead of the normal reply: a tagged status (`BAD …`, `NO …`) or an untagged `* BYE …`. */
export type FakeExchangeScript = (at: { connection: number; verb: string }) => string | undefined;

export interface FakeExchangeCommand {
  readonly connection: number;
  readonly verb: string;
  /** Arguments as sent (a SASL response or password is replaced by `…`). */
  readonly args: string;
  readonly at: number;
}

export interface FakeExchangeImap {
  readonly port: number;
  readonly caFile: string;
  readonly commands: FakeExchangeCommand[];
  /** When each scripted answer was sent (ms), in order. */
  readonly scriptedAt: number[];
  connections(): number;
  stop(): Promise<void>;
}

const CAPABILITIES = "IMAP4 IMAP4rev1 AUTH=PLAIN AUTH=XOAUTH2 SASL-IR UIDPLUS MOVE ID UNSELECT CHILDREN IDLE NAMESPACE";

/** Starts the fake on 127.0.0.1 with a certificate made in `dir`. */
export async function startFakeExchangeImap(dir: string, script: FakeExchangeScript): Promise<FakeExchangeImap> {
  const certs = await makeTestCerts(dir, { days: 30 });
  const commands: FakeExchangeCommand[] = [];
  const scriptedAt: number[] = [];
  const sockets = new Set<Socket>();
  let count = 0;
  const tlsOptions = { key: await readFile(certs.keyFile), cert: await readFile(certs.certFile) };
  const server: Server = createServer(tlsOptions, (socket) => {
    const connection = ++count;
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => socket.destroy());
    const send = (line: string): void => void socket.write(`${line}\r\n`);
    let pendingAuth: string | undefined;
    let buffer = "";
    send(`* OK The Microsoft Exchange IMAP4 service is ready. [fake]`);
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
        const [tag = "*", rawVerb = "", ...rest] = line.split(" ");
        const verb = rawVerb.toUpperCase() === "UID" ? `UID ${(rest[0] ?? "").toUpperCase()}` : rawVerb.toUpperCase();
        const secret = verb === "LOGIN" || verb === "AUTHENTICATE";
        commands.push({ connection, verb, args: secret ? `${rest[0] ?? ""} …` : rest.join(" "), at: Date.now() });
        const scripted = script({ connection, verb });
        if (scripted !== undefined) {
          scriptedAt.push(Date.now());
          if (scripted.startsWith("* BYE")) {
            send(scripted);
            socket.end();
          } else send(`${tag} ${scripted}`);
          continue;
        }
        answer(tag, verb, rest);
      }
    });

    function answer(tag: string, verb: string, rest: string[]): void {
      switch (verb) {
        case "CAPABILITY":
          send(`* CAPABILITY ${CAPABILITIES}`);
          return send(`${tag} OK CAPABILITY completed.`);
        case "AUTHENTICATE":
          if (rest.length >= 2) return send(`${tag} OK AUTHENTICATE completed.`);
          pendingAuth = tag;
          return send("+ ");
        case "LOGIN":
          return send(`${tag} OK LOGIN completed.`);
        case "ID":
          send(`* ID NIL`);
          return send(`${tag} OK ID completed.`);
        case "NAMESPACE":
          send(`* NAMESPACE (("" "/")) NIL NIL`);
          return send(`${tag} OK NAMESPACE completed.`);
        case "LIST":
          send(`* LIST (\\HasNoChildren) "/" INBOX`);
          return send(`${tag} OK LIST completed.`);
        case "SELECT":
        case "EXAMINE":
          send("* 0 EXISTS");
          send("* 0 RECENT");
          send("* FLAGS (\\Seen \\Answered \\Flagged \\Deleted \\Draft $MDNSent)");
          send("* OK [PERMANENTFLAGS (\\Seen \\Answered \\Flagged \\Deleted \\Draft $MDNSent)] Permanent flags");
          send("* OK [UIDVALIDITY 14] UIDVALIDITY value");
          send("* OK [UIDNEXT 1] The next unique identifier value");
          return send(`${tag} OK [READ-WRITE] ${verb} completed.`);
        case "UID SEARCH":
        case "SEARCH":
          send("* SEARCH");
          return send(`${tag} OK SEARCH completed.`);
        case "NOOP":
          return send(`${tag} OK NOOP completed.`);
        case "LOGOUT":
          send("* BYE Microsoft Exchange Server IMAP4 server signing off.");
          send(`${tag} OK LOGOUT completed.`);
          socket.end();
          return;
        default:
          return send(`${tag} BAD Command Error. 12`);
      }
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    port: (server.address() as AddressInfo).port,
    caFile: certs.caFile,
    commands,
    scriptedAt,
    connections: () => count,
    stop: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
