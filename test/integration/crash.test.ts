import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { readdir, stat } from "node:fs/promises";
import * as path from "node:path";
import process from "node:process";
import { after, before, test } from "node:test";
import { messageWithAttachment, setUpMailbox, USER } from "../helpers/mailbox_setup.ts";
import type { MailboxSetup } from "../helpers/mailbox_setup.ts";
import { MAIN, runMps } from "../helpers/run_mps.ts";

let box: MailboxSetup;
before(async () => {
  box = await setUpMailbox();
  await box.storeLogin();
});
after(async () => {
  await box.dispose();
});

/** Bytes written so far into half-built jobs. */
async function partialBytes(spool: string): Promise<number> {
  let total = 0;
  for (const job of await readdir(path.join(spool, ".tmp")).catch(() => [] as string[])) {
    for (const file of await readdir(path.join(spool, ".tmp", job)).catch(() => [] as string[])) {
      total += (await stat(path.join(spool, ".tmp", job, file)).catch(() => ({ size: 0 }))).size;
    }
  }
  return total;
}

test("kill -9 in the middle of a 50 MB download, then a restart, leaves exactly one job per message", async () => {
  const big = Buffer.alloc(50 * 1024 * 1024);
  for (let i = 0; i < big.length; i += 4096) big.writeUInt32LE(i * 2654435761 % 2 ** 32, i);
  await box.dovecot.appendMessage(USER, messageWithAttachment({ subject: "small before" }));
  await box.dovecot.appendMessage(USER, messageWithAttachment({ subject: "big", fileName: "big.pdf", content: big }));
  await box.dovecot.appendMessage(USER, messageWithAttachment({ subject: "small after" }));
  const config = await box.writeConfig();
  const spool = path.join(box.dir, "Spool");

  const child = spawn(process.execPath, [MAIN, "run", "--once", "--config", config], { stdio: "ignore" });
  const exited = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)));
  const deadline = Date.now() + 60_000;
  let killedAt = 0;
  while (Date.now() < deadline) {
    const bytes = await partialBytes(spool);
    if (bytes > 5 * 1024 * 1024) {
      child.kill("SIGKILL");
      killedAt = bytes;
      break;
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  await exited;
  assert.ok(killedAt > 0, "the download never got going, or finished before it could be killed");
  assert.ok(killedAt < 50 * 1024 * 1024, `killed only after ${killedAt} bytes`);

  const result = await runMps(["run", "--once", "--config", config], { timeoutMs: 120_000 });
  assert.equal(result.code, 0, await box.log());
  const jobs = await box.jobs();
  const subjects = await Promise.all(jobs.map(async (id) => (await box.job(id)).subject));
  assert.deepEqual(subjects.sort(), ["big", "small after", "small before"]);
  const bigJob = await Promise.all(jobs.map((id) => box.job(id))).then((all) =>
    all.find((job) => job.subject === "big")
  );
  assert.equal(bigJob?.documents[0]?.size, big.length);
  assert.equal(bigJob?.documents[0]?.sha256, createHash("sha256").update(big).digest("hex"));
  assert.deepEqual(await box.dovecot.listMessages(USER), []);
  assert.deepEqual(await readdir(path.join(spool, ".tmp")), []);
});

test("Dovecot stopped in the middle of a download fails the cycle with exit code 1, and the next cycle loses nothing", async () => {
  const big = Buffer.alloc(30 * 1024 * 1024, 7);
  await box.dovecot.appendMessage(
    USER,
    messageWithAttachment({ subject: "mid-cycle", fileName: "mid.pdf", content: big }),
  );
  const config = await box.writeConfig("", "midcycle.config");
  const spool = path.join(box.dir, "Spool");
  const before = (await box.jobs()).length;
  const child = spawn(process.execPath, [MAIN, "run", "--once", "--config", config], { stdio: "ignore" });
  const exited = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)));
  const deadline = Date.now() + 60_000;
  let stopped = false;
  while (Date.now() < deadline && !stopped) {
    if (await partialBytes(spool) > 2 * 1024 * 1024) {
      await box.dovecot.stop();
      stopped = true;
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  try {
    assert.ok(stopped, "the download never got going");
    assert.equal(await exited, 1);
    assert.match(await box.log("midcycle.config"), /MpsDownloader finished with exit code 1 cause=/);
    assert.equal((await box.jobs()).length, before);
  } finally {
    await box.dovecot.start();
  }
  const again = await runMps(["run", "--once", "--config", config], { timeoutMs: 120_000 });
  assert.equal(again.code, 0, await box.log("midcycle.config"));
  const jobs = await box.jobs();
  assert.equal(jobs.length, before + 1);
  assert.deepEqual(await box.dovecot.listMessages(USER), []);
});
