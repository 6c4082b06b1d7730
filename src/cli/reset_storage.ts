import { describeHolder, normalizeName, openTokenStore, StorageLockTimeoutError } from "../storage/index.ts";
import type { TokenEntry } from "../storage/index.ts";
import { UsageError } from "../shared/errors.ts";
import type { CommandHandler } from "./context.ts";
import { flag } from "./option_values.ts";

const EXIT_OK = 0;
const EXIT_FAILED = 1;
const EXIT_USAGE = 2;

export type ResetStorageOptions = {
  /** How long to wait for the storage lock (a running `mps run` refreshing a token); default 30 s. */
  lockTimeoutMs?: number;
};

function optionText(value: string | true | undefined, name: string): string | undefined {
  if (value === undefined) return undefined;
  if (value === true || value.trim() === "") throw new UsageError(`option '--${name}' needs a value`);
  return value;
}

function describe(entry: TokenEntry): string {
  const note = entry.error === undefined ? "" : `  (unreadable: ${entry.error.message})`;
  return `  ${entry.provider} / ${entry.username}  ${entry.path}${note}\n`;
}

/**
 * `mps reset-storage [--user U] [--provider P] [--yes]`: lists the token files that match,
 * asks (interactive) or needs `--yes` (otherwise exit 2), then deletes them under the
 * storage lock. Declining at the prompt deletes nothing and exits 1.
 */
export function createResetStorageCommand(settings: ResetStorageOptions = {}): CommandHandler {
  return async ({ context, config, options }) => {
    const user = optionText(options["user"], "user");
    const provider = optionText(options["provider"], "provider");
    const store = openTokenStore({
      storageDir: config.oauth.storageDir,
      keyFile: config.oauth.keyFile,
      env: context.env,
      now: context.now,
      lockOwner: "mps reset-storage",
      ...(settings.lockTimeoutMs === undefined ? {} : { lockTimeoutMs: settings.lockTimeoutMs }),
    });
    const filter = {
      ...(user === undefined ? {} : { username: user }),
      ...(provider === undefined ? {} : { provider }),
    };
    const matches = (e: TokenEntry): boolean =>
      (user === undefined || e.username === normalizeName(user)) &&
      (provider === undefined || e.provider === normalizeName(provider));
    const all = await store.list();
    const chosen = all.filter(matches);
    const scope = [
      user === undefined ? "" : ` for user '${user}'`,
      provider === undefined ? "" : ` of provider '${provider}'`,
    ].join("");

    if (chosen.length === 0) {
      context.stdout(`No stored tokens${scope} in '${config.oauth.storageDir}': nothing to delete.\n`);
      if (all.length > 0) context.stdout(`Stored tokens:\n${all.map(describe).join("")}`);
      return EXIT_OK;
    }
    const count = `${chosen.length} token file${chosen.length === 1 ? "" : "s"}`;
    context.stdout(`These ${count}${scope} will be deleted:\n${chosen.map(describe).join("")}`);

    if (!flag(options, "yes")) {
      if (context.prompt === undefined) {
        context.stderr(
          `mps: nothing deleted: not running interactively, so there is no one to confirm; ` +
            `add --yes to delete these ${count}.\n`,
        );
        return EXIT_USAGE;
      }
      const answer = (await context.prompt(`Delete ${count}? [y/N] `))?.trim() ?? "";
      if (!/^y(es)?$/i.test(answer)) {
        context.stdout("Nothing deleted.\n");
        return EXIT_FAILED;
      }
    }

    const holder = await store.lockHolder();
    if (holder !== undefined && !holder.stale) {
      context.stdout(`Waiting for the token storage lock, held by ${describeHolder(holder)}...\n`);
    }
    let deleted: TokenEntry[];
    try {
      deleted = await store.remove(filter);
    } catch (error) {
      if (!(error instanceof StorageLockTimeoutError)) throw error;
      const pid = error.holder.pid === undefined ? "" : ` (pid ${error.holder.pid})`;
      context.stderr(
        `mps: nothing deleted: ${
          describeHolder(error.holder)
        } still holds the token storage lock '${error.holder.path}'.\n` +
          `Fix: stop ${
            error.holder.owner ?? "that process"
          }${pid} (for a service: stop the mps service first), then run reset-storage again; ` +
          `if no such process runs any more, delete '${error.holder.path}'.\n`,
      );
      return EXIT_FAILED;
    }
    if (deleted.length === 0) {
      context.stdout("Nothing deleted: the files were already gone.\n");
      return EXIT_OK;
    }
    context.stdout(
      `Deleted ${deleted.length} token file${deleted.length === 1 ? "" : "s"}:\n${deleted.map(describe).join("")}`,
    );
    return EXIT_OK;
  };
}

export const resetStorageCommand: CommandHandler = createResetStorageCommand();
