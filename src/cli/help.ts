import { VERSION } from "../version.ts";
import { COMMANDS, GLOBAL_OPTIONS } from "./commands.ts";
import type { CommandSpec, OptionSpec } from "./commands.ts";

export function usageLine(command?: CommandSpec): string {
  if (command === undefined) return "Usage: mps [--config PATH] <command> [options]";
  const positionals = command.positionals.map((name) => ` <${name}>`).join("");
  const options = command.options.map((option) => ` [--${option.name}${option.value ? ` ${option.value}` : ""}]`)
    .join("");
  return `Usage: mps ${command.name}${positionals}${options} [--config PATH]`;
}

export function globalHelp(): string {
  const width = Math.max(...COMMANDS.map((command) => command.name.length));
  return [
    `mps ${VERSION}: email-to-print downloader (OAuth 2.0 mailboxes over IMAP into a print spool)`,
    "",
    usageLine(),
    "",
    "Commands:",
    ...COMMANDS.map((command) => `  ${command.name.padEnd(width)}  ${command.summary}`),
    "",
    "Options:",
    ...formatOptions(GLOBAL_OPTIONS),
    "",
    "Exit codes: 0 success, 1 the operation failed, 2 usage or config error.",
    "Run 'mps <command> --help' for a command's options.",
    "",
  ].join("\n");
}

export function commandHelp(command: CommandSpec): string {
  return [
    `mps ${command.name}: ${command.summary}`,
    "",
    usageLine(command),
    "",
    "Options:",
    ...formatOptions([...command.options, ...GLOBAL_OPTIONS]),
    "",
    command.details,
    "",
  ].join("\n");
}

function formatOptions(options: readonly OptionSpec[]): string[] {
  const labels = options.map((option) =>
    `${option.short ? `-${option.short}, ` : "    "}--${option.name}${option.value ? ` ${option.value}` : ""}`
  );
  const width = Math.max(...labels.map((label) => label.length));
  return options.map((option, index) => `  ${(labels[index] ?? "").padEnd(width)}  ${option.description}`);
}
