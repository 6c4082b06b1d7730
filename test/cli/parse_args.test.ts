import assert from "node:assert/strict";
import { test } from "node:test";
import { parseArgs } from "../../src/cli/parse_args.ts";
import { UsageError } from "../../src/shared/errors.ts";

test("accepts global options before or after the command", () => {
  const before = parseArgs(["--config", "x.config", "run", "--once"]);
  const after = parseArgs(["run", "--once", "--config=x.config"]);
  for (const parsed of [before, after]) {
    assert.equal(parsed.command?.name, "run");
    assert.deepEqual(parsed.options, { config: "x.config", once: true });
  }
});

test("reads positionals and options of login in any order", () => {
  const parsed = parseArgs(["login", "--no-browser", "Microsoft", "--port", "8400", "print@contoso.com"]);
  assert.deepEqual(parsed.positionals, ["Microsoft", "print@contoso.com"]);
  assert.deepEqual(parsed.options, { "no-browser": true, port: "8400" });
});

test("accepts short forms of help, version and yes", () => {
  assert.deepEqual(parseArgs(["-V"]).options, { version: true });
  assert.deepEqual(parseArgs(["reset-storage", "-y"]).options, { yes: true });
  assert.deepEqual(parseArgs(["doctor", "-h"]).options, { help: true });
});

test("does not require positionals when help is asked for", () => {
  assert.equal(parseArgs(["login", "--help"]).command?.name, "login");
});

const errors: Array<[string[], string]> = [
  [["print"], "unknown command 'print'"],
  [["run", "--fast"], "unknown option '--fast' for 'run'"],
  [["--fast"], "unknown option '--fast'"],
  [["doctor", "--once"], "unknown option '--once' for 'doctor'"],
  [["run", "--once=yes"], "option '--once' takes no value: got '--once=yes'"],
  [["doctor", "--source"], "option '--source' needs a value (NAME)"],
  [["doctor", "--source", "--json"], "option '--source' needs a value (NAME)"],
  [["login", "microsoft"], "'login' needs <username>"],
  [["login"], "'login' needs <provider>"],
  [["login", "a", "b", "c"], "'login' takes <provider> <username>: got an extra 'c'"],
  [["run", "now"], "'run' takes no arguments: got an extra 'now'"],
];

for (const [argv, message] of errors) {
  test(`refuses 'mps ${argv.join(" ")}' with "${message}"`, () => {
    assert.throws(() => parseArgs(argv), (error: unknown) => {
      assert.ok(error instanceof UsageError);
      assert.equal(error.message, message);
      return true;
    });
  });
}
