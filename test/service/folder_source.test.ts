import assert from "node:assert/strict";
import {
  appendFile,
  link,
  lstat,
  mkdir,
  mkdtemp,
  readdir,
  readFile,
  rename,
  rm,
  symlink,
  utimes,
  writeFile,
} from "node:fs/promises";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { after, before, describe, test } from "node:test";
import type { FolderSource } from "../../src/config/index.ts";
import { createLogger } from "../../src/log/index.ts";
import { createMemorySink } from "../log/memory_sink.ts";
import type { MemorySink } from "../log/memory_sink.ts";
import { createFolderCycle } from "../../src/service/folder_source.ts";
import { identityOf, openDroppedFile } from "../../src/service/open_dropped_file.ts";

const INTERVAL = 60_000;
let root = "";
before(async () => {
  root = await mkdtemp(path.join(tmpdir(), "mps-folder-"));
});
after(async () => {
  await rm(root, { recursive: true, force: true });
});

/** A folder source over a fresh folder, with a clock the test moves (ahead of the real one). */
async function setUp(name: string) {
  const dir = path.join(root, name);
  const location = path.join(dir, "in");
  const spoolDir = path.join(dir, "Spool");
  await mkdir(location, { recursive: true });
  const source: FolderSource = {
    kind: "folder",
    name,
    line: 1,
    host: "",
    path: location,
    location,
    userName: "",
    password: "",
    downloadIntervalMs: INTERVAL,
  };
  let offset = 0;
  const sink: MemorySink = createMemorySink();
  const now = () => Date.now() + offset;
  const log = createLogger({ now, sinks: [sink] }).child(`downloader/${name}`);
  const cycle = createFolderCycle(source, { spoolDir, now, log });
  return {
    dir,
    location,
    sink,
    cycle,
    /** Moves the clock `ms` further ahead of real time. */
    advance: (ms: number) => void (offset += ms),
    jobs: async () => (await readdir(spoolDir).catch(() => [])).filter((entry) => !entry.startsWith(".")),
    documentOf: async (job: string) => {
      const info = JSON.parse(await readFile(path.join(spoolDir, job, "job.json"), "utf8"));
      return readFile(path.join(spoolDir, job, info.documents[0].fileName), "utf8");
    },
  };
}

describe("folder source: when a file is complete", () => {
  test("a file changed less than downloadInterval ago waits; once that old it becomes a job in one scan", async () => {
    const s = await setUp("age");
    await writeFile(path.join(s.location, "scan.pdf"), "%PDF-1.4 fresh");
    assert.equal(await s.cycle(), 0);
    assert.deepEqual(await s.jobs(), []);
    assert.deepEqual(await readdir(s.location), ["scan.pdf"]);
    s.advance(INTERVAL + 1_000);
    assert.equal(await s.cycle(), 0);
    const [job] = await s.jobs();
    assert.ok(job, "no job after the file was old enough");
    assert.equal(await s.documentOf(job), "%PDF-1.4 fresh");
    assert.deepEqual(await readdir(s.location), []);
  });

  test("a file that is old enough is taken by the first scan of a fresh process (run --once)", async () => {
    const s = await setUp("once");
    await writeFile(path.join(s.location, "old.pdf"), "%PDF-1.4 old");
    s.advance(INTERVAL + 1_000);
    await s.cycle();
    assert.equal((await s.jobs()).length, 1);
  });

  test("a file that changed between two scans waits even when its times look old enough", async () => {
    const s = await setUp("changed");
    const file = path.join(s.location, "grow.pdf");
    await writeFile(file, "%PDF-1.4 part one");
    await s.cycle();
    await appendFile(file, " part two");
    // A copy tool that keeps the source's old modification time: only size and status time move.
    await utimes(file, new Date(Date.now() - 3_600_000), new Date(Date.now() - 3_600_000));
    s.advance(INTERVAL + 1_000);
    await s.cycle();
    assert.deepEqual(await s.jobs(), [], "taken although it changed since the last scan");
    await s.cycle();
    const [job] = await s.jobs();
    assert.ok(job);
    assert.equal(await s.documentOf(job), "%PDF-1.4 part one part two");
  });

  test("a file dated in the future is taken once seen unchanged for downloadInterval, with a warning", async () => {
    const s = await setUp("future");
    const file = path.join(s.location, "ahead.pdf");
    await writeFile(file, "%PDF-1.4 ahead");
    const later = new Date(Date.now() + 10 * INTERVAL);
    await utimes(file, later, later);
    await s.cycle();
    assert.deepEqual(await s.jobs(), []);
    assert.match(s.sink.text(), /WARN .*'ahead\.pdf' in folder source 'future' was changed at \S+Z, in the future/);
    s.advance(1_000);
    await s.cycle();
    assert.equal(s.sink.linesAt("warn").length, 1, "warned once, not every scan");
    s.advance(INTERVAL);
    await s.cycle();
    assert.equal((await s.jobs()).length, 1);
  });
});

describe("folder source: links are never followed", () => {
  test("a symbolic link, a linked sub-folder and a hard link are left in place with one warning each", async () => {
    const s = await setUp("links");
    const secret = path.join(s.dir, "secret.txt");
    await writeFile(secret, "only mps may read this");
    const elsewhere = path.join(s.dir, "elsewhere");
    await mkdir(elsewhere);
    await writeFile(path.join(elsewhere, "inner.pdf"), "outside the folder");
    await symlink(secret, path.join(s.location, "link.pdf"));
    await symlink(elsewhere, path.join(s.location, "mallory"));
    await link(secret, path.join(s.location, "hard.pdf"));
    await writeFile(path.join(s.location, "real.pdf"), "%PDF-1.4 real");
    s.advance(INTERVAL + 1_000);
    await s.cycle();
    await s.cycle();
    const jobs = await s.jobs();
    assert.equal(jobs.length, 1);
    assert.equal(await s.documentOf(jobs[0] ?? ""), "%PDF-1.4 real");
    assert.deepEqual((await readdir(s.location)).sort(), ["hard.pdf", "link.pdf", "mallory"]);
    const warnings = s.sink.linesAt("warn");
    for (const name of ["link.pdf", "mallory", "hard.pdf"]) {
      assert.equal(warnings.filter((line) => line.includes(`Left '${name}'`)).length, 1, warnings.join("\n"));
    }
    assert.match(warnings.join("\n"), /'link\.pdf' .*uncopied: it is a symbolic link/);
    assert.match(warnings.join("\n"), /'hard\.pdf' .*uncopied: it is a hard link/);
  });

  test("a file swapped for a link to another file after the scan is refused, not copied", async () => {
    const s = await setUp("swap");
    const secret = path.join(s.dir, "secret.txt");
    await writeFile(secret, "only mps may read this");
    const file = path.join(s.location, "scan.pdf");
    await writeFile(file, "%PDF-1.4 dropped");
    const seen = identityOf(await lstat(file));
    await rm(file);
    await symlink(secret, file);
    const opened = await openDroppedFile(s.location, "scan.pdf", seen);
    assert.equal(opened.kind, "refused");
    assert.match(opened.kind === "refused" ? opened.reason : "", /symbolic link/);
  });

  test("a sub-folder swapped for a link to another folder after the scan is refused, not copied", async () => {
    const s = await setUp("swapdir");
    await mkdir(path.join(s.location, "bob"));
    const file = path.join(s.location, "bob", "scan.pdf");
    await writeFile(file, "%PDF-1.4 bob");
    const seen = identityOf(await lstat(file));
    const elsewhere = path.join(s.dir, "elsewhere");
    await rename(path.join(s.location, "bob"), elsewhere);
    await symlink(elsewhere, path.join(s.location, "bob"));
    const opened = await openDroppedFile(s.location, path.join("bob", "scan.pdf"), seen);
    assert.equal(opened.kind, "refused");
  });

  test("a file replaced by another regular file after the scan counts as changed and waits", async () => {
    const s = await setUp("replaced");
    const file = path.join(s.location, "scan.pdf");
    await writeFile(file, "%PDF-1.4 first");
    const seen = identityOf(await lstat(file));
    await writeFile(`${file}.new`, "%PDF-1.4 second, longer");
    await rename(`${file}.new`, file);
    assert.equal((await openDroppedFile(s.location, "scan.pdf", seen)).kind, "changed");
  });
});
