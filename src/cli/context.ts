import type { Config, ConfigError } from "../config/index.ts";
import type { OptionValues } from "./option_values.ts";

/** Everything a command touches outside itself, so tests can run commands in-process. */
export interface CliContext {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
  readonly executableDir: string | undefined;
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  /** A person at a terminal: prompts may be shown and console logging is on. */
  readonly interactive: boolean;
  /** Reads one line from the terminal (for confirmations); undefined when there is none. */
  readonly prompt: ((question: string) => Promise<string | undefined>) | undefined;
  readonly now: () => number;
  readonly fetch: typeof globalThis.fetch;
  /** Aborted on SIGINT/SIGTERM: long-running commands finish their current step and return. */
  readonly shutdown: AbortSignal;
}

export interface CommandInput {
  readonly context: CliContext;
  readonly config: Config;
  readonly positionals: readonly string[];
  readonly options: OptionValues;
}

/** A command returns its exit code; only main.ts exits. */
export type CommandHandler = (input: CommandInput) => Promise<number>;

/**
 * What a command adds when its config cannot be found, read or validated, after the error was reported on
 * stderr (the exit code stays 2).
 */
export type ConfigFailureHandler = (context: CliContext, options: CommandInput["options"], error: ConfigError) => void;

export interface Command {
  readonly run: CommandHandler;
  readonly configFailed?: ConfigFailureHandler;
}
