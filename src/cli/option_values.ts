/** Option values by long name, as `parseArgs` returns them: `true` for a switch, the text for an option with a value. */
export type OptionValues = Readonly<Record<string, string | true>>;

/** True when the switch `--name` was given. */
export function flag(options: OptionValues, name: string): boolean {
  return options[name] === true;
}

/** The value of `--name VALUE`, or undefined when it was not given. */
export function text(options: OptionValues, name: string): string | undefined {
  const value = options[name];
  return typeof value === "string" ? value : undefined;
}
