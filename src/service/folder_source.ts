import { createHash } from "node:crypto";
import type { Dirent } from "node:fs";
import { lstat, mkdir, readdir, unlink } from "node:fs/promises";
import * as path from "node:path";
import process from "node:process";
import type { FolderSource } from "../config/index.ts";
import type { ComponentLogger } from "../log/index.ts";
import { FolderSourceError, isWindowsStylePath } from "../config/index.ts";
import { MpsError } from "../shared/errors.ts";
import { jobIdPrefix } from "../shared/job_id_prefix.ts";
import { JobBuilder } from "../spool/index.ts";
import { contentTypeForName } from "../shared/content_type.ts";
import { identityOf, openDroppedFile, refusalOf, sameIdentity } from "./open_dropped_file.ts";
import type { FileIdentity } from "./open_dropped_file.ts";

interface Observation extends FileIdentity {
  /** When this cycle's process first saw the file with exactly these size, times and inode. */
  readonly since: number;
}

export interface FolderCycle {
  (): Promise<number>;
}

/**
 * One folder source. A file becomes a job once it has been unchanged for `downloadInterval`:
 * its last change (modification or status-change time) is at least that old and, when an
 * earlier scan of this process saw it, it still looks the same. So `run --once` takes a file
 * that was dropped a while ago, and a copy in progress (its times move with every write) waits.
 * A file whose time lies in the future (the file server's clock is ahead) is taken once this
 * process has seen it unchanged for `downloadInterval`. The owner is the first sub-folder's name.
 * Only regular files with one name are read, never through a link; anything else is left where
 * it is with a warning. Files are removed only after their job is published.
 */
export function createFolderCycle(
  source: FolderSource,
  options: { spoolDir: string; now: () => number; log: ComponentLogger; onJob?: () => void },
): FolderCycle {
  let previous = new Map<string, Observation>();
  let warned = new Set<string>();
  const intervalMs = source.downloadIntervalMs;
  return async () => {
    const current = new Map<string, Observation>();
    const warnedNow = new Set<string>();
    if (isWindowsStylePath(source.location) && process.platform !== "win32") {
      // Creating it here would make a local folder named with backslashes.
      throw FolderSourceError.windowsPath(source);
    }
    // Once per file and reason while it stays: a scan runs every downloadInterval.
    const warnOnce = (relative: string, message: string): void => {
      const key = `${relative}\n${message}`;
      warnedNow.add(key);
      if (warned.has(key)) return;
      warned.add(key);
      options.log.warn(message, { file: relative });
    };
    const ignore = (relative: string, reason: string): void =>
      warnOnce(
        relative,
        `Left '${relative}' in folder source '${source.name}' uncopied: ${reason}; mps reads only plain files`,
      );
    try {
      await mkdir(source.location, { recursive: true });
      const listing = await listEntries(source.location);
      for (const other of listing.others) ignore(other.relative, other.reason);
      for (const relative of listing.files) {
        const info = await lstat(path.join(source.location, relative)).catch(() => undefined);
        if (info === undefined) continue;
        const refusal = refusalOf(info);
        if (refusal !== undefined) {
          ignore(relative, refusal);
          continue;
        }
        const now = options.now();
        const identity = identityOf(info);
        const before = previous.get(relative);
        const unchanged = before !== undefined && sameIdentity(before, identity);
        const since = unchanged ? before.since : now;
        current.set(relative, { ...identity, since });
        if (before !== undefined && !unchanged) continue;
        const changedAt = Math.max(identity.mtimeMs, identity.ctimeMs);
        if (changedAt - now > intervalMs) {
          const when = new Date(changedAt).toISOString();
          warnOnce(
            relative,
            `File '${relative}' in folder source '${source.name}' was changed at ${when}, in the future (is the ` +
              "file server's clock ahead?); it is taken once mps has seen it unchanged for downloadInterval",
          );
        }
        const complete = now - changedAt >= intervalMs || (unchanged && now - since >= intervalMs);
        if (!complete) continue;
        const outcome = await publish(relative, identity);
        if (outcome === "published") current.delete(relative);
        else if (outcome !== "changed") ignore(relative, outcome.reason);
      }
    } catch (cause) {
      throw cause instanceof MpsError ? cause : FolderSourceError.unreadable(
        source.location,
        cause instanceof Error ? cause.message : String(cause),
        cause,
      );
    } finally {
      previous = current;
    }
    // A file that is gone, or fine now, is warned about again should it come back as it was.
    warned = new Set([...warned].filter((key) => warnedNow.has(key)));
    return 0;
  };

  async function publish(
    relative: string,
    seen: FileIdentity,
  ): Promise<"published" | "changed" | { readonly reason: string }> {
    const opened = await openDroppedFile(source.location, relative, seen);
    if (opened.kind === "changed") return "changed";
    if (opened.kind === "refused") return { reason: opened.reason };
    const parts = relative.split(path.sep);
    const owner = parts.length > 1 ? parts[0] ?? "" : "";
    const digest = createHash("sha256").update(`${relative}\n${seen.size}\n${seen.mtimeMs}`).digest("hex");
    const id = `${jobIdPrefix(source.name)}-${digest.slice(0, 20)}`;
    try {
      const builder = await JobBuilder.begin(options.spoolDir, id, { now: options.now });
      if (builder !== undefined) {
        const name = path.basename(relative);
        await builder.addDocument(name, contentTypeForName(name), opened.handle.createReadStream({ autoClose: false }));
        await builder.commit({
          source: source.name,
          owner,
          subject: name,
          receivedAt: new Date(seen.mtimeMs).toISOString(),
          messageId: "",
        });
        options.onJob?.();
        options.log.info("job created", { job: id, file: relative, owner });
      }
    } finally {
      await opened.handle.close();
    }
    await unlink(path.join(source.location, relative));
    return "published";
  }
}

/** Files to consider and entries that are left alone, as paths relative to the folder. */
async function listEntries(root: string): Promise<{ files: string[]; others: { relative: string; reason: string }[] }> {
  const files: string[] = [];
  const others: { relative: string; reason: string }[] = [];
  const sort = (entries: Dirent[]) => entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of sort(await readdir(root, { withFileTypes: true }))) {
    if (entry.name.startsWith(".")) continue;
    if (entry.isFile()) files.push(entry.name);
    else if (entry.isDirectory()) {
      const inner = await readdir(path.join(root, entry.name), { withFileTypes: true }).catch((error: unknown) => {
        if ((error as { code?: unknown }).code === "ENOENT") return [];
        throw error;
      });
      for (const child of sort(inner)) {
        if (child.name.startsWith(".") || child.isDirectory()) continue;
        const relative = path.join(entry.name, child.name);
        if (child.isFile()) files.push(relative);
        else others.push({ relative, reason: entryRefusal(child) });
      }
    } else others.push({ relative: entry.name, reason: entryRefusal(entry) });
  }
  return { files, others };
}

function entryRefusal(entry: Dirent): string {
  return entry.isSymbolicLink()
    ? "it is a symbolic link (or a junction)"
    : "it is not a regular file (a pipe, socket or device)";
}
