import { readFile, writeFile } from "node:fs/promises";
import { setUpMailbox, USER } from "../helpers/mailbox_setup.ts";
import type { MailboxSetup } from "../helpers/mailbox_setup.ts";
import { startSubmission } from "../servers/index.ts";
import type { SubmissionServer } from "../servers/index.ts";

export { USER };

/** The IMAP mailbox, the authorization server and a real SMTP submission server delivering into the mailbox. */
export interface NotifyKit {
  readonly box: MailboxSetup;
  readonly smtp: SubmissionServer;
  /** A config with `<notifications>` (these attributes over the defaults) and `<localization>`. */
  writeConfig(options: {
    name: string;
    source?: string;
    notifications?: string;
    localization?: string;
    extra?: string;
  }): Promise<string>;
  /** Raw messages in `user`'s INBOX (replies the SMTP server delivered). */
  inbox(user: string): Promise<string[]>;
  dispose(): Promise<void>;
}

export async function setUpNotifyKit(): Promise<NotifyKit> {
  const box = await setUpMailbox();
  await box.storeLogin();
  const smtp = await startSubmission({ introspectionUrl: box.auth.introspectionUrl, mailbox: box.dovecot });
  return {
    box,
    smtp,
    async writeConfig(options) {
      const file = await box.writeConfig(options.source ?? "", options.name);
      const attributes = new Map<string, string>([
        ["from", USER],
        ["host", "localhost"],
        ["port", String(smtp.port)],
        ["secure", "starttls"],
        ["caFile", smtp.caFile],
        ["provider", "Local"],
        ["userName", USER],
      ]);
      for (const [, key = "", value = ""] of (options.notifications ?? "").matchAll(/(\w+)="([^"]*)"/g)) {
        attributes.set(key, value);
      }
      const element = `<notifications ${[...attributes].map(([key, value]) => `${key}="${value}"`).join(" ")} />`;
      const text = (await readFile(file, "utf8")).replace(
        "</mps>",
        `  ${element}\n  ${options.localization ?? '<localization language="en" default="en" />'}\n${
          options.extra ?? ""
        }</mps>`,
      );
      await writeFile(file, text);
      return file;
    },
    async inbox(user) {
      const client = await box.dovecot.connectAs(user);
      try {
        const opened = await client.mailboxOpen("INBOX", { readOnly: true }).catch(() => undefined);
        if (opened === undefined || opened.exists === 0) return [];
        const found: string[] = [];
        for await (const message of client.fetch("1:*", { source: true })) {
          found.push(message.source?.toString("utf8") ?? "");
        }
        return found;
      } finally {
        await client.logout();
      }
    },
    async dispose() {
      await smtp.dispose();
      await box.dispose();
    },
  };
}

/** A message with several attachments: `[fileName, contentType, content]`. */
export function messageWith(
  attachments: ReadonlyArray<readonly [string, string, string]>,
  options: { from?: string; subject?: string; messageId?: string; headers?: readonly string[] } = {},
): string {
  return [
    `From: ${options.from ?? "Alice <alice@example.test>"}`,
    `To: ${USER}`,
    `Subject: ${options.subject ?? "Please print"}`,
    `Message-ID: ${options.messageId ?? `<${Math.random().toString(36).slice(2)}@example.test>`}`,
    "Date: Fri, 27 Nov 2026 10:00:00 +0000",
    ...(options.headers ?? []),
    "MIME-Version: 1.0",
    'Content-Type: multipart/mixed; boundary="b1"',
    "",
    "--b1",
    "Content-Type: text/plain; charset=utf-8",
    "",
    "See attached.",
    ...attachments.flatMap(([name, type, content]) => [
      "--b1",
      `Content-Type: ${type}; name="${name}"`,
      `Content-Disposition: attachment; filename="${name}"`,
      "Content-Transfer-Encoding: base64",
      "",
      Buffer.from(content).toString("base64"),
    ]),
    "--b1--",
    "",
  ].join("\r\n");
}
