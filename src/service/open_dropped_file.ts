import { constants } from "node:fs";
import type { Stats } from "node:fs";
import { lstat, open, readlink, realpath } from "node:fs/promises";
import type { FileHandle } from "node:fs/promises";
import * as path from "node:path";
import process from "node:process";

/** What a scan saw of a file: enough to tell that the file opened later is the same one, unchanged. */
export interface FileIdentity {
  readonly size: number;
  readonly mtimeMs: number;
  readonly ctimeMs: number;
  readonly ino: number;
  readonly dev: number;
}

export type DroppedFile =
  | { readonly kind: "opened"; readonly handle: FileHandle }
  /** Gone or changed since the scan: looked at again in the next cycle. */
  | { readonly kind: "changed" }
  /** A link or not a regular file: never read. */
  | { readonly kind: "refused"; readonly reason: string };

export function identityOf(stats: Stats): FileIdentity {
  return { size: stats.size, mtimeMs: stats.mtimeMs, ctimeMs: stats.ctimeMs, ino: stats.ino, dev: stats.dev };
}

export function sameIdentity(a: FileIdentity, b: FileIdentity): boolean {
  return a.size === b.size && a.mtimeMs === b.mtimeMs && a.ctimeMs === b.ctimeMs && a.ino === b.ino &&
    a.dev === b.dev;
}

/** Why an entry that is not a plain file with one name is not copied, or undefined for a plain file. */
export function refusalOf(stats: Stats): string | undefined {
  if (stats.isSymbolicLink()) return LINK;
  if (stats.isDirectory()) return "it is a folder below the first level";
  if (!stats.isFile()) return "it is not a regular file (a pipe, socket or device)";
  if (stats.nlink > 1) return `it is a hard link (the file has ${stats.nlink} names)`;
  return undefined;
}

const LINK = "it is a symbolic link (or a junction)";

// O_NOFOLLOW fails with ELOOP on Linux and macOS, EMLINK on FreeBSD, EFTYPE on some BSDs.
const LINK_CODES = new Set(["ELOOP", "EMLINK", "EFTYPE"]);

/**
 * Opens `relative` under `root` for reading without following a symbolic link anywhere below `root`,
 * and only when it is still the regular file the scan saw (`seen`). A user who may drop files could
 * otherwise swap in a link to a file only mps may read, and mps would copy it into the spool.
 * The last name is opened with O_NOFOLLOW where the platform has it (Windows: checked with lstat,
 * a reparse point is refused); a sub-folder is checked to be a real folder before and after; the
 * opened file must have the inode, size and times the scan saw; on Linux the path the kernel
 * reports for the open descriptor must be the expected one.
 */
export async function openDroppedFile(root: string, relative: string, seen: FileIdentity): Promise<DroppedFile> {
  const full = path.join(root, relative);
  const parent = path.dirname(relative) === "." ? undefined : path.join(root, path.dirname(relative));
  const parentBefore = parent === undefined ? undefined : await lstat(parent).catch(() => undefined);
  if (parentBefore !== undefined && !parentBefore.isDirectory()) {
    return { kind: "refused", reason: "its sub-folder is a link, not a folder" };
  }
  if (constants.O_NOFOLLOW === undefined) {
    const info = await lstat(full).catch(() => undefined);
    if (info === undefined) return { kind: "changed" };
    const refusal = refusalOf(info);
    if (refusal !== undefined) return { kind: "refused", reason: refusal };
  }
  let handle: FileHandle;
  try {
    handle = await open(full, constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0));
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (typeof code === "string" && LINK_CODES.has(code)) return { kind: "refused", reason: LINK };
    if (code === "ENOENT" || code === "ENOTDIR") return { kind: "changed" };
    throw error;
  }
  try {
    const verdict = await checkOpened(handle, root, relative, seen, parent, parentBefore);
    if (verdict.kind !== "opened") await handle.close();
    return verdict;
  } catch (error) {
    await handle.close().catch(() => undefined);
    throw error;
  }
}

async function checkOpened(
  handle: FileHandle,
  root: string,
  relative: string,
  seen: FileIdentity,
  parent: string | undefined,
  parentBefore: Stats | undefined,
): Promise<DroppedFile> {
  const opened = await handle.stat();
  const refusal = refusalOf(opened);
  if (refusal !== undefined) return { kind: "refused", reason: refusal };
  if (!sameIdentity(identityOf(opened), seen)) return { kind: "changed" };
  if (!(await parentStillSame(parent, parentBefore))) {
    return { kind: "refused", reason: "its sub-folder was replaced while it was opened" };
  }
  const where = await descriptorPath(handle);
  if (where === undefined) return { kind: "opened", handle };
  if (where.endsWith(" (deleted)")) return { kind: "changed" };
  if (where !== path.join(await realpath(root), relative)) {
    return { kind: "refused", reason: `it resolves to '${where}', outside the folder (a link was swapped in)` };
  }
  return { kind: "opened", handle };
}

async function parentStillSame(parent: string | undefined, before: Stats | undefined): Promise<boolean> {
  if (parent === undefined || before === undefined) return true;
  const after = await lstat(parent).catch(() => undefined);
  return after !== undefined && after.isDirectory() && after.ino === before.ino && after.dev === before.dev;
}

/** Linux names the file behind a descriptor in /proc; elsewhere (or without /proc) this check is skipped. */
async function descriptorPath(handle: FileHandle): Promise<string | undefined> {
  if (process.platform !== "linux") return undefined;
  return await readlink(`/proc/self/fd/${handle.fd}`).catch(() => undefined);
}
