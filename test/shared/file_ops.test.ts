import assert from "node:assert/strict";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { after, before, test } from "node:test";
import { closeFile, fsyncFile, openFile, writeBuffers, writeSmall } from "../../src/shared/file_ops.ts";
import { syncPath } from "../../src/shared/sync_path.ts";

let dir = "";
before(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "mps-file-ops-"));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

test("writes many buffers, empty ones among them, in order and whole", async () => {
  const file = path.join(dir, "many.bin");
  const buffers = Array.from({ length: 3000 }, (_, i) => Buffer.from(i % 7 === 0 ? "" : `${i},`));
  const fd = await openFile(file, "wx");
  try {
    await writeBuffers(fd, buffers);
    writeSmall(fd, Buffer.from("end"));
    await fsyncFile(fd);
  } finally {
    closeFile(fd);
  }
  assert.equal(await readFile(file, "utf8"), `${buffers.map((b) => b.toString()).join("")}end`);
});

test("refuses to create a file that exists, naming the error", async () => {
  const file = path.join(dir, "once.txt");
  closeFile(await openFile(file, "wx"));
  await assert.rejects(openFile(file, "wx"), (error: NodeJS.ErrnoException) => error.code === "EEXIST");
});

test("fsyncs a folder, and a missing one is an error", async () => {
  await syncPath(dir);
  await assert.rejects(syncPath(path.join(dir, "missing")), (error: NodeJS.ErrnoException) => error.code === "ENOENT");
});
