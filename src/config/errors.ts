import { MpsError } from "../shared/errors.ts";
import type { FolderSource } from "./types.ts";

/** The config file cannot be used: exit code 2. The message names file, line, element and attribute. */
export class ConfigError extends MpsError {
  static readonly CODE = "ERR_CONFIG";
  readonly file: string;
  readonly line: number | undefined;
  constructor(file: string, detail: string, options: { cause?: unknown; line?: number } = {}) {
    const where = options.line === undefined ? "" : `line ${options.line}: `;
    super(ConfigError.CODE, `Cannot load config '${file}': ${where}${detail}`, { cause: options.cause });
    this.file = file;
    this.line = options.line;
  }
}

export const ERR_FOLDER_SOURCE = "ERR_FOLDER_SOURCE";

/** A folder source's folder cannot be read: `mps run` and `mps doctor` raise the same error. */
export class FolderSourceError extends MpsError {
  static readonly CODE = ERR_FOLDER_SOURCE;

  /** The folder cannot be read or its files deleted; `reason` says why in plain words. */
  static unreadable(location: string, reason: string, cause: unknown): FolderSourceError {
    return new FolderSourceError(`Cannot read folder source '${location}': ${reason}`, {
      cause,
      fix: "Check that the folder exists and the account mps runs as may read and delete files in it",
    });
  }

  /** A Windows path or admin share, read by mps on another system. */
  static windowsPath(source: FolderSource): FolderSourceError {
    return new FolderSourceError(
      `Folder source '${source.name}' reads the Windows path '${source.location}', which only mps on Windows can open`,
      {
        fix:
          `Mount the share on this machine and set path="…" of the folder source (config line ${source.line}) to the mount point.`,
      },
    );
  }

  private constructor(message: string, options: { cause?: unknown; fix: string }) {
    super(FolderSourceError.CODE, message, options);
  }
}
