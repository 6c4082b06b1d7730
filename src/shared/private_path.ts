// Folders and files only the account mps runs as may read: the storage key, the OAuth storage,
// the spool and the Failed folder. On Linux the mode does it (0600/0700). On Windows Node
// ignores modes and a new file inherits its folder's ACL (from C:\ that includes "Users: Read"),
// so mps gives what it creates a protected ACL with icacls: inheritance removed, full control for
// the running account, SYSTEM and Administrators only.
import { execFile } from "node:child_process";
import { mkdir, stat } from "node:fs/promises";
import * as path from "node:path";
import process from "node:process";
import { MpsError } from "./errors.ts";

/** Mode for folders that need no 0700 on Linux (the spool, Failed): 0777 less the umask, as mkdir does. */
export const DEFAULT_MODE = 0o777;

/** SIDs, not names, so that the command works on a localized Windows ("VORDEFINIERT\Administratoren"). */
export const SYSTEM_SID = "S-1-5-18";
export const ADMINISTRATORS_SID = "S-1-5-32-544";

type Env = Readonly<Record<string, string | undefined>>;

/** icacls (or whoami) could not be run, or said no. */
export class PrivatePathError extends MpsError {
  static readonly CODE = "ERR_PRIVATE_PATH";
  constructor(target: string, detail: string, options: { cause: unknown }) {
    super(PrivatePathError.CODE, `Cannot restrict access to '${target}' to this account: ${detail}`, {
      cause: options.cause,
      fix:
        `Run mps as an account allowed to change the permissions of '${target}' (its owner or an administrator), or create it yourself with the permissions you want (mps leaves those of an existing folder alone), e.g. ${
          protectCommandLine(target, "<account>")
        }`,
    });
  }
}

/** %SystemRoot%\System32 (C:\Windows\System32 when the variable is missing). */
export function system32(env: Env = process.env): string {
  const root = env["SystemRoot"] ?? env["SYSTEMROOT"] ?? env["windir"] ?? env["WINDIR"] ?? "C:\\Windows";
  return path.win32.join(root, "System32");
}

/**
 * The icacls arguments that leave `target` with a protected ACL: inherited entries removed,
 * full control for `account`, SYSTEM and Administrators, and for a folder the same for
 * everything created in it later ((OI)(CI)). Other explicit entries an admin added (a service
 * account, say) stay. `account` is a SID (`*S-1-5-…`) or an account name.
 */
export function protectArgs(target: string, account: string, folder = true): string[] {
  const inherit = folder ? "(OI)(CI)" : "";
  return [
    target,
    "/inheritance:r",
    "/grant:r",
    `${account}:${inherit}F`,
    `*${SYSTEM_SID}:${inherit}F`,
    `*${ADMINISTRATORS_SID}:${inherit}F`,
    "/q",
  ];
}

/** The same as one line an admin can paste into cmd or PowerShell. */
export function protectCommandLine(target: string, account: string, folder = true): string {
  return `icacls "${target}" ${protectArgs(target, account, folder).slice(1, -1).map((arg) => `"${arg}"`).join(" ")}`;
}

function run(file: string, args: readonly string[]): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    execFile(file, args, { windowsHide: true, timeout: 30_000, encoding: "utf8" }, (error, stdout, stderr) => {
      if (error !== null) reject(Object.assign(error, { stdout, stderr }));
      else resolve({ stdout, stderr });
    });
  });
}

let account: Promise<string> | undefined;

/**
 * The running account for icacls: `*SID` from whoami (LocalSystem is S-1-5-18, not the
 * computer's name), else DOMAIN\USERNAME from the environment.
 */
export function currentAccount(env: Env = process.env): Promise<string> {
  account ??= run(path.win32.join(system32(env), "whoami.exe"), ["/user", "/fo", "csv", "/nh"]).then(
    ({ stdout }) => {
      // S-1-5-… for local and domain accounts, S-1-12-1-… for Entra ID (Azure AD) accounts.
      const sid = /\bS-1-\d+(?:-\d+)+/.exec(stdout)?.[0];
      if (sid !== undefined) return `*${sid}`;
      throw new Error(`whoami printed no SID: ${stdout.trim().slice(0, 200)}`);
    },
  ).catch(() => {
    const user = env["USERNAME"];
    if (user === undefined || user === "") throw new Error("neither whoami nor %USERNAME% names the account");
    const domain = env["USERDOMAIN"];
    return domain === undefined || domain === "" ? user : `${domain}\\${user}`;
  });
  return account;
}

/**
 * `target` without the `\\?\` prefix of a long path (what mkdir answers on Windows), which the
 * admin never typed and older icacls versions do not take; `\\?\UNC\server\share` becomes
 * `\\server\share`.
 */
export function plainWindowsPath(target: string): string {
  if (target.startsWith("\\\\?\\UNC\\")) return `\\\\${target.slice(8)}`;
  if (target.startsWith("\\\\?\\")) return target.slice(4);
  return target;
}

/**
 * Gives `target` the protected ACL on Windows (a no-op elsewhere: the callers set modes).
 * icacls is run by its absolute path and without a shell, so neither the working folder, PATH
 * nor cmd's %VAR% expansion plays a part.
 */
export async function protectPath(target: string, platform: string = process.platform): Promise<void> {
  if (platform !== "win32") return;
  const absolute = plainWindowsPath(path.resolve(target));
  let who: string;
  try {
    who = await currentAccount();
  } catch (error) {
    throw new PrivatePathError(absolute, (error as Error).message, { cause: error });
  }
  try {
    const folder = (await stat(target)).isDirectory();
    await run(path.win32.join(system32(), "icacls.exe"), protectArgs(absolute, who, folder));
  } catch (error) {
    const said = `${(error as { stdout?: string }).stdout ?? ""}${(error as { stderr?: string }).stderr ?? ""}`.trim();
    throw new PrivatePathError(absolute, `icacls failed: ${said || (error as Error).message}`, { cause: error });
  }
}

/**
 * `mkdir -p dir`, where `root` (`dir` itself or a folder above it: the spool, Failed, the OAuth
 * storage) gets the protected ACL on Windows when mps makes it, and `mode` (less the umask) on
 * Linux. Folders below `root` simply inherit its ACL, so a grant an admin adds to `root` (for
 * a service account, say) reaches everything in it. A `root` that already existed is left as it
 * is: its permissions are the admin's choice, and `mps doctor` reports loose ones.
 */
export async function mkdirPrivate(dir: string, options: { root?: string; mode?: number } = {}): Promise<void> {
  const mode = options.mode ?? 0o700;
  const root = options.root ?? dir;
  const created = await mkdir(root, { recursive: true, mode });
  if (created !== undefined) await protectPath(created);
  if (root !== dir) await mkdir(dir, { recursive: true, mode });
}
