import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type BrowserContext, chromium } from "playwright-core";

export type TestBrowser = {
  context: BrowserContext;
  /** Closes the browser and deletes its profile and home folder. */
  close(): Promise<void>;
};

/**
 * Launches Debian's Chromium headless with a fresh profile, and HOME/XDG folders
 * in a temp folder so nothing is written to the real home. Never `playwright install`.
 */
export async function launchChromium(): Promise<TestBrowser> {
  const home = mkdtempSync(join(tmpdir(), "mps-chromium-"));
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined) env[k] = v;
  Object.assign(env, {
    HOME: home,
    XDG_CONFIG_HOME: join(home, ".config"),
    XDG_CACHE_HOME: join(home, ".cache"),
    XDG_DATA_HOME: join(home, ".local", "share"),
  });
  try {
    const context = await chromium.launchPersistentContext(join(home, "profile"), {
      executablePath: "/usr/bin/chromium",
      headless: true,
      env,
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    });
    return {
      context,
      async close() {
        await context.close();
        rmSync(home, { recursive: true, force: true });
      },
    };
  } catch (error) {
    rmSync(home, { recursive: true, force: true });
    throw error;
  }
}
