import type { EmailSource } from "../config/index.ts";
import { IMAP_FOLDER, ImapSession, toImapError } from "../imap/index.ts";
import type { ImapAuth, ImapClientFactory } from "../imap/index.ts";
import type { ComponentLogger } from "../log/index.ts";
import type { Proxies } from "../shared/proxy.ts";
import { MpsError } from "../shared/errors.ts";
import { blockedBy, failFrom, pass } from "./check_result.ts";
import type { CheckResult } from "./check_result.ts";
import { checkMailboxRights } from "./mailbox_rights.ts";

export interface ImapCheckOptions {
  readonly createClient: ImapClientFactory;
  readonly now: () => number;
  readonly noWrite: boolean;
  readonly proxies?: Proxies | undefined;
}

/** A quiet logger that remembers the last command the server refused (imapflow only logs those). */
function refusalLogger(): { log: ComponentLogger; last: () => string } {
  let last = "";
  const note = (_message: string, fields?: Record<string, unknown>) => {
    const err = fields?.["err"] as { responseText?: unknown; message?: unknown } | undefined;
    if (err === undefined) return;
    const text = typeof err.responseText === "string" && err.responseText !== "" ? err.responseText : err.message;
    if (typeof text === "string") last = text;
  };
  const log: ComponentLogger = {
    component: "doctor/imap",
    error: note,
    warn: note,
    info: note,
    debug: note,
    child: () => log,
  };
  return { log, last: () => last };
}

/**
 * `imap.login` and `mailbox.rights` through the same `ImapSession` `mps run` uses: connect, sign
 * in, one more command (NAMESPACE: Exchange accepts a login and refuses the next command), select
 * the folder; then the rights test on that connection.
 */
export async function checkImap(
  source: EmailSource,
  auth: ImapAuth,
  prerequisites: readonly CheckResult[],
  options: ImapCheckOptions,
): Promise<[CheckResult, CheckResult]> {
  const login = blockedBy("imap.login", source.name, ...prerequisites);
  if (login !== undefined) return [login, blockedBy("mailbox.rights", source.name, login) ?? login];
  const refusals = refusalLogger();
  // No IDLE: doctor leaves right after the test.
  const session = new ImapSession({
    source: { ...source, idle: false },
    createClient: options.createClient,
    getAuth: () => Promise.resolve(auth),
    log: refusals.log,
    now: options.now,
    proxies: options.proxies,
  });
  const where = `${source.host}:${source.port}`;
  const signedIn = pass(
    "imap.login",
    source.name,
    `Signed in to ${where} as '${source.userName}' (${auth.accessToken === undefined ? "password" : "OAuth"})${
      auth.user === source.userName ? "" : ` to the shared mailbox '${auth.user}'`
    } and the server answered the next command (NAMESPACE)`,
  );
  try {
    let client;
    try {
      client = await session.open();
    } catch (error) {
      if (error instanceof MpsError && error.code === IMAP_FOLDER) {
        return [signedIn, failFrom("mailbox.rights", source.name, error, { step: "select" })];
      }
      const failed = failFrom("imap.login", source.name, error);
      return [failed, blockedBy("mailbox.rights", source.name, failed) ?? failed];
    }
    const rights = await checkMailboxRights(client, {
      source: source.name,
      target: session.target,
      noWrite: options.noWrite,
      now: options.now,
      lastRefusal: refusals.last,
    }).catch((error: unknown) => failFrom("mailbox.rights", source.name, toImapError(error, session.target)));
    return [signedIn, rights];
  } finally {
    await session.close();
  }
}
