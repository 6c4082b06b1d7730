import assert from "node:assert/strict";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, test } from "node:test";
import { createRotatingFile, LogFileError, LogOptionError } from "../../src/log/index.ts";
import type { LogFileError as LogFileErrorType } from "../../src/log/index.ts";

let root = "";
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), "mps-log-rotate-"));
});
afterEach(() => {
  rmSync(root, { recursive: true, force: true });
});

/** Lines `line 0000` … of 10 bytes each (with the newline). */
function numbered(index: number): string {
  return `line ${String(index).padStart(4, "0")}\n`;
}

function logFiles(folder: string): string[] {
  return readdirSync(folder).filter((name) => name.startsWith("mps.log")).sort();
}

/** All lines in order: the oldest rotated file first, mps.log last. */
function allLines(path: string, maxFiles: number): string[] {
  const files = [];
  for (let index = maxFiles; index >= 1; index--) files.push(`${path}.${index}`);
  files.push(path);
  return files.filter((file) => existsSync(file)).flatMap((file) =>
    readFileSync(file, "utf8").split("\n").filter((line) => line !== "")
  );
}

describe("rotating log file", () => {
  test("creates the missing log folder and the file", () => {
    const path = join(root, "logs", "nested", "mps.log");
    const file = createRotatingFile({ path });
    file.write(numbered(1));
    file.close();
    assert.equal(readFileSync(path, "utf8"), "line 0001\n");
  });

  test("appends to the lines an earlier run left", () => {
    const path = join(root, "mps.log");
    writeFileSync(path, "earlier run\n");
    const file = createRotatingFile({ path });
    file.write("this run\n");
    file.close();
    assert.equal(readFileSync(path, "utf8"), "earlier run\nthis run\n");
  });

  test("keeps at most maxFiles rotated files, with the newest lines in mps.log", () => {
    const path = join(root, "mps.log");
    const file = createRotatingFile({ path, maxBytes: 100, maxFiles: 3 });
    for (let index = 0; index < 100; index++) file.write(numbered(index));
    file.close();
    assert.deepEqual(logFiles(root), ["mps.log", "mps.log.1", "mps.log.2", "mps.log.3"]);
    assert.equal(readFileSync(path, "utf8"), Array.from({ length: 10 }, (_, index) => numbered(90 + index)).join(""));
    const kept = allLines(path, 3);
    assert.equal(kept.length, 40);
    assert.deepEqual(
      kept,
      Array.from({ length: 40 }, (_, index) => numbered(60 + index).trimEnd()),
      "no line lost or reordered",
    );
    for (const name of logFiles(root)) assert.ok(statSync(join(root, name)).size <= 100, `${name} is over maxBytes`);
  });

  test("uses mps.log.1 to mps.log.5 and 10 MiB by default", () => {
    const file = createRotatingFile({ path: join(root, "mps.log") });
    assert.equal(file.maxFiles, 5);
    assert.equal(file.maxBytes, 10 * 1024 * 1024);
    file.close();
  });

  test("never splits a line between files, even one longer than maxBytes", () => {
    const path = join(root, "mps.log");
    const file = createRotatingFile({ path, maxBytes: 20, maxFiles: 2 });
    file.write("short\n");
    const long = `${"x".repeat(50)}\n`;
    file.write(long);
    file.write("after\n");
    file.close();
    assert.equal(readFileSync(`${path}.2`, "utf8"), "short\n");
    assert.equal(readFileSync(`${path}.1`, "utf8"), long);
    assert.equal(readFileSync(path, "utf8"), "after\n");
  });

  test("rotates an oversized mps.log left by an earlier run before the first new line", () => {
    const path = join(root, "mps.log");
    writeFileSync(path, "old\n".repeat(50));
    const file = createRotatingFile({ path, maxBytes: 100, maxFiles: 1 });
    file.write("new\n");
    file.close();
    assert.equal(readFileSync(path, "utf8"), "new\n");
    assert.equal(readFileSync(`${path}.1`, "utf8"), "old\n".repeat(50));
  });

  test("keeps only mps.log when maxFiles is 0", () => {
    const path = join(root, "mps.log");
    const file = createRotatingFile({ path, maxBytes: 30, maxFiles: 0 });
    for (let index = 0; index < 10; index++) file.write(numbered(index));
    file.close();
    assert.deepEqual(logFiles(root), ["mps.log"]);
    assert.equal(readFileSync(path, "utf8"), numbered(9));
  });

  test("keeps writing in mps.log and reports it when a rotation fails", () => {
    const path = join(root, "mps.log");
    mkdirSync(`${path}.1`);
    writeFileSync(join(`${path}.1`, "blocker"), "a folder where the oldest file should be deleted");
    const errors: LogFileErrorType[] = [];
    const file = createRotatingFile({ path, maxBytes: 30, maxFiles: 1, onRotateError: (error) => errors.push(error) });
    for (let index = 0; index < 10; index++) file.write(numbered(index));
    file.close();
    assert.equal(errors.length, 1, "reported once, retried only after more bytes");
    assert.match(errors[0]?.message ?? "", /^Cannot rotate log file '.*mps\.log': /);
    assert.equal(readFileSync(path, "utf8").split("\n").length - 1, 10, "no line lost");
  });

  test("opens a new mps.log when the folder was deleted while running", () => {
    const folder = join(root, "logs");
    const path = join(folder, "mps.log");
    const file = createRotatingFile({ path });
    file.write("before\n");
    rmSync(folder, { recursive: true });
    for (let index = 0; index < 300; index++) file.write(numbered(index));
    file.close();
    assert.ok(readFileSync(path, "utf8").endsWith(numbered(299)));
  });

  test("loses no line when two processes share and rotate the same log", () => {
    const path = join(root, "mps.log");
    const first = createRotatingFile({ path, maxBytes: 200, maxFiles: 50 });
    const second = createRotatingFile({ path, maxBytes: 200, maxFiles: 50 });
    for (let index = 0; index < 200; index++) (index % 2 === 0 ? first : second).write(numbered(index));
    first.close();
    second.close();
    const lines = allLines(path, 50);
    assert.equal(new Set(lines).size, 200);
  });

  test("gives a clear LogFileError when the log folder cannot be created", () => {
    const blocker = join(root, "not-a-folder");
    writeFileSync(blocker, "a file where the log folder should be");
    const path = join(blocker, "mps.log");
    assert.throws(
      () => createRotatingFile({ path }),
      (error: unknown) => {
        assert.ok(error instanceof LogFileError);
        assert.equal(error.code, "ERR_LOG_FILE");
        assert.equal(error.path, path);
        assert.ok(error.message.startsWith(`Cannot write log file '${path}': `), error.message);
        assert.match(error.fix ?? "", /can write to it/);
        assert.ok(error.cause !== undefined);
        return true;
      },
    );
  });

  test("gives a clear LogFileError when the log path is a folder", () => {
    const path = join(root, "mps.log");
    mkdirSync(path);
    assert.throws(() => createRotatingFile({ path }), /^LogFileError: Cannot write log file '.*mps\.log': /);
  });

  test("rejects limits that cannot work", () => {
    const path = join(root, "mps.log");
    assert.throws(() => createRotatingFile({ path, maxBytes: 0 }), LogOptionError);
    assert.throws(() => createRotatingFile({ path, maxFiles: -1 }), LogOptionError);
    assert.throws(() => createRotatingFile({ path, maxFiles: 1.5 }), /Log option 'maxFiles' must be a whole number/);
  });
});
