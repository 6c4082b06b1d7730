import { ConfigError } from "../config/index.ts";
import type { Config } from "../config/index.ts";
import { MpsError } from "../shared/errors.ts";
import { blockedBy, fail, pass, warn } from "./check_result.ts";
import type { CheckResult } from "./check_result.ts";
import { WARN_CONFIG_IGNORED } from "./errors.ts";

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? "" : "s"}`;
}

/** `config.load`: the file loaded; its warnings (unknown elements, settings that cannot work) make it a warning. */
export function checkConfigLoad(config: Config): CheckResult {
  const what = [
    plural(config.emailSources.length, "email source"),
    plural(config.folderSources.length, "folder source"),
    plural(config.oauth.providers.length, "OAuth provider"),
  ].join(", ");
  const details = { file: config.file, ...(config.warnings.length === 0 ? {} : { warnings: [...config.warnings] }) };
  if (config.warnings.length === 0) {
    return pass("config.load", null, `Loaded '${config.displayPath}': ${what}`, details);
  }
  return warn(
    "config.load",
    null,
    WARN_CONFIG_IGNORED,
    `Loaded '${config.displayPath}' (${what}) with ${plural(config.warnings.length, "warning")}: ${
      config.warnings[0] ?? ""
    }`,
    "Correct or remove what the warnings name (all of them are in details, and on stderr); mps ignores those parts of the file.",
    details,
  );
}

/** Checks of the installation that cannot run without a config: reported as skipped. */
const NEED_CONFIG = [
  "paths.spool",
  "paths.failed",
  "paths.storage",
  "paths.log",
  "disk.free",
  "config.communicator",
  "http.port",
  "token.unused",
];

/** The whole report when the config cannot be found, read or validated: `config.load` failed, the rest skipped. */
export function configFailureResults(error: unknown, file: string | undefined): CheckResult[] {
  const load = checkConfigFailure(error, file);
  return [load, ...NEED_CONFIG.map((id) => blockedBy(id, null, load) ?? load)];
}

/** `config.load` when the file cannot be found or read, or is not valid. */
function checkConfigFailure(error: unknown, file: string | undefined): CheckResult {
  const message = error instanceof Error ? error.message : String(error);
  const code = error instanceof MpsError ? error.code : ConfigError.CODE;
  const fix = /does not exist/.test(message)
    ? "Name the config file with --config PATH or MPS_CONFIG, or put it at conf/mps.config in the working folder."
    : "Correct mps.config where the message says (file, line, element and attribute), then run `mps doctor` again.";
  return fail("config.load", null, code, message, fix, file === undefined ? undefined : { file });
}

/** `config.communicator`: the old print backend's element is accepted and not used (a note, not a warning). */
export function checkCommunicator(config: Config): CheckResult {
  if (config.communicatorLine === undefined) {
    return pass(
      "config.communicator",
      null,
      "No <communicator> element (the old print backend's setting, which mps does not need)",
    );
  }
  return pass(
    "config.communicator",
    null,
    `Note: <communicator> on line ${config.communicatorLine} belongs to the old print backend; mps accepts it and does not use it (it may stay or be removed)`,
    { line: config.communicatorLine },
  );
}
