import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { openTokenStore } from "../../src/storage/index.ts";
import { scriptedLogin, startAuthServer, startDovecot } from "../servers/index.ts";
import type { AuthServer, DovecotOptions, DovecotServer } from "../servers/index.ts";
import { mpsConfigXml } from "./mps_config_xml.ts";

export const USER = "print@example.test";

export interface MailboxSetup {
  readonly dir: string;
  readonly auth: AuthServer;
  readonly dovecot: DovecotServer;
  /**
   * Writes a config whose one email source has these extra attributes (`type` replaces the
   * default `ImapOAuth`); returns its path.
   */
  writeConfig(sourceAttributes?: string, name?: string, extraXml?: string): Promise<string>;
  /**
   * Signs the user in with the auth server and stores the tokens as `mps login` would;
   * `refreshedAt` backdates when the refresh token was last used.
   */
  storeLogin(user?: string, options?: { refreshedAt?: number }): Promise<void>;
  jobs(): Promise<string[]>;
  job(id: string): Promise<JobJson>;
  failed(): Promise<string[]>;
  /** The log of the config written under this name. */
  log(configName?: string): Promise<string>;
  dispose(): Promise<void>;
}

export interface JobJson {
  id: string;
  source: string;
  owner: string;
  subject: string;
  messageId: string;
  documents: Array<{ fileName: string; contentType: string; size: number; sha256: string }>;
}

/** A private Dovecot checking tokens with a local authorization server, and a temp mps folder. */
export async function setUpMailbox(
  options: { dovecot?: DovecotOptions; accessTokenLifetime?: number } = {},
): Promise<MailboxSetup> {
  const dir = await mkdtemp(path.join(tmpdir(), "mps-mail-"));
  const auth = await startAuthServer({ accessTokenLifetime: options.accessTokenLifetime ?? 3600 });
  const dovecot = await startDovecot({ introspectionUrl: auth.introspectionUrl, ...options.dovecot });
  const env = {};
  const store = openTokenStore({
    storageDir: path.join(dir, "oauth-storage"),
    keyFile: path.join(dir, "mps.key"),
    env,
    now: Date.now,
  });
  return {
    dir,
    auth,
    dovecot,
    async writeConfig(sourceAttributes = "", name = "mps.config", extraXml = "") {
      const file = path.join(dir, name);
      // XML keeps the first of two equal attributes, so overrides replace the defaults here.
      const attributes = new Map<string, string>([
        ["name", "print"],
        ["type", "ImapOAuth"],
        ["host", "localhost"],
        ["port", String(dovecot.tlsPort)],
        ["secure", "True"],
        ["userName", USER],
        ["caFile", dovecot.caFile],
        ["pollInterval", "1000"],
      ]);
      for (const [, key = "", value = ""] of sourceAttributes.matchAll(/(\w+)="([^"]*)"/g)) attributes.set(key, value);
      if (attributes.get("type") === "ImapOAuth" && !attributes.has("provider")) attributes.set("provider", "Local");
      await writeFile(
        file,
        mpsConfigXml({
          source: attributes,
          logFile: `${name.replace(/\.config$/, "")}.log`,
          logLevel: "debug",
          storage: "oauth-storage",
          keyFile: "mps.key",
          issuer: auth.issuer,
          clientId: auth.clientId,
          extraXml,
        }),
      );
      return file;
    },
    async storeLogin(user = USER, options = {}) {
      const tokens = await scriptedLogin(auth, { username: user, scope: "openid email offline_access" });
      const now = Date.now();
      await store.write("local", user, {
        accessToken: tokens.access_token,
        accessTokenExpiresAt: now + tokens.expires_in * 1000,
        ...(tokens.refresh_token === undefined ? {} : {
          refreshToken: tokens.refresh_token,
          refreshTokenIssuedAt: options.refreshedAt ?? now,
          lastRefreshAt: options.refreshedAt ?? now,
        }),
        idTokenClaims: { email: user, preferred_username: user },
        scopes: tokens.scope.split(" "),
        tokenType: "Bearer",
      });
    },
    async jobs() {
      const names = await readdir(path.join(dir, "Spool")).catch(() => [] as string[]);
      return names.filter((entry) => !entry.startsWith(".")).sort();
    },
    async job(id) {
      return JSON.parse(await readFile(path.join(dir, "Spool", id, "job.json"), "utf8")) as JobJson;
    },
    async failed() {
      return (await readdir(path.join(dir, "Failed")).catch(() => [] as string[])).sort();
    },
    async log(configName = "mps.config") {
      return await readFile(path.join(dir, `${configName.replace(/\.config$/, "")}.log`), "utf8").catch(() => "");
    },
    async dispose() {
      await dovecot.dispose();
      await auth.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** A small RFC 822 message with one attachment. */
export function messageWithAttachment(
  options: {
    from?: string;
    subject?: string;
    fileName?: string;
    contentType?: string;
    content?: string | Buffer;
    messageId?: string;
  } = {},
): string {
  const raw = options.content ?? "%PDF-1.4\n% test document\n%%EOF\n";
  const content = (typeof raw === "string" ? Buffer.from(raw) : raw).toString("base64").replace(/.{76}/g, "$&\r\n");
  return [
    `From: ${options.from ?? "Alice <Alice@Example.test>"}`,
    `To: ${USER}`,
    `Subject: ${options.subject ?? "Please print"}`,
    `Message-ID: ${options.messageId ?? `<${Math.random().toString(36).slice(2)}@example.test>`}`,
    "Date: Fri, 27 Nov 2026 10:00:00 +0000",
    "MIME-Version: 1.0",
    'Content-Type: multipart/mixed; boundary="b1"',
    "",
    "--b1",
    "Content-Type: text/plain; charset=utf-8",
    "",
    "See attached.",
    "--b1",
    `Content-Type: ${options.contentType ?? "application/pdf"}; name="${options.fileName ?? "doc.pdf"}"`,
    `Content-Disposition: attachment; filename="${options.fileName ?? "doc.pdf"}"`,
    "Content-Transfer-Encoding: base64",
    "",
    content,
    "--b1--",
    "",
  ].join("\r\n");
}
