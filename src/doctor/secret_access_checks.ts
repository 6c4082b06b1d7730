// `secrets.access`: the storage key and the stored sign-ins are readable by the account mps runs
// as (and SYSTEM/Administrators on Windows) only. Linux: file modes. Windows: the ACL, read as
// SDDL (SIDs, so it works on a localized Windows) through PowerShell's Get-Acl.
import { execFile } from "node:child_process";
import { readdir, stat } from "node:fs/promises";
import * as path from "node:path";
import process from "node:process";
import type { Config } from "../config/index.ts";
import { currentAccount, protectCommandLine, system32 } from "../shared/private_path.ts";
import { pass, skip, warn } from "./check_result.ts";
import type { CheckResult } from "./check_result.ts";

export const WARN_SECRETS_ACCESS = "WARN_SECRETS_ACCESS";
const ID = "secrets.access";

/** A secret on disk: the key file, a folder of the OAuth storage, or a token file in it. */
export type SecretPath = { readonly path: string; readonly folder: boolean; readonly mode: number };

/** The key file and the OAuth storage (its folders and `.json` token files) that exist. */
export async function secretPaths(config: Config): Promise<SecretPath[]> {
  const found: SecretPath[] = [];
  const add = async (file: string): Promise<boolean> => {
    const info = await stat(file).catch(() => undefined);
    if (info === undefined) return false;
    found.push({ path: file, folder: info.isDirectory(), mode: info.mode & 0o777 });
    return info.isDirectory();
  };
  await add(config.oauth.keyFile);
  const walk = async (dir: string, depth: number): Promise<void> => {
    if (!(await add(dir)) || depth > 2) return;
    for (const entry of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
      const child = path.join(dir, entry.name);
      if (entry.isDirectory()) await walk(child, depth + 1);
      else if (entry.isFile() && entry.name.endsWith(".json")) await add(child);
    }
  };
  await walk(config.oauth.storageDir, 0);
  return found;
}

function shellQuote(text: string): string {
  return `'${text.replaceAll("'", `'\\''`)}'`;
}

/** Linux: files looser than 0600 and folders looser than 0700 (any group or other bit), with the chmod that fixes them. */
export function checkModes(paths: readonly SecretPath[]): CheckResult {
  const loose = paths.filter((p) => (p.mode & 0o077) !== 0);
  if (paths.length === 0) return skip(ID, null, "Not needed: no storage key or stored sign-in yet", false);
  if (loose.length === 0) {
    return pass(ID, null, `The storage key and stored sign-ins are private to this account (${paths.length} checked)`);
  }
  const files = loose.filter((p) => !p.folder).map((p) => shellQuote(p.path));
  const folders = loose.filter((p) => p.folder).map((p) => shellQuote(p.path));
  const commands = [
    ...(files.length > 0 ? [`chmod 600 ${files.join(" ")}`] : []),
    ...(folders.length > 0 ? [`chmod 700 ${folders.join(" ")}`] : []),
  ];
  const list = loose.map((p) => `'${p.path}' (${p.mode.toString(8).padStart(4, "0")})`).join(", ");
  return warn(
    ID,
    null,
    WARN_SECRETS_ACCESS,
    `Other accounts may read the storage key or stored sign-ins: ${list}; key and token files must be 0600, folders 0700`,
    `Run as the account mps runs as: ${commands.join(" && ")}`,
    { paths: loose.map((p) => ({ path: p.path, mode: p.mode.toString(8).padStart(4, "0") })) },
  );
}

/** Well-known SIDs (and SDDL aliases) of groups that take in many accounts. */
const BROAD = new Map<string, string>([
  ["WD", "Everyone"],
  ["S-1-1-0", "Everyone"],
  ["AU", "Authenticated Users"],
  ["S-1-5-11", "Authenticated Users"],
  ["BU", "Users"],
  ["S-1-5-32-545", "Users"],
  ["BG", "Guests"],
  ["S-1-5-32-546", "Guests"],
  ["AN", "Anonymous"],
  ["S-1-5-7", "Anonymous"],
  ["IU", "Interactive"],
  ["S-1-5-4", "Interactive"],
  ["NU", "Network"],
  ["S-1-5-2", "Network"],
  ["DU", "Domain Users"],
  ["DG", "Domain Guests"],
]);

/**
 * The broad groups an SDDL string's DACL allows in (any right), e.g. `["Users"]`; `["Everyone"]`
 * for a missing (null) DACL, which allows everyone everything.
 */
export function broadAccess(sddl: string): string[] {
  const dacl = /D:([^(]*)((?:\([^)]*\))*)/.exec(sddl);
  if (dacl === null || (dacl[1] ?? "").includes("NO_ACCESS_CONTROL")) return ["Everyone"];
  const groups = new Set<string>();
  for (const ace of (dacl[2] ?? "").matchAll(/\(([^)]*)\)/g)) {
    const [type = "", , , , , sid = ""] = (ace[1] ?? "").split(";");
    if (type !== "A" && type !== "OA") continue;
    const group = BROAD.get(sid) ??
      (/^S-1-5-21-\d+-\d+-\d+-513$/.test(sid) ? "Domain Users" : undefined) ??
      (/^S-1-5-21-\d+-\d+-\d+-514$/.test(sid) ? "Domain Guests" : undefined);
    if (group !== undefined) groups.add(group);
  }
  return [...groups];
}

/** Each path's ACL as SDDL, in order; throws when PowerShell cannot be run or says something else. */
export type ReadSddl = (paths: readonly string[]) => Promise<string[]>;

const readSddl: ReadSddl = (paths) => {
  const powershell = path.win32.join(system32(), "WindowsPowerShell", "v1.0", "powershell.exe");
  // The paths travel in the environment, never inside the command text.
  const script = "$ErrorActionPreference='Stop'; foreach ($p in ($env:MPS_DOCTOR_ACL_PATHS -split [char]10)) " +
    "{ (Get-Acl -LiteralPath $p).Sddl }";
  return new Promise((resolve, reject) => {
    execFile(
      powershell,
      ["-NoProfile", "-NonInteractive", "-ExecutionPolicy", "Bypass", "-Command", script],
      {
        env: { ...process.env, MPS_DOCTOR_ACL_PATHS: paths.join("\n") },
        windowsHide: true,
        timeout: 30_000,
        encoding: "utf8",
      },
      (error, stdout, stderr) => {
        if (error !== null) return reject(new Error(`${error.message} ${stderr}`.trim()));
        const lines = stdout.split(/\r?\n/).filter((line) => line.trim() !== "");
        if (lines.length !== paths.length || !lines.every((line) => line.includes("D:"))) {
          return reject(new Error(`PowerShell printed no ACL for each path: ${stdout.trim().slice(0, 200)}`));
        }
        resolve(lines);
      },
    );
  });
};

/** Windows: no broad group (Everyone, Users, Authenticated Users ...) may read a secret. */
export async function checkAcls(
  paths: readonly SecretPath[],
  options: { readSddl?: ReadSddl; account?: () => Promise<string> } = {},
): Promise<CheckResult> {
  if (paths.length === 0) return skip(ID, null, "Not needed: no storage key or stored sign-in yet", false);
  const account = await (options.account ?? currentAccount)().catch(() => "%USERDOMAIN%\\%USERNAME%");
  let sddl: string[];
  try {
    sddl = await (options.readSddl ?? readSddl)(paths.map((p) => p.path));
  } catch (error) {
    return skip(
      ID,
      null,
      `Not checked: cannot read the permissions through PowerShell (${
        (error as Error).message
      }); check them with: icacls "${paths[0]?.path}"`,
      false,
    );
  }
  const loose = paths.map((p, i) => ({ ...p, groups: broadAccess(sddl[i] ?? "") })).filter((p) => p.groups.length > 0);
  if (loose.length === 0) {
    return pass(ID, null, `The storage key and stored sign-ins are closed to other users (${paths.length} checked)`);
  }
  return warn(
    ID,
    null,
    WARN_SECRETS_ACCESS,
    `Other accounts may read the storage key or stored sign-ins: ${
      loose.map((p) => `'${p.path}' (${p.groups.join(", ")})`).join(", ")
    }`,
    `Run as the account mps runs as (or put that account in place of ${account}): ${
      loose.map((p) => protectCommandLine(p.path, account, p.folder)).join(" & ")
    }`,
    { paths: loose.map((p) => ({ path: p.path, groups: p.groups })) },
  );
}

/** `secrets.access` for this platform. */
export async function checkSecretAccess(config: Config, platform: string = process.platform): Promise<CheckResult> {
  const paths = await secretPaths(config);
  return platform === "win32" ? await checkAcls(paths) : checkModes(paths);
}
