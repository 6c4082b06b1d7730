import { randomUUID } from "node:crypto";
import type { ImapFlow } from "imapflow";
import { ImapError, MailboxRightsError } from "../imap/index.ts";
import type { ImapTarget } from "../imap/index.ts";
import { DOCTOR_TEST_HEADER } from "../shared/doctor_test_header.ts";
import { failFrom, pass, warn } from "./check_result.ts";
import type { CheckResult } from "./check_result.ts";
import { WARN_NO_UIDPLUS } from "./errors.ts";

export interface MailboxRightsOptions {
  readonly source: string;
  readonly target: ImapTarget;
  readonly noWrite: boolean;
  readonly now: () => number;
  /** The last answer the server refused a command with (imapflow reports refusals as `false`). */
  readonly lastRefusal: () => string;
}

/** The test message: text only, with the header that keeps `mps run` from printing it. */
function testMessage(to: string, token: string, date: Date): { raw: string; subject: string; messageId: string } {
  const subject = `mps doctor test ${token}`;
  const messageId = `<${token}@mps-doctor.invalid>`;
  const raw = [
    "From: mps doctor <mps-doctor@mps-doctor.invalid>",
    `To: ${to}`,
    `Subject: ${subject}`,
    `Message-ID: ${messageId}`,
    `Date: ${date.toUTCString()}`,
    `${DOCTOR_TEST_HEADER}: test`,
    "MIME-Version: 1.0",
    "Content-Type: text/plain; charset=utf-8",
    "",
    "'mps doctor' added this message to test the rights on this mailbox and deletes it at once.",
    "If you can read it, the delete step failed: delete it.",
    "",
  ].join("\r\n");
  return { raw, subject, messageId };
}

/** Thrown by a step: which right was missing and what the server said. */
function refused(options: MailboxRightsOptions, what: string, cause?: unknown): ImapError {
  if (cause instanceof ImapError) return cause;
  const said = cause === undefined
    ? options.lastRefusal()
    : String((cause as { responseText?: unknown }).responseText ?? (cause as Error).message ?? cause);
  return new MailboxRightsError(
    options.target,
    what,
    said || "the server refused the command",
    cause ?? new Error(`${what} refused`),
  );
}

/**
 * `mailbox.rights`, the old "test connection", on a client whose folder is selected: append a
 * message of its own, flag it, delete and expunge it by UID, and check that it is gone, so the
 * mailbox is left as it was found. With `noWrite`: set and clear \Flagged on an existing message.
 */
export async function checkMailboxRights(client: ImapFlow, options: MailboxRightsOptions): Promise<CheckResult> {
  const id = "mailbox.rights";
  const { target } = options;
  const folder = target.folder;
  const mailbox = client.mailbox;
  if (mailbox === false || mailbox.readOnly === true) {
    return failFrom(
      id,
      options.source,
      new MailboxRightsError(
        target,
        "change messages",
        "the folder opens read-only ([READ-ONLY])",
        new Error("read-only"),
      ),
    );
  }
  if (options.noWrite) return await flagExisting(client, options);
  const message = testMessage(target.userName, randomUUID(), new Date(options.now()));
  let uid: number | undefined;
  let step = "append messages";
  try {
    const appended = await client.append(folder, message.raw, ["\\Seen"]).catch((error: unknown) => {
      throw refused(options, step, error);
    });
    if (appended === false) throw refused(options, step);
    uid = appended.uid ??
      (await client.search({ header: { "message-id": message.messageId } }, { uid: true }) || [])[0];
    if (uid === undefined) throw refused(options, step, new Error("the appended message cannot be found"));
    step = "flag messages";
    if (!(await client.messageFlagsAdd(String(uid), ["\\Flagged"], { uid: true }))) throw refused(options, step);
    const fetched = await client.fetchOne(String(uid), { flags: true }, { uid: true });
    if (fetched === false || fetched.flags?.has("\\Flagged") !== true) {
      throw refused(options, step, new Error("the \\Flagged flag was not kept"));
    }
    step = "delete messages";
    if (!client.capabilities.has("UIDPLUS")) {
      // A plain EXPUNGE would also remove other messages marked \Deleted: leave that to their owner.
      await client.messageFlagsAdd(String(uid), ["\\Deleted"], { uid: true });
      return warn(
        id,
        options.source,
        WARN_NO_UIDPLUS,
        `Appended and flagged a test message in folder '${folder}', but the server lacks UIDPLUS, so it was marked \\Deleted and not expunged`,
        `Nothing to fix in mps; the test message '${message.subject}' goes at the mailbox's next expunge (or delete it by hand).`,
        { testMessage: message.subject },
      );
    }
    if (!(await client.messageDelete(String(uid), { uid: true }))) throw refused(options, step);
    const left = await client.search({ uid: String(uid) }, { uid: true });
    if (left !== undefined && left !== false && left.length > 0) {
      throw refused(options, step, new Error("the message is still there after UID EXPUNGE"));
    }
    uid = undefined;
    return pass(
      id,
      options.source,
      `Folder '${folder}' opens read-write; appended, flagged, deleted and expunged a test message of its own: the account may read, flag and delete`,
      { testMessage: message.subject, steps: ["select", "append", "flag", "delete", "expunge"] },
    );
  } catch (error) {
    let leftBehind = false;
    if (uid !== undefined) leftBehind = !(await client.messageDelete(String(uid), { uid: true }).catch(() => false));
    return failFrom(id, options.source, refused(options, step, error), {
      step,
      testMessage: message.subject,
      ...(leftBehind
        ? { leftBehind: `the test message '${message.subject}' could not be removed: delete it by hand` }
        : {}),
    });
  }
}

async function flagExisting(client: ImapFlow, options: MailboxRightsOptions): Promise<CheckResult> {
  const id = "mailbox.rights";
  const folder = options.target.folder;
  const uids = await client.search({ all: true }, { uid: true });
  const uid = uids === undefined || uids === false ? undefined : uids[uids.length - 1];
  if (uid === undefined) {
    return pass(
      id,
      options.source,
      `Folder '${folder}' opens read-write; it is empty, so flagging was not tried; append and delete not tried (--no-write)`,
      { steps: ["select"] },
    );
  }
  const fetched = await client.fetchOne(String(uid), { flags: true }, { uid: true });
  const had = fetched !== false && fetched.flags?.has("\\Flagged") === true;
  const toggle = async (add: boolean) =>
    add
      ? await client.messageFlagsAdd(String(uid), ["\\Flagged"], { uid: true })
      : await client.messageFlagsRemove(String(uid), ["\\Flagged"], { uid: true });
  // Toggle, then restore: the message ends with the flags it had.
  if (!(await toggle(!had)) || !(await toggle(had))) {
    return failFrom(id, options.source, refused(options, "flag messages"), { step: "flag messages", uid });
  }
  return pass(
    id,
    options.source,
    `Folder '${folder}' opens read-write; set and cleared \\Flagged on message UID ${uid}; append and delete not tried (--no-write)`,
    { steps: ["select", "flag"], uid },
  );
}
