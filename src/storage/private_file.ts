import { link, mkdtemp, rm } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import process from "node:process";
import { mkdirPrivate, protectPath } from "../shared/private_path.ts";
import { writeNewFile } from "../shared/durable_file.ts";
import { syncPath } from "../shared/sync_path.ts";
import { createExclusiveFile } from "./exclusive_file.ts";

/**
 * Creates `path` with `content` only if it does not exist yet (EEXIST otherwise), readable by
 * this account alone. On Linux: mode 0600 in a folder made 0700 if mps makes it. On Windows the
 * file must never exist with its folder's ACL, even for a moment (the key file sits beside the
 * config, a folder others may read): it is written inside a new staging folder that already has
 * the protected ACL, so it inherits only that, then hard-linked to `path` (a link is the same
 * file, with the same ACL), made explicit there, and the staging folder removed.
 */
export async function createPrivateFile(
  path: string,
  content: string,
  platform: string = process.platform,
): Promise<void> {
  await mkdirPrivate(dirname(path));
  if (platform !== "win32") return createExclusiveFile(path, content);
  const staging = await mkdtemp(join(dirname(path), `.${basename(path)}.`));
  try {
    await protectPath(staging, platform);
    const temp = join(staging, basename(path));
    await writeNewFile(temp, content);
    await link(temp, path);
    await protectPath(path, platform);
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
  await syncPath(dirname(path));
}
