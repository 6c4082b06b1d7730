import { parseArgs as tokenize } from "node:util";
import { UsageError } from "../shared/errors.ts";
import { COMMANDS, findCommand, GLOBAL_OPTIONS } from "./commands.ts";
import type { CommandSpec, OptionSpec } from "./commands.ts";
import type { OptionValues } from "./option_values.ts";

export interface ParsedArgs {
  /** Undefined when no command was given (`mps --version`, `mps --help`). */
  readonly command: CommandSpec | undefined;
  readonly positionals: readonly string[];
  /** Option values by long name: `true` for switches, the string for options with a value. */
  readonly options: OptionValues;
}

type Token = ReturnType<typeof tokensOf>[number];

/**
 * Parses the command line with `node:util` `parseArgs`, then applies mps's rules and words: global options may
 * stand before or after the command; a command's own options may stand anywhere after the program name.
 * Throws `UsageError` with a one-line reason.
 */
export function parseArgs(argv: readonly string[]): ParsedArgs {
  const command = locateCommand(argv);
  const allowed = [...GLOBAL_OPTIONS, ...(command?.options ?? [])];
  const options: Record<string, string | true> = {};
  const positionals: string[] = [];
  let commandSeen = false;
  for (const token of tokensOf(argv, allowed)) {
    if (token.kind === "option-terminator") continue;
    if (token.kind === "positional") {
      if (command !== undefined && !commandSeen && token.value === command.name) commandSeen = true;
      else positionals.push(token.value);
      continue;
    }
    const written = argv[token.index] ?? "";
    const spec = wholeToken(token, written) ? allowed.find((option) => option.name === token.name) : undefined;
    if (spec === undefined) {
      const where = command === undefined ? "" : ` for '${command.name}'`;
      throw new UsageError(`unknown option '${flagOf(written)}'${where}`);
    }
    if (spec.value === undefined) {
      if (token.inlineValue === true) throw new UsageError(`option '--${spec.name}' takes no value: got '${written}'`);
      options[spec.name] = true;
      continue;
    }
    const value = token.value;
    if (value === undefined || (token.inlineValue !== true && value.startsWith("-") && value !== "-")) {
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

/** Tokens of the command line, options typed by `specs`; unknown options come out as options too. */
function tokensOf(argv: readonly string[], specs: readonly OptionSpec[]) {
  const options = Object.fromEntries(
    specs.map((spec) => [
      spec.name,
      {
        type: spec.value === undefined ? "boolean" as const : "string" as const,
        ...(spec.short ? { short: spec.short } : {}),
      },
    ]),
  );
  return tokenize({ args: [...argv], options, strict: false, allowPositionals: true, tokens: true }).tokens;
}

/** The first word that is not an option or an option's value. */
function locateCommand(argv: readonly string[]): CommandSpec | undefined {
  const everyOption = [...GLOBAL_OPTIONS, ...COMMANDS.flatMap((command) => command.options)];
  for (const token of tokensOf(argv, everyOption)) {
    if (token.kind === "option-terminator") return undefined;
    if (token.kind !== "positional") continue;
    const command = findCommand(token.value);
    if (command === undefined) throw new UsageError(`unknown command '${token.value}'`);
    return command;
  }
  return undefined;
}

/**
 * False when the token is one of several that one word was split into: short options run together (`-hy`) or
 * a short option with more after it, which mps does not accept.
 */
function wholeToken(token: Token & { kind: "option" }, written: string): boolean {
  return written.startsWith("--") || written === token.rawName;
}

/** The option as written, without an `=value`. */
function flagOf(written: string): string {
  const equals = written.indexOf("=");
  return written.startsWith("--") && equals >= 0 ? written.slice(0, equals) : written;
}

function countWords(names: readonly string[]): string {
  if (names.length === 0) return "no arguments";
  return names.map((name) => `<${name}>`).join(" ");
}
