import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { after, before, test } from "node:test";
import { startMps } from "../helpers/mps_process.ts";
import { startAuthServer } from "../servers/index.ts";
import type { AuthServer } from "../servers/index.ts";

let auth: AuthServer;
let dir: string;
before(async () => {
  auth = await startAuthServer();
  dir = await mkdtemp(path.join(tmpdir(), "mps-login-scope-"));
});
after(async () => {
  await auth.stop();
  await rm(dir, { recursive: true, force: true });
});

async function scopesAskedFor(name: string, notifications: string): Promise<string[]> {
  const config = path.join(dir, name);
  await writeFile(
    config,
    `<mps version="6">
  <oauth storage="oauth-storage" keyFile="mps.key">
    <provider name="Microsoft" authority="${auth.issuer}" clientId="${auth.clientId}" />
  </oauth>
  ${notifications}
  <log file="${name}.log" />
</mps>
`,
  );
  const mps = startMps(["login", "microsoft", "print@contoso.com", "--no-browser", "--config", config]);
  try {
    const [line = ""] = await mps.waitFor("stdout", /^https?:\/\/\S+$/m, 30_000);
    return (new URL(line).searchParams.get("scope") ?? "").split(" ");
  } finally {
    mps.kill();
    await mps.exited;
  }
}

test("with delegated Microsoft replies, mps login asks for SMTP.Send beside IMAP; without them it does not", async () => {
  const withReplies = await scopesAskedFor(
    "replies.config",
    `<notifications from="print@contoso.com" host="smtp.office365.com" provider="Microsoft" />`,
  );
  assert.ok(withReplies.includes("https://outlook.office.com/SMTP.Send"), withReplies.join(" "));
  assert.ok(withReplies.includes("https://outlook.office.com/IMAP.AccessAsUser.All"), withReplies.join(" "));
  assert.ok(withReplies.includes("offline_access"));
  const without = await scopesAskedFor("plain.config", "");
  assert.ok(!without.includes("https://outlook.office.com/SMTP.Send"), without.join(" "));
  assert.ok(without.includes("https://outlook.office.com/IMAP.AccessAsUser.All"));
});
