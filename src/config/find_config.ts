import { existsSync } from "node:fs";
import * as path from "node:path";
import { ConfigError } from "./errors.ts";

export interface FindConfigOptions {
  /** `--config PATH`, when given. */
  readonly flag: string | undefined;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
  /** Folder of the mps binary; undefined when running from source. */
  readonly executableDir: string | undefined;
}

const DEFAULT_RELATIVE = path.join("conf", "mps.config");

/**
 * Picks the config file: `--config`, else `MPS_CONFIG`, else `conf/mps.config` under the
 * working directory, else beside the executable. Only the last two are checked for existence
 * here: a path the admin named is reported by the loader, with its own message.
 */
export function findConfig(options: FindConfigOptions): string {
  if (options.flag !== undefined) return options.flag;
  const fromEnv = options.env["MPS_CONFIG"];
  if (fromEnv !== undefined && fromEnv !== "") return fromEnv;
  const candidates = [path.join(options.cwd, DEFAULT_RELATIVE)];
  if (options.executableDir !== undefined) candidates.push(path.join(options.executableDir, DEFAULT_RELATIVE));
  const found = candidates.find((candidate) => existsSync(candidate));
  if (found !== undefined) {
    return path.relative(options.cwd, found).startsWith("..") ? found : path.relative(options.cwd, found);
  }
  throw new ConfigError(
    candidates[0] ?? DEFAULT_RELATIVE,
    `the file does not exist (no --config was given, MPS_CONFIG is not set, and none of ${
      candidates.map((candidate) => `'${candidate}'`).join(", ")
    } exists)`,
  );
}
