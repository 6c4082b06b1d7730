import { UsageError } from "../shared/errors.ts";
import { COMMANDS, findCommand, GLOBAL_OPTIONS } from "./commands.ts";
import type { CommandSpec, OptionSpec } from "./commands.ts";

export interface ParsedArgs {
  /** Undefined when no command was given (`mps --version`, `mps --help`). */
  readonly command: CommandSpec | undefined;
  readonly positionals: readonly string[];
  /** Option values by long name: `true` for switches, the string for options with a value. */
  readonly options: Readonly<Record<string, string | true>>;
}

/**
 * Parses the command line. Global options may stand before or after the command; a command's
 * own options may stand anywhere after the program name. Throws `UsageError` with a one-line reason.
 */
export function parseArgs(argv: readonly string[]): ParsedArgs {
  const command = locateCommand(argv);
  const allowed = [...GLOBAL_OPTIONS, ...(command?.options ?? [])];
  const options: Record<string, string | true> = {};
  const positionals: string[] = [];
  let commandSeen = false;
  for (let index = 0; index < argv.length; index++) {
    const token = argv[index] ?? "";
    if (token === "--") {
      positionals.push(...argv.slice(index + 1));
      break;
    }
    if (!token.startsWith("-") || token === "-") {
      if (command !== undefined && !commandSeen && token === command.name) commandSeen = true;
      else positionals.push(token);
      continue;
    }
    const [flag, inline] = splitInline(token);
    const spec = lookup(allowed, flag);
    if (spec === undefined) {
      const where = command === undefined ? "" : ` for '${command.name}'`;
      throw new UsageError(`unknown option '${flag}'${where}`);
    }
    if (spec.value === undefined) {
      if (inline !== undefined) throw new UsageError(`option '--${spec.name}' takes no value: got '${token}'`);
      options[spec.name] = true;
      continue;
    }
    const value = inline ?? argv[++index];
    if (value === undefined || (inline === undefined && value.startsWith("-") && value !== "-")) {
      throw new UsageError(`option '--${spec.name}' needs a value (${spec.value})`);
    }
    options[spec.name] = value;
  }
  if (command === undefined && positionals.length > 0) {
    throw new UsageError(`unknown command '${positionals[0]}'`);
  }
  if (command !== undefined && options["help"] === undefined) {
    if (positionals.length > command.positionals.length) {
      throw new UsageError(
        `'${command.name}' takes ${countWords(command.positionals)}: got an extra '${
          positionals[command.positionals.length]
        }'`,
      );
    }
    const missing = command.positionals[positionals.length];
    if (missing !== undefined) throw new UsageError(`'${command.name}' needs <${missing}>`);
  }
  return { command, positionals, options };
}

/** The first word that is not an option or an option's value. */
function locateCommand(argv: readonly string[]): CommandSpec | undefined {
  const everyOption = [...GLOBAL_OPTIONS, ...COMMANDS.flatMap((command) => command.options)];
  for (let index = 0; index < argv.length; index++) {
    const token = argv[index] ?? "";
    if (token === "--") return undefined;
    if (token.startsWith("-") && token !== "-") {
      const [flag, inline] = splitInline(token);
      if (inline === undefined && lookup(everyOption, flag)?.value !== undefined) index++;
      continue;
    }
    const command = findCommand(token);
    if (command === undefined) throw new UsageError(`unknown command '${token}'`);
    return command;
  }
  return undefined;
}

function splitInline(token: string): [string, string | undefined] {
  const equals = token.indexOf("=");
  if (!token.startsWith("--") || equals < 0) return [token, undefined];
  return [token.slice(0, equals), token.slice(equals + 1)];
}

function lookup(specs: readonly OptionSpec[], flag: string): OptionSpec | undefined {
  if (flag.startsWith("--")) return specs.find((spec) => spec.name === flag.slice(2));
  return specs.find((spec) => spec.short !== undefined && `-${spec.short}` === flag);
}

function countWords(names: readonly string[]): string {
  if (names.length === 0) return "no arguments";
  return names.map((name) => `<${name}>`).join(" ");
}
