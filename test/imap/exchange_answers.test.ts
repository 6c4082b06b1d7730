import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { after, before, describe, test } from "node:test";
import { parseConfig } from "../../src/config/index.ts";
import { createImapFlow, IMAP_AUTH, ImapSession } from "../../src/imap/index.ts";
import { createLogger } from "../../src/log/index.ts";
import { startFakeExchangeImap } from "../servers/fake_exchange_imap.ts";
import type { FakeExchangeImap } from "../servers/fake_exchange_imap.ts";

describe("Exchange refusing an app-only token (fake Exchange responder)", () => {
  let dir = "";
  let imap: FakeExchangeImap;
  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "mps-logondenied-"));
    // What Exchange Online answers when the app's service principal has no rights on the mailbox.
    imap = await startFakeExchangeImap(
      dir,
      ({ verb }) => verb === "AUTHENTICATE" ? "NO AUTHENTICATE failed." : undefined,
    );
  });
  after(async () => {
    await imap.stop();
    await rm(dir, { recursive: true, force: true });
  });

  const sessionFor = (type: string) => {
    const config = parseConfig(
      `<mps><emailSources><add name="print" type="${type}" host="127.0.0.1" port="${imap.port}" caFile="${imap.caFile}"
        userName="print@contoso.com" /></emailSources><oauth><provider name="Microsoft" clientId="c" clientSecret="s" /></oauth></mps>`,
      path.join(dir, "mps.config"),
    );
    const source = config.emailSources[0];
    assert.ok(source !== undefined);
    const log = createLogger({ now: Date.now, level: "error", console: false });
    return new ImapSession({
      source,
      createClient: createImapFlow,
      getAuth: () => Promise.resolve({ user: source.userName, accessToken: "eyJ0eXAiOiJKV1QifQ.e30.c2ln" }),
      log: log.child("imap"),
      now: Date.now,
    });
  };

  test("an app-only source is told to register the service principal in Exchange, not to run mps login", async () => {
    const error = await sessionFor("ImapOAuthMicrosoftApp").open().then(() => undefined, (e: unknown) => e);
    assert.ok(error instanceof Error);
    assert.equal((error as { code?: string }).code, IMAP_AUTH);
    assert.match(error.message, /refused the login of 'print@contoso\.com': .*AUTHENTICATE failed/);
    const fix = (error as { fix?: string }).fix ?? "";
    assert.match(fix, /New-ServicePrincipal -AppId/);
    assert.match(fix, /Object ID of the Enterprise application/);
    assert.match(
      fix,
      /Add-MailboxPermission -Identity print@contoso\.com -User <that Object ID> -AccessRights FullAccess/,
    );
    assert.doesNotMatch(fix, /mps login/);
  });

  test("a delegated source gets the login fix for the same answer", async () => {
    const error = await sessionFor("ImapOAuthMicrosoft").open().then(() => undefined, (e: unknown) => e);
    assert.equal((error as { code?: string }).code, IMAP_AUTH);
    assert.match((error as { fix?: string }).fix ?? "", /mps login/);
  });
});
