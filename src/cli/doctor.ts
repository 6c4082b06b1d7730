import * as path from "node:path";
import type { Config } from "../config/index.ts";
import { configFailureResults, doctorReport, renderText, runDoctor } from "../doctor/index.ts";
import type { CheckResult } from "../doctor/index.ts";
import { createImapFlow } from "../imap/index.ts";
import type { ImapClientFactory } from "../imap/index.ts";
import { UsageError } from "../shared/errors.ts";
import { VERSION } from "../version.ts";
import { networkFor } from "./network.ts";
import type { CliContext, CommandHandler, ConfigFailureHandler } from "./context.ts";
import { flag } from "./option_values.ts";
import type { OptionValues } from "./option_values.ts";

/** The options of `mps doctor`, typed. */
interface DoctorFlags {
  readonly json: boolean;
  /** `--source NAME`: check only this source. */
  readonly source: string | undefined;
  readonly offline: boolean;
  readonly noWrite: boolean;
}

function doctorFlags(options: OptionValues): DoctorFlags {
  const source = options["source"];
  if (source === true || source?.trim() === "") throw new UsageError("option '--source' needs a source name");
  return { json: flag(options, "json"), source, offline: flag(options, "offline"), noWrite: flag(options, "no-write") };
}

function wantsColor(context: CliContext): boolean {
  const noColor = context.env["NO_COLOR"];
  return context.interactive && (noColor === undefined || noColor === "");
}

function describeSources(config: Config | undefined): Map<string, string> {
  const about = new Map<string, string>();
  for (const source of config?.emailSources ?? []) {
    about.set(
      source.name,
      `${source.type} ${source.userName || "(no userName)"}${
        source.mailbox === undefined || source.type === "Imap" ? "" : ` (shared mailbox ${source.mailbox})`
      } at ${source.host}:${source.port}, folder '${source.folder}'`,
    );
  }
  for (const source of config?.folderSources ?? []) about.set(source.name, `folder ${source.location}`);
  const replies = config?.notifications;
  if (replies !== undefined) {
    about.set(
      "<notifications>",
      `replies to senders from ${replies.from} through ${replies.host}:${replies.port} (${replies.secure}, ${replies.auth})`,
    );
  }
  return about;
}

function print(
  context: CliContext,
  options: OptionValues,
  results: readonly CheckResult[],
  config: Config | undefined,
  file: string | null,
): number {
  const flags = doctorFlags(options);
  const report = doctorReport(results, {
    version: VERSION,
    config: file,
    source: flags.source,
    offline: flags.offline,
    noWrite: flags.noWrite,
  });
  if (flags.json) context.stdout(`${JSON.stringify(report, null, 2)}\n`);
  else context.stdout(renderText(report, { color: wantsColor(context), sources: describeSources(config) }));
  return report.exitCode;
}

/**
 * `mps doctor [--json] [--source NAME] [--offline] [--no-write]`: runs every check and prints
 * each finding with its fix. Exit code 0 all checks pass, 1 warnings only, 2 a check failed.
 */
export function createDoctorCommand(settings: { createClient?: ImapClientFactory } = {}): CommandHandler {
  return async ({ context, config, options }) => {
    const network = networkFor(context, config);
    const flags = doctorFlags(options);
    const results = await runDoctor({
      config,
      env: context.env,
      now: context.now,
      fetch: network.fetch,
      localFetch: context.fetch,
      proxies: network.proxies,
      createClient: settings.createClient ?? createImapFlow,
      sourceName: flags.source,
      offline: flags.offline,
      noWrite: flags.noWrite,
    });
    return print(context, options, results, config, config.file);
  };
}

export const doctorCommand: CommandHandler = createDoctorCommand();

/**
 * `mps doctor --json` when the config cannot be found, read or validated: besides the usual
 * message on stderr, the report (config.load failed, the rest skipped), so that scripts reading
 * stdout always get one JSON object. Exit code 2.
 */
export const doctorConfigFailure: ConfigFailureHandler = (context, options, error) => {
  if (!flag(options, "json")) return;
  const absolute = path.resolve(context.cwd, error.file);
  print(context, options, configFailureResults(error, absolute), undefined, absolute);
};
