import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { mkdir, readdir, stat, unlink } from "node:fs/promises";
import * as path from "node:path";
import process from "node:process";
import type { FolderSource } from "../config/index.ts";
import type { ComponentLogger } from "../log/index.ts";
import { isWindowsStylePath } from "../config/index.ts";
import { MpsError } from "../shared/errors.ts";
import { KNOWN_FAILURES } from "../shared/known_failures.ts";
import { JobBuilder, jobIdPrefix } from "../spool/index.ts";
import { contentTypeForName } from "../shared/content_type.ts";

interface Seen {
  readonly size: number;
  readonly mtimeMs: number;
}

export interface FolderCycle {
  (): Promise<number>;
}

/**
 * One folder source. A file becomes a job once its size and time are the same in two scans
 * in a row (a copy in progress keeps growing); the owner is the first sub-folder's name.
 * Files are removed only after their job is published.
 */
export function createFolderCycle(
  source: FolderSource,
  options: { spoolDir: string; now: () => number; log: ComponentLogger; onJob?: () => void },
): FolderCycle {
  let previous = new Map<string, Seen>();
  return async () => {
    const current = new Map<string, Seen>();
    if (isWindowsStylePath(source.location) && process.platform !== "win32") {
      // Creating it here would make a local folder named with backslashes.
      const known = KNOWN_FAILURES.windowsFolder;
      throw new MpsError(known.code, known.finding(source.name, source.location), { fix: known.fix(source.line) });
    }
    try {
      await mkdir(source.location, { recursive: true });
      for (const file of await listFiles(source.location)) {
        const info = await stat(file).catch(() => undefined);
        if (info === undefined || !info.isFile()) continue;
        const seen = { size: info.size, mtimeMs: info.mtimeMs };
        current.set(file, seen);
        const before = previous.get(file);
        if (before === undefined || before.size !== seen.size || before.mtimeMs !== seen.mtimeMs) continue;
        await publish(file, seen);
        current.delete(file);
      }
    } catch (cause) {
      throw cause instanceof MpsError ? cause : new MpsError(
        "ERR_FOLDER_SOURCE",
        `Cannot read folder source '${source.location}': ${(cause as Error).message}`,
        { cause, fix: "Check that the folder exists and the account mps runs as may read and delete files in it" },
      );
    } finally {
      previous = current;
    }
    return 0;
  };

  async function publish(file: string, seen: Seen): Promise<void> {
    const relative = path.relative(source.location, file);
    const parts = relative.split(path.sep);
    const owner = parts.length > 1 ? parts[0] ?? "" : "";
    const digest = createHash("sha256").update(`${relative}\n${seen.size}\n${seen.mtimeMs}`).digest("hex");
    const id = `${jobIdPrefix(source.name)}-${digest.slice(0, 20)}`;
    const builder = await JobBuilder.begin(options.spoolDir, id, { now: options.now });
    if (builder !== undefined) {
      const name = path.basename(file);
      await builder.addDocument(name, contentTypeForName(name), createReadStream(file));
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
    await unlink(file);
  }
}

async function listFiles(root: string): Promise<string[]> {
  const files: string[] = [];
  for (const entry of await readdir(root, { withFileTypes: true })) {
    if (entry.name.startsWith(".")) continue;
    const full = path.join(root, entry.name);
    if (entry.isFile()) files.push(full);
    else if (entry.isDirectory()) {
      for (const inner of await readdir(full, { withFileTypes: true })) {
        if (inner.isFile() && !inner.name.startsWith(".")) files.push(path.join(full, inner.name));
      }
    }
  }
  return files.sort();
}
