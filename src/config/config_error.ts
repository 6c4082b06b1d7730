import { MpsError } from "../shared/errors.ts";

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
