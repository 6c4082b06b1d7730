import { Buffer } from "node:buffer";
import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { openTokenStore } from "../../src/storage/index.ts";
import type { TokenStore, TokenStoreOptions } from "../../src/storage/index.ts";

/** A fresh temp folder with `conf/mps.key` and `conf/oauth-storage` paths inside; remove it with `cleanup`. */
export async function makeTempConf(): Promise<
  { root: string; storageDir: string; keyFile: string; cleanup: () => Promise<void> }
> {
  const root = await mkdtemp(join(tmpdir(), "mps-storage-"));
  return {
    root,
    storageDir: join(root, "conf", "oauth-storage"),
    keyFile: join(root, "conf", "mps.key"),
    cleanup: () => rm(root, { recursive: true, force: true }),
  };
}

export function storeIn(
  paths: { storageDir: string; keyFile: string },
  extra: Partial<TokenStoreOptions> = {},
): TokenStore {
  return openTokenStore({
    storageDir: paths.storageDir,
    keyFile: paths.keyFile,
    env: {},
    now: () => Date.now(),
    ...extra,
  });
}

/** A valid MPS_STORAGE_KEY value (base64 of 32 bytes). */
export function randomKey(): string {
  return Buffer.from(globalThis.crypto.getRandomValues(new Uint8Array(32))).toString("base64");
}

export const NODE = fileURLToPath(new URL("../../node_modules/.bin/node", import.meta.url));
export const CHILD = fileURLToPath(new URL("./fixtures/lock_child.ts", import.meta.url));
const IS_DENO = "Deno" in globalThis;

/** The command line running the child script on this test's runtime (Deno runs Deno, Node runs Node). */
export function childCommand(runtime: "node" | "same"): [string, string[]] {
  if (runtime === "same" && IS_DENO) return [process.execPath, ["run", "-A", "--no-check", CHILD]];
  return [NODE, [CHILD]];
}

export type Child = {
  pid: number;
  exited: Promise<{ code: number | null; stdout: string; stderr: string }>;
  closeStdin: () => void;
  firstLine: Promise<string>;
};

/** Starts `lock_child.ts` with `args`; `firstLine` resolves with the first line it prints. */
export function startChild(runtime: "node" | "same", args: string[]): Child {
  const [command, prefix] = childCommand(runtime);
  const child = spawn(command, [...prefix, ...args], { stdio: ["pipe", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  let onLine: (line: string) => void = () => undefined;
  const firstLine = new Promise<string>((resolve) => (onLine = resolve));
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
    stdout += chunk;
    if (stdout.includes("\n")) onLine(stdout.split("\n")[0] ?? "");
  });
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
  const exited = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
    child.on("close", (code) => {
      onLine(stdout.split("\n")[0] ?? "");
      resolve({ code, stdout, stderr });
    })
  );
  if (child.pid === undefined) throw new Error(`cannot start ${command}`);
  return { pid: child.pid, exited, closeStdin: () => child.stdin.end(), firstLine };
}
