import * as path from "node:path";

/**
 * True for paths written the Windows way (`D:\spool`, `\\server\share`, `C$\SafeQ6\...`):
 * they are kept exactly as given, since resolving them on Linux would mangle them.
 */
export function isWindowsStylePath(value: string): boolean {
  return /^[A-Za-z]:[\\/]/.test(value) || value.includes("\\") || /^[A-Za-z]\$/.test(value);
}

/** Resolves a config path against the config file's folder; Windows-style paths stay as written. */
export function resolvePath(configDir: string, value: string): string {
  if (isWindowsStylePath(value) || path.isAbsolute(value)) return value;
  return path.resolve(configDir, value);
}
