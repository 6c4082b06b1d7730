/** One command-line option. `value` names the argument of options that take one. */
export interface OptionSpec {
  readonly name: string;
  readonly short?: string;
  readonly value?: string;
  readonly description: string;
}

export interface CommandSpec {
  readonly name: string;
  readonly summary: string;
  readonly positionals: readonly string[];
  readonly options: readonly OptionSpec[];
  readonly details: string;
}

export const GLOBAL_OPTIONS: readonly OptionSpec[] = [
  {
    name: "config",
    value: "PATH",
    description: "config file (else MPS_CONFIG, else conf/mps.config in the working folder, else beside the binary)",
  },
  { name: "help", short: "h", description: "show help (for a command: mps <command> --help)" },
  { name: "version", short: "V", description: "print the version and exit" },
];

export const COMMANDS: readonly CommandSpec[] = [
  {
    name: "login",
    summary: "sign a mailbox in with OAuth 2.0 and store its tokens encrypted",
    positionals: ["provider", "username"],
    options: [
      { name: "no-browser", description: "do not open a browser: print the sign-in URL on its own line and wait" },
      { name: "device-code", description: "sign in on another device with a code (for servers without a browser)" },
      { name: "port", value: "N", description: "loopback port for the redirect (default: a free port)" },
      { name: "timeout", value: "SECONDS", description: "how long to wait for the sign-in (default 300)" },
    ],
    details: "Provider is the name of an <oauth> <provider> in the config (case-insensitive), e.g.\n" +
      "  mps login microsoft print@contoso.com",
  },
  {
    name: "run",
    summary: "run the downloader for every source, serving /health and /metrics",
    positionals: [],
    options: [
      { name: "once", description: "run one cycle of every source, then exit with the worst exit code" },
    ],
    details: "Exit codes with --once: 0 every source succeeded, 1 a source failed, 2 config error.",
  },
  {
    name: "doctor",
    summary: "check config, storage, tokens, network and mailbox rights, and print each fix",
    positionals: [],
    options: [
      { name: "json", description: "print one JSON object with every check" },
      { name: "source", value: "NAME", description: "check only this source" },
      { name: "offline", description: "skip the checks that need the network" },
      { name: "no-write", description: "do not append a test message to the mailbox" },
    ],
    details: "Exit codes: 0 all checks pass, 1 warnings only, 2 a check failed.",
  },
  {
    name: "reset-storage",
    summary: "delete stored tokens: all of them, or one user's or one provider's",
    positionals: [],
    options: [
      { name: "user", value: "USER", description: "only this user's tokens" },
      { name: "provider", value: "PROVIDER", description: "only this provider's tokens" },
      { name: "yes", short: "y", description: "do not ask (required when not run interactively)" },
    ],
    details: "Without --yes and without a terminal to ask on, nothing is deleted and the exit code is 2.",
  },
];

export function findCommand(name: string): CommandSpec | undefined {
  return COMMANDS.find((command) => command.name === name);
}
