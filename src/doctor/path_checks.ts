import { randomUUID } from "node:crypto";
import { mkdir, open, rmdir, stat, statfs, unlink, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import process from "node:process";
import { FolderSourceError, isWindowsStylePath } from "../config/index.ts";
import type { Config, FolderSource } from "../config/index.ts";
import { LogFileError } from "../log/index.ts";
import { FailedFolderError } from "../mail/index.ts";
import { errnoCode, fsReason } from "../shared/errno.ts";
import type { MpsError } from "../shared/errors.ts";
import { SpoolError } from "../spool/index.ts";
import { StorageIoError } from "../storage/index.ts";
import { fail, failFrom, pass, skip, warn } from "./check_result.ts";
import type { CheckResult } from "./check_result.ts";
import { ERR_DISK_FULL, WARN_DISK_LOW } from "./errors.ts";

const GIB = 1024 ** 3;
const MIB = 1024 ** 2;

/** Removes the folders `probe` created, from `dir` up to and including `created`; stops at one that is not empty. */
async function removeCreated(dir: string, created: string): Promise<void> {
  for (let folder = dir;; folder = dirname(folder)) {
    try {
      await rmdir(folder);
    } catch {
      return;
    }
    if (folder === created || dirname(folder) === folder) return;
  }
}

/**
 * Proves that `dir` is (or can become) a folder mps can write to: writes and deletes a probe
 * file, creating the folder first when it is missing and removing it again afterwards, so the
 * disk is left as it was found. Throws the file-system error.
 */
async function probeFolder(dir: string): Promise<"exists" | "created"> {
  let existed = true;
  try {
    if (!(await stat(dir)).isDirectory()) throw Object.assign(new Error(`'${dir}' is a file`), { code: "EEXIST" });
  } catch (error) {
    if (errnoCode(error) !== "ENOENT") throw error;
    existed = false;
  }
  const created = existed ? undefined : await mkdir(dir, { recursive: true });
  try {
    const probe = join(dir, `.mps-doctor-${randomUUID()}`);
    await writeFile(probe, "mps doctor write test\n", { flag: "wx" });
    await unlink(probe);
  } finally {
    if (created !== undefined) await removeCreated(dir, created);
  }
  return existed ? "exists" : "created";
}

function described(what: string, dir: string, state: "exists" | "created"): string {
  return state === "exists"
    ? `${what} '${dir}' exists and is writable`
    : `${what} '${dir}' does not exist yet; it can be created and written (mps run creates it)`;
}

async function folderCheck(
  id: string,
  what: string,
  dir: string,
  wrap: (cause: unknown) => MpsError,
): Promise<CheckResult> {
  try {
    return pass(id, null, described(what, dir, await probeFolder(dir)), { path: dir });
  } catch (cause) {
    return failFrom(id, null, wrap(cause), { path: dir });
  }
}

/** `paths.spool`, `paths.failed`, `paths.storage`, `paths.log`, with the same errors `mps run` would meet. */
export async function checkPaths(config: Config): Promise<CheckResult[]> {
  const spool = config.spool.folder;
  const failed = config.failedFiles.folder;
  const storage = config.oauth.storageDir;
  const logDir = dirname(config.log.file);
  // One after the other: a probe creates a missing folder for a moment, and the folders may nest.
  return [
    await folderCheck(
      "paths.spool",
      "Spool folder",
      spool,
      (cause) => new SpoolError(`Cannot write to spool folder '${spool}': ${fsReason(cause)}`, { cause }),
    ),
    await folderCheck(
      "paths.failed",
      "Failed folder",
      failed,
      (cause) => new FailedFolderError(`Cannot write to Failed folder '${failed}': ${fsReason(cause)}`, { cause }),
    ),
    await folderCheck(
      "paths.storage",
      "Token storage folder",
      storage,
      (cause) => new StorageIoError("write to token storage folder", storage, { cause }),
    ),
    await checkLog(config.log.file, logDir),
  ];
}

async function checkLog(file: string, dir: string): Promise<CheckResult> {
  try {
    const state = await probeFolder(dir);
    // An existing log file must be writable too ("r+" neither creates nor changes it).
    const handle = await open(file, "r+").catch((error: unknown) => {
      if (errnoCode(error) === "ENOENT") return undefined;
      throw error;
    });
    await handle?.close();
    return pass("paths.log", null, described("Log folder", dir, state), { path: dir, file });
  } catch (cause) {
    return failFrom("paths.log", null, new LogFileError(file, cause, "create"), { path: dir, file });
  }
}

/** `folder.path`: a folder source's folder can be read and its files deleted. */
export async function checkFolderSource(source: FolderSource): Promise<CheckResult> {
  const location = source.location;
  if (isWindowsStylePath(location) && process.platform !== "win32") {
    return failFrom("folder.path", source.name, FolderSourceError.windowsPath(source), { path: location });
  }
  try {
    return pass("folder.path", source.name, described("Folder", location, await probeFolder(location)), {
      path: location,
    });
  } catch (cause) {
    // The same words `mps run` logs for this source.
    return failFrom("folder.path", source.name, FolderSourceError.unreadable(location, fsReason(cause), cause), {
      path: location,
    });
  }
}

async function nearestFolder(dir: string): Promise<string> {
  for (let folder = dir;; folder = dirname(folder)) {
    const info = await stat(folder).catch(() => undefined);
    if (info?.isDirectory() === true || dirname(folder) === folder) return folder;
  }
}

function size(bytes: number): string {
  return bytes >= GIB ? `${(bytes / GIB).toFixed(1)} GB` : `${Math.round(bytes / MIB)} MB`;
}

/**
 * `disk.free` on the disks of the spool and Failed folders: fails below what the largest
 * message may need (maxMessageSize, at least 100 MB), warns below 1 GB.
 */
export async function checkDiskFree(config: Config): Promise<CheckResult> {
  const needed = Math.max(100 * MIB, ...config.emailSources.map((source) => source.maxMessageSize));
  const disks = new Map<number, { path: string; folder: string; free: number }>();
  try {
    for (const folder of [config.spool.folder, config.failedFiles.folder]) {
      const existing = await nearestFolder(folder);
      const device = (await stat(existing)).dev;
      if (disks.has(device)) continue;
      const info = await statfs(existing);
      disks.set(device, { path: existing, folder, free: Number(info.bavail) * Number(info.bsize) });
    }
  } catch (error) {
    return skip("disk.free", null, `Cannot tell the free disk space: ${fsReason(error)}`, false);
  }
  const all = [...disks.values()];
  const lowest = all.reduce((a, b) => (b.free < a.free ? b : a));
  const details = { disks: all.map((disk) => ({ path: disk.path, freeBytes: disk.free })), neededBytes: needed };
  const finding = `${size(lowest.free)} free on the disk of '${lowest.folder}'`;
  const fix =
    `Free space on the disk of '${lowest.path}', or point <spool folder="…"> and <failedFiles folder="…"> at a disk with room.`;
  if (lowest.free < needed) {
    return fail(
      "disk.free",
      null,
      ERR_DISK_FULL,
      `${finding}: less than the ${size(needed)} a single message may need`,
      fix,
      details,
    );
  }
  if (lowest.free < GIB) return warn("disk.free", null, WARN_DISK_LOW, `${finding}: less than 1 GB`, fix, details);
  return pass("disk.free", null, finding, details);
}
