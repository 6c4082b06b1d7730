import * as path from "node:path";
import type { PlatformPath } from "node:path";

/**
 * True for paths written the Windows way (`D:\spool`, `\\server\share`, `C$\SafeQ6\...`).
 * Off Windows they are kept exactly as given, since resolving them there would mangle them.
 */
export function isWindowsStylePath(value: string): boolean {
  return /^[A-Za-z]:[\\/]/.test(value) || value.includes("\\") || /^[A-Za-z]\$/.test(value);
}

/**
 * Resolves a config path against the config file's folder. On Windows every form resolves the
 * Windows way (`D:\spool` and `\\server\share\...` stay, `Spool\in` is under the config folder);
 * elsewhere Windows-style paths stay as written. `paths` is the platform's path implementation.
 */
export function resolvePath(configDir: string, value: string, paths: PlatformPath = path): string {
  if (paths.sep === "\\") return paths.resolve(configDir, value);
  if (isWindowsStylePath(value) || paths.isAbsolute(value)) return value;
  return paths.resolve(configDir, value);
}

/**
 * Where a folder source reads from. The legacy product read `C$\SafeQ6\...` as the admin share
 * of `host` (`\\host\C$\SafeQ6\...`), and of this machine when no host is given; any other path
 * resolves like every config path.
 */
export function folderSourceLocation(
  host: string,
  value: string,
  configDir: string,
  paths: PlatformPath = path,
): string {
  const share = /^([A-Za-z])\$(?:[\\/]+(.*))?$/.exec(value);
  if (share === null) return resolvePath(configDir, value, paths);
  const rest = (share[2] ?? "").replace(/[\\/]+/g, "\\").replace(/\\$/, "");
  return `\\\\${host === "" ? "127.0.0.1" : host}\\${share[1]}$${rest === "" ? "" : `\\${rest}`}`;
}
