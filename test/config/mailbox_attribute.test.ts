import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { parseConfig } from "../../src/config/index.ts";

const config = (attributes: string) =>
  parseConfig(
    `<mps><emailSources><add ${attributes} host="outlook.office365.com" /></emailSources>
     <oauth><provider name="Microsoft" clientId="c" /></oauth></mps>`,
    "/etc/mps/mps.config",
  );

describe('mailbox="…": a shared mailbox opened with the delegate\'s sign-in', () => {
  test("a source without a name is named after the shared mailbox", () => {
    const source = config(`type="ImapOAuthMicrosoft" userName="anna@contoso.com" mailbox=" print@contoso.com "`)
      .emailSources[0];
    assert.equal(source?.name, "print@contoso.com");
    assert.equal(source?.mailbox, "print@contoso.com");
    assert.equal(source?.userName, "anna@contoso.com");
  });

  test("a source without mailbox opens userName's own mailbox", () => {
    const source = config(`type="ImapOAuthMicrosoft" userName="print@contoso.com"`).emailSources[0];
    assert.equal(source?.mailbox, undefined);
    assert.equal(source?.name, "print@contoso.com");
  });

  test("a password source warns that mailbox is not used", () => {
    const loaded = config(`type="Imap" userName="print" password="x" mailbox="team@contoso.com"`);
    assert.equal(loaded.emailSources[0]?.mailbox, undefined);
    assert.ok(loaded.warnings.some((warning) => /attribute 'mailbox' is used by OAuth sources only/.test(warning)));
  });
});
