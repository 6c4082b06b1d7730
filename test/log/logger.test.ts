import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { describe, test } from "node:test";
import {
  createLogger,
  createRedactor,
  defaultRedactor,
  LogFileError,
  REDACTED,
  registerSecret,
  wantsConsoleLog,
} from "../../src/log/index.ts";
import type { LoggerOptions, LogSink } from "../../src/log/index.ts";
import { MpsError } from "../../src/shared/errors.ts";
import { createMemorySink } from "./memory_sink.ts";
import { ACCESS_TOKEN, REFRESH_TOKEN } from "./samples.ts";

const T0 = Date.UTC(2026, 10, 27, 19, 29, 45, 123);

/** A logger with a fake clock (advanced by hand), an own redactor and a memory sink. */
function setup(options: Partial<LoggerOptions> = {}) {
  const clock = { now: T0 };
  const memory = createMemorySink();
  const redactor = createRedactor();
  const logger = createLogger({ now: () => clock.now, sinks: [memory], redactor, ...options });
  return { clock, memory, redactor, logger };
}

function collectingStream() {
  const chunks: string[] = [];
  return { chunks, write: (chunk: string) => chunks.push(chunk) };
}

describe("log line format", () => {
  test("writes time, level, component, message and fields on one line", () => {
    const { logger, memory, clock } = setup();
    logger.info("downloader", "MpsDownloader finished with exit code 0", { source: "print@contoso.com", jobs: 2 });
    clock.now += 1500;
    logger.warn("oauth", "Token expires soon", { expiresAt: new Date(T0 + 60_000) });
    assert.deepEqual(memory.lines, [
      "2026-11-27T19:29:45.123Z INFO  [downloader] MpsDownloader finished with exit code 0 source=print@contoso.com jobs=2",
      "2026-11-27T19:29:46.623Z WARN  [oauth] Token expires soon expiresAt=2026-11-27T19:30:45.123Z",
    ]);
  });

  test("pads every level name to the same width", () => {
    const { logger, memory } = setup({ level: "debug" });
    logger.error("a", "e");
    logger.warn("a", "w");
    logger.info("a", "i");
    logger.debug("a", "d");
    assert.deepEqual(
      memory.lines.map((line) => line.slice(25, 35)),
      ["ERROR [a] ", "WARN  [a] ", "INFO  [a] ", "DEBUG [a] "],
    );
  });

  test("quotes values with spaces or quotes and leaves simple values bare", () => {
    const { logger, memory } = setup();
    logger.info("spool", "Job written", {
      subject: 'Quarterly "Q4" report',
      path: "C:\\ProgramData\\mps\\Spool\\job-1",
      spaced: "C:\\Program Files\\mps",
      empty: "",
      ok: true,
      none: null,
      skipped: undefined,
      documents: [{ fileName: "a.pdf", size: 10 }],
    });
    assert.equal(
      memory.lines[0],
      "2026-11-27T19:29:45.123Z INFO  [spool] Job written" +
        ' subject="Quarterly \\"Q4\\" report" path=C:\\ProgramData\\mps\\Spool\\job-1 spaced="C:\\\\Program Files\\\\mps"' +
        ' empty="" ok=true none=null documents=[{"fileName":"a.pdf","size":10}]',
    );
  });

  test("quotes values that would end a bare word early, so a secret field is hidden whole", () => {
    const { logger, memory } = setup();
    logger.info("config", "Loaded", { password: "it's&<b>x", note: "a&b" });
    assert.equal(memory.lines[0], `2026-11-27T19:29:45.123Z INFO  [config] Loaded password="${REDACTED}" note="a&b"`);
  });

  test("keeps a message with line breaks on one line", () => {
    const { logger, memory } = setup();
    logger.error("imap", "Server said:\r\nA1 NO failed\n", { raw: "a\nb" });
    assert.equal(memory.lines.length, 1);
    assert.equal(
      memory.lines[0],
      '2026-11-27T19:29:45.123Z ERROR [imap] Server said:\\r\\nA1 NO failed\\n raw="a\\nb"',
    );
  });

  test("renders an error with its message, code and chain of causes, and its fix", () => {
    const { logger, memory } = setup();
    const socket = Object.assign(new Error("connect ECONNREFUSED 20.190.160.1:443"), { code: "ECONNREFUSED" });
    const error = new MpsError("ERR_OAUTH_REFRESH", "Cannot refresh access token for 'print@contoso.com'", {
      cause: new TypeError("fetch failed", { cause: socket }),
      fix: "Check that this server can reach login.microsoftonline.com.",
    });
    logger.error("oauth", "Refresh failed", { error });
    assert.equal(
      memory.lines[0],
      "2026-11-27T19:29:45.123Z ERROR [oauth] Refresh failed" +
        ` error="Cannot refresh access token for 'print@contoso.com' [ERR_OAUTH_REFRESH]; cause: TypeError: fetch failed; cause: connect ECONNREFUSED 20.190.160.1:443"` +
        ' fix="Check that this server can reach login.microsoftonline.com."',
    );
    assert.ok(!memory.lines[0]?.includes("    at "), "no stack trace at info");
  });

  test("adds the stack trace only when the logger is at debug", () => {
    const { logger, memory } = setup({ level: "debug" });
    logger.error("imap", "Failed", { error: new Error("boom") });
    assert.match(memory.lines[0] ?? "", / stack="Error: boom\\n {4}at /);
    assert.equal(memory.lines.length, 1);
  });

  test("survives a cyclic cause chain and odd values", () => {
    const { logger, memory } = setup();
    const first = new Error("first");
    const second = new Error("second", { cause: first });
    (first as { cause?: unknown }).cause = second;
    const cyclic: Record<string, unknown> = {};
    cyclic["self"] = cyclic;
    logger.warn("x", "odd", { error: second, cyclic, big: 10n, when: new Date(Number.NaN) });
    assert.equal(
      memory.lines[0],
      '2026-11-27T19:29:45.123Z WARN  [x] odd error="second; cause: first" cyclic=[unserializable] big=10 when=invalid-date',
    );
  });

  test("names child loggers by their component", () => {
    const { logger, memory } = setup();
    const downloader = logger.child("downloader");
    downloader.info("Cycle started");
    downloader.child("print@contoso.com").warn("Mailbox empty", { folder: "INBOX" });
    assert.deepEqual(memory.lines, [
      "2026-11-27T19:29:45.123Z INFO  [downloader] Cycle started",
      "2026-11-27T19:29:45.123Z WARN  [downloader/print@contoso.com] Mailbox empty folder=INBOX",
    ]);
  });
});

describe("log levels", () => {
  test("drops lines below the threshold, which is info by default", () => {
    const { logger, memory } = setup();
    assert.equal(logger.level, "info");
    logger.debug("a", "hidden");
    logger.info("a", "shown");
    assert.equal(memory.lines.length, 1);
    assert.equal(logger.enabled("debug"), false);
  });

  test("follows a changed threshold", () => {
    const { logger, memory } = setup({ level: "error" });
    logger.warn("a", "hidden");
    logger.setLevel("debug");
    logger.debug("a", "shown");
    assert.deepEqual(memory.lines, ["2026-11-27T19:29:45.123Z DEBUG [a] shown"]);
  });
});

describe("redaction of log lines", () => {
  test("redacts secrets in the message, the fields, the component and error messages", () => {
    const { logger, memory } = setup();
    logger.info(`auth ${ACCESS_TOKEN}`, `Got token ${ACCESS_TOKEN}`, {
      refresh_token: REFRESH_TOKEN,
      body: JSON.stringify({ access_token: ACCESS_TOKEN }),
      error: new Error(`server echoed refresh_token=${REFRESH_TOKEN}`),
    });
    const line = memory.lines[0] ?? "";
    assert.ok(!line.includes(ACCESS_TOKEN.slice(0, 30)) && !line.includes(REFRESH_TOKEN.slice(0, 30)), line);
    assert.equal(line.split(REDACTED).length - 1, 5);
  });

  test("redacts a registered secret wherever it appears, also inside quoted fields", () => {
    const { logger, memory, redactor } = setup();
    redactor.registerSecret('Pa"ss word1');
    logger.warn("config", 'Password Pa"ss word1 rejected', { value: 'Pa"ss word1', json: { p: 'Pa"ss word1' } });
    assert.ok(!memory.lines[0]?.includes("ss word1"), memory.lines[0]);
  });

  test("uses the shared redactor unless given another", () => {
    const memory = createMemorySink();
    const logger = createLogger({ now: () => T0, sinks: [memory] });
    registerSecret("shared-registry-secret-1");
    try {
      logger.info("test", "value shared-registry-secret-1");
    } finally {
      defaultRedactor.forgetSecret("shared-registry-secret-1");
    }
    assert.equal(memory.lines[0], `2026-11-27T19:29:45.123Z INFO  [test] value ${REDACTED}`);
  });
});

describe("log sinks", () => {
  test("writes to stderr only when console is enabled", () => {
    const quiet = collectingStream();
    setup({ consoleStream: quiet }).logger.info("a", "not on the console");
    assert.deepEqual(quiet.chunks, []);
    const loud = collectingStream();
    setup({ console: true, consoleStream: loud }).logger.info("a", "on the console");
    assert.deepEqual(loud.chunks, ["2026-11-27T19:29:45.123Z INFO  [a] on the console\n"]);
  });

  test("turns the console on for a terminal or MPS_LOG_CONSOLE=1, and off for MPS_LOG_CONSOLE=0", () => {
    assert.equal(wantsConsoleLog({}, true), true);
    assert.equal(wantsConsoleLog({}, false), false);
    assert.equal(wantsConsoleLog({ MPS_LOG_CONSOLE: "1" }, false), true);
    assert.equal(wantsConsoleLog({ MPS_LOG_CONSOLE: "0" }, true), false);
    assert.equal(wantsConsoleLog({ MPS_LOG_CONSOLE: "" }, false), false);
  });

  test("writes the same lines to mps.log", () => {
    const root = mkdtempSync(join(tmpdir(), "mps-logger-"));
    try {
      const path = join(root, "logs", "mps.log");
      const { logger, memory } = setup({ file: { path } });
      logger.info("downloader", "MpsDownloader finished with exit code 0");
      logger.error("oauth", "Refresh failed", { refresh_token: REFRESH_TOKEN });
      logger.close();
      assert.equal(readFileSync(path, "utf8"), memory.text());
      assert.ok(!readFileSync(path, "utf8").includes(REFRESH_TOKEN.slice(0, 20)));
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  test("keeps every line, in order, when the process exits right after logging", () => {
    const root = mkdtempSync(join(tmpdir(), "mps-logger-"));
    try {
      const path = join(root, "mps.log");
      const child = fileURLToPath(new URL("./fixtures/log_then_exit.ts", import.meta.url));
      const runtime = "Deno" in globalThis ? ["run", "-A", "--no-check", child] : [child];
      const result = spawnSync(process.execPath, [...runtime, path, "5000"], { encoding: "utf8" });
      assert.equal(result.status, 3, result.stderr);
      const files = [path, ...Array.from({ length: 20 }, (_, index) => `${path}.${index + 1}`)].reverse();
      const lines = files
        .filter((file) => existsSync(file))
        .flatMap((file) => readFileSync(file, "utf8").split("\n"))
        .filter((line) => line !== "");
      assert.equal(lines.length, 5000);
      lines.forEach((line, index) => assert.ok(line.endsWith(` [child] line ${index}`), line));
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  test("notes a failed rotation in mps.log and writes on", () => {
    const root = mkdtempSync(join(tmpdir(), "mps-logger-"));
    try {
      const path = join(root, "mps.log");
      mkdirSync(`${path}.1`);
      writeFileSync(join(`${path}.1`, "in-the-way"), "x");
      const { logger } = setup({ file: { path, maxBytes: 200, maxFiles: 1 } });
      for (let index = 0; index < 10; index++) logger.info("a", `line ${index}`);
      logger.close();
      const text = readFileSync(path, "utf8");
      assert.match(
        text,
        /WARN {2}\[log\] Cannot rotate log file '.*mps\.log': .*; writing on in the current file fix=/,
      );
      assert.equal(text.split("\n").filter((line) => / \[a\] line \d$/.test(line)).length, 10);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  test("refuses to start with an unwritable log folder, with a clear error", () => {
    const root = mkdtempSync(join(tmpdir(), "mps-logger-"));
    try {
      writeFileSync(join(root, "logs"), "a file, not a folder");
      const path = join(root, "logs", "mps.log");
      assert.throws(() => createLogger({ now: () => T0, file: { path } }), (error: unknown) => {
        assert.ok(error instanceof LogFileError);
        assert.ok(
          error.message.startsWith(`Cannot write log file '${path}': a part of the path is a file, not a folder (`),
          error.message,
        );
        return true;
      });
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  test("reports a failing sink once on the others, keeps logging, and says when it works again", () => {
    let broken = true;
    const received: string[] = [];
    const flaky: LogSink = {
      write(line) {
        if (broken) {
          throw new LogFileError("/var/log/mps/mps.log", Object.assign(new Error("no space"), { code: "ENOSPC" }));
        }
        received.push(line);
      },
    };
    const stderr = collectingStream();
    const { logger } = setup({ sinks: [flaky], consoleStream: stderr });
    logger.info("a", "one");
    logger.info("a", "two");
    broken = false;
    logger.info("a", "three");
    assert.deepEqual(received, [
      "2026-11-27T19:29:45.123Z INFO  [a] three",
      "2026-11-27T19:29:45.123Z WARN  [log] Logging works again; 2 earlier line(s) could not be written lost=2",
    ]);
    assert.equal(stderr.chunks.length, 1, "told on stderr once, as no other sink reaches it");
    assert.match(
      stderr.chunks[0] ?? "",
      /ERROR \[log\] Cannot write log file '\/var\/log\/mps\/mps\.log': the disk is full \(ENOSPC\) code=ERR_LOG_FILE fix="Make sure /,
    );
  });

  test("tells the other sinks about a failing sink instead of throwing at the caller", () => {
    const failing: LogSink = {
      write() {
        throw new Error("sink exploded");
      },
    };
    const memory = createMemorySink();
    const logger = createLogger({
      now: () => T0,
      sinks: [failing, memory],
      redactor: createRedactor(),
      consoleStream: collectingStream(),
    });
    logger.info("a", "one");
    logger.info("a", "two");
    assert.deepEqual(memory.lines, [
      "2026-11-27T19:29:45.123Z INFO  [a] one",
      '2026-11-27T19:29:45.123Z ERROR [log] Cannot write a log line error="sink exploded"',
      "2026-11-27T19:29:45.123Z INFO  [a] two",
    ]);
  });
});
