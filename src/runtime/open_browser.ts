// Opening the default browser: a different command on each operating system.
import process from "node:process";

export type OpenBrowser = (url: string) => Promise<void>;

/** The command that opens `url` in the default browser on `platform`. */
export function browserCommand(
  url: string,
  platform: string = process.platform,
): { command: string; args: string[]; verbatim: boolean } {
  if (platform === "win32") {
    // `start` takes the first quoted argument as a window title, hence the empty "".
    // The URL is quoted so that cmd does not split it at '&'; it holds no '"' (URLs encode it).
    return { command: "cmd", args: ["/d", "/s", "/c", `start "" "${url}"`], verbatim: true };
  }
  if (platform === "darwin") return { command: "open", args: [url], verbatim: false };
  return { command: "xdg-open", args: [url], verbatim: false };
}

/**
 * Opens `url` in the default browser and returns once the opener has started.
 * Rejects when the opener cannot be run (no xdg-open on a server, say).
 */
export const openBrowser: OpenBrowser = async (url) => {
  const { command, args, verbatim } = browserCommand(url);
  // Loaded here, not at start-up: node:child_process alone costs every command a few ms.
  const { spawn } = await import("node:child_process");
  return await new Promise<void>((resolve, reject) => {
    const child = spawn(command, args, {
      detached: true,
      stdio: "ignore",
      windowsVerbatimArguments: verbatim,
      windowsHide: true,
    });
    child.once("error", reject);
    child.once("spawn", () => {
      child.unref();
      resolve();
    });
  });
};
