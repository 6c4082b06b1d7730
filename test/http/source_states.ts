// Source states for the /health and /metrics tests, built the way the downloader loops build them.
import { createSourceState, recordCycle } from "../../src/status/index.ts";
import type { SourceState } from "../../src/status/index.ts";

export const NOW = Date.parse("2025-06-01T12:00:00.000Z");
export const MINUTE = 60_000;
export const DAY = 86_400_000;

/** A folder source polled every second that started `startedAgoMs` ago and has not run yet. */
export function freshFolder(name = "incoming", startedAgoMs = 500): SourceState {
  return createSourceState({ name, type: "folder", intervalMs: 1000, startedAt: NOW - startedAgoMs });
}

/** A Microsoft mailbox polled every minute whose last cycle ended `agoMs` ago with `exitCode`. */
export function mailbox(
  init: { name?: string; exitCode?: number; agoMs?: number; clientSecretExpiresAt?: number } = {},
): SourceState {
  const state = createSourceState({
    name: init.name ?? "print@contoso.com",
    type: "ImapOAuthMicrosoft",
    intervalMs: MINUTE,
    startedAt: NOW - 60 * MINUTE,
    oauth: { provider: "microsoft", username: "print@contoso.com", clientSecretExpiresAt: init.clientSecretExpiresAt },
  });
  const oauth = state.oauth!;
  oauth.accessTokenExpiresAt = NOW + 45 * MINUTE;
  oauth.refreshTokenIssuedAt = NOW - 2 * DAY;
  oauth.refreshes.set("success", 12);
  recordRun(state, init.exitCode ?? 0, NOW - (init.agoMs ?? 10_000), 0.8);
  return state;
}

/** Records a finished cycle as `runCycle` does. */
export function recordRun(state: SourceState, exitCode: number, at: number, seconds: number): void {
  recordCycle(state, exitCode, at, seconds);
  state.lastError = exitCode === 0 ? undefined : {
    code: "ERR_IMAP_CONNECT",
    message: "Cannot connect to outlook.office365.com:993: connection refused",
    fix: "Check the network and the host name in mps.config.",
  };
}

/** Several sources with failures, jobs, Failed messages, OAuth data and filled histograms. */
export function busyStates(): SourceState[] {
  const folder = freshFolder("incoming", 10 * MINUTE);
  for (let i = 0; i < 40; i++) recordRun(folder, 0, NOW - (40 - i) * 1000, 0.02 + i * 0.01);
  folder.jobs = 17;
  const failing = mailbox({ name: "scans@contoso.com", exitCode: 1, clientSecretExpiresAt: NOW + 12 * DAY });
  recordRun(failing, 0, NOW - 5 * MINUTE, 3.2);
  recordRun(failing, 1, NOW - 4 * MINUTE, 31);
  recordRun(failing, 1, NOW - MINUTE, 400);
  failing.jobs = 5;
  failing.failedMessages.set("NO_PRINTABLE_PART", 3);
  failing.failedMessages.set("SENDER_NOT_ALLOWED", 1);
  failing.oauth!.refreshes.set("failure", 2);
  const ok = mailbox({ name: "print@contoso.com" });
  ok.jobs = 120;
  ok.failedMessages.set("TOO_LARGE", 1);
  const loggedOut = mailbox({ name: "old@contoso.com", exitCode: 1 });
  loggedOut.oauth!.needsLogin = true;
  return [folder, failing, ok, loggedOut];
}
