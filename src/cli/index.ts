import { MpsError, UsageError } from "../shared/errors.ts";
import { ERR_PROXY_CONFIG, ProxyError } from "../shared/proxy.ts";
import { VERSION } from "../version.ts";
import { findCommand } from "./commands.ts";
import type { CliContext, CommandHandler, ConfigFailureHandler } from "./context.ts";
import { commandHelp, globalHelp, usageLine } from "./help.ts";
import { flag, text } from "./option_values.ts";
import { parseArgs } from "./parse_args.ts";

export type { CliContext } from "./context.ts";

/** A command, loaded when it runs. */
interface LazyCommand {
  readonly run: () => Promise<CommandHandler>;
  readonly configFailed?: () => Promise<ConfigFailureHandler>;
}

// Commands, and the config loader, are loaded only when a command runs: `--version`, `--help`
// and a usage error start in about the time of the bare runtime instead of loading (and, in the
// binary, evaluating) the IMAP client, the HTTP server and the mail converter first.
const COMMANDS: Readonly<Record<string, LazyCommand>> = {
  login: { run: async () => (await import("./login.ts")).loginCommand },
  run: { run: async () => (await import("./run.ts")).runCommand },
  // scripts reading `doctor --json` still get a report: config.load failed, the rest skipped
  doctor: {
    run: async () => (await import("./doctor.ts")).doctorCommand,
    configFailed: async () => (await import("./doctor.ts")).doctorConfigFailure,
  },
  "reset-storage": { run: async () => (await import("./reset_storage.ts")).resetStorageCommand },
};

export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;

/** Runs one command line and returns the exit code. */
export async function runCli(argv: readonly string[], context: CliContext): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    const named = argv.map((token) => findCommand(token)).find((spec) => spec !== undefined);
    context.stderr(
      `mps: ${error.message}\n${usageLine(named)}\n` +
        `Run 'mps --help' for the list of commands and options.\n`,
    );
    return EXIT_USAGE;
  }
  const { command, options, positionals } = parsed;
  if (flag(options, "help")) {
    context.stdout(command === undefined ? globalHelp() : commandHelp(command));
    return EXIT_OK;
  }
  if (flag(options, "version")) {
    context.stdout(`mps ${VERSION}\n`);
    return EXIT_OK;
  }
  if (command === undefined) {
    context.stderr(`mps: no command given\n${usageLine()}\nRun 'mps --help' for the list of commands.\n`);
    return EXIT_USAGE;
  }
  const handler = COMMANDS[command.name];
  if (handler === undefined) throw new Error(`No handler for command '${command.name}'`);
  const { ConfigError, findConfig, loadConfig } = await import("../config/index.ts");
  let loaded = false;
  try {
    const file = findConfig({
      flag: text(options, "config"),
      env: context.env,
      cwd: context.cwd,
      executableDir: context.executableDir,
    });
    const config = await loadConfig(file, { env: context.env });
    loaded = true;
    for (const warning of config.warnings) context.stderr(`mps: warning: ${warning}\n`);
    const run = await handler.run();
    return await run({ context, config, positionals, options });
  } catch (error) {
    const code = reportError(error, context, error instanceof ConfigError);
    if (!loaded && error instanceof ConfigError && handler.configFailed !== undefined) {
      (await handler.configFailed())(context, options, error);
    }
    return code;
  }
}

function reportError(error: unknown, context: CliContext, configError: boolean): number {
  if (configError && error instanceof MpsError) {
    context.stderr(`mps: ${error.message}\n`);
    return EXIT_USAGE;
  }
  if (error instanceof UsageError || (error instanceof ProxyError && error.code === ERR_PROXY_CONFIG)) {
    context.stderr(`mps: ${error.message}\n`);
    return EXIT_USAGE;
  }
  if (error instanceof MpsError) {
    context.stderr(`mps: ${error.message}\n${error.fix ? `Fix: ${error.fix}\n` : ""}`);
    return EXIT_FAILED;
  }
  const text = error instanceof Error ? error.message : String(error);
  context.stderr(`mps: unexpected error: ${text}\n`);
  return EXIT_FAILED;
}
