import type { Config, EmailSource } from "../config/index.ts";
import { createImapFlow, ImapSession, imapUser } from "../imap/index.ts";
import type { ImapAuth, ImapClientFactory } from "../imap/index.ts";
import type { Logger } from "../log/index.ts";
// Not through notify/index.ts: that would load the SMTP client into every run, replies or not.
import { jobDocuments } from "../notify/job_documents.ts";
import type { Notifier } from "../notify/index.ts";
import type { TokenService } from "../oauth/index.ts";
import type { Proxies } from "../shared/proxy.ts";
import { DAY_MS, HOUR_MS } from "../shared/time.ts";
import { createEmailCycle } from "./email_source.ts";
import { createFolderCycle } from "./folder_source.ts";
import { createNudge } from "./nudge.ts";
import type { Nudge } from "./nudge.ts";
import { createSourceState } from "../status/index.ts";
import type { SourceState } from "../status/index.ts";

/** One source: its state, its cycle, and what ends its waits early. */
export interface Runner {
  readonly state: SourceState;
  readonly cycle: () => Promise<number>;
  readonly nudge: Nudge;
  /** Closes connections the runner keeps open between cycles. */
  readonly close: () => Promise<void>;
}

export interface RunnerDeps {
  readonly config: Config;
  readonly log: Logger;
  readonly now: () => number;
  readonly shutdown: AbortSignal;
  readonly tokens: TokenService;
  /** Replies to senders, when `<notifications>` is configured. */
  readonly notifier?: Notifier | undefined;
  /** Called after each published job (the printing stage delivers it). */
  readonly onJob?: () => void;
  readonly createClient?: ImapClientFactory;
  /** The HTTP proxy settings IMAP connections follow. */
  readonly proxies?: Proxies | undefined;
}

/** Builds the runner of every source in the config, folder sources first. */
export function createRunners(deps: RunnerDeps): Runner[] {
  const { config, log, now } = deps;
  const runners: Runner[] = [];
  for (const source of config.folderSources) {
    const state = createSourceState({
      name: source.name,
      type: "folder",
      intervalMs: source.downloadIntervalMs,
      startedAt: now(),
    });
    const cycle = createFolderCycle(source, {
      spoolDir: config.spool.folder,
      now,
      log: log.child(`downloader/${source.name}`),
      onJob: () => {
        state.jobs += 1;
        deps.onJob?.();
      },
    });
    runners.push({ state, cycle, nudge: createNudge(), close: async () => {} });
  }
  for (const source of config.emailSources) runners.push(emailRunner(source, deps));
  return runners;
}

function emailRunner(source: EmailSource, deps: RunnerDeps): Runner {
  const { config, log, now, tokens } = deps;
  const state = createSourceState({
    name: source.name,
    type: source.type,
    intervalMs: source.pollIntervalMs,
    startedAt: now(),
    ...(source.provider === undefined ? {} : {
      oauth: {
        provider: source.provider,
        username: source.userName,
        clientSecretExpiresAt: source.providerConfig?.clientSecretExpiresAt,
      },
    }),
  });
  const sourceLog = log.child(`downloader/${source.name}`);
  const nudge = createNudge();
  let lastKeepAlive = 0;

  if (state.oauth !== undefined) tokens.track(source.name, state.oauth);

  const getAuth = async (): Promise<ImapAuth> => {
    if (source.signIn === "password") return { user: source.userName, pass: source.password };
    const token = await tokens.getAccessToken(source);
    return { user: imapUser(source), accessToken: token.accessToken, expiresAt: token.expiresAt };
  };

  const session = new ImapSession({
    source,
    createClient: createImapFlow,
    getAuth,
    log: sourceLog.child("imap"),
    now,
    onNewMail: () => nudge.nudge(),
    proxies: deps.proxies,
  });
  const download = createEmailCycle(source, {
    session,
    spoolDir: config.spool.folder,
    failedDir: config.failedFiles.folder,
    failedMaxAgeSeconds: config.failedFiles.maxAgeSeconds,
    now,
    log: sourceLog,
    shutdown: deps.shutdown,
    onJob: (made) => {
      state.jobs += 1;
      deps.onJob?.();
      deps.notifier?.jobAccepted({
        source,
        jobId: made.jobId,
        receivedAt: made.receivedAt.toISOString(),
        headers: made.headers,
        documents: jobDocuments(made.job.documents, made.skipped),
        // a job that goes on to a printer is answered once the printer took (or refused) it
        awaitDelivery: source.printer !== undefined &&
          config.printers.some((printer) => printer.name === source.printer),
      });
    },
    onFailed: (reason, failed) => {
      state.failedMessages.set(reason, (state.failedMessages.get(reason) ?? 0) + 1);
      deps.notifier?.messageRefused({
        source,
        jobId: failed.jobId,
        receivedAt: failed.receivedAt.toISOString(),
        headers: failed.headers,
        reason,
      });
    },
  });

  const cycle = async () => {
    const code = await download();
    // A mailbox nobody writes to still needs its refresh token used now and then, or the
    // provider expires it after 90 days of inactivity.
    if (source.signIn === "delegated" && now() - lastKeepAlive > HOUR_MS) {
      lastKeepAlive = now();
      if (await tokens.refreshIfOlderThan(source, config.oauth.refreshEveryDays * DAY_MS)) {
        sourceLog.info("refreshed the stored token to keep it alive", { everyDays: config.oauth.refreshEveryDays });
      }
    }
    return code;
  };
  return { state, cycle, nudge, close: () => session.close() };
}
