import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { readdir, readFile } from "node:fs/promises";
import * as path from "node:path";
import { test } from "node:test";
import { mpsCommand, ROOT, runMps } from "../helpers/run_mps.ts";
import { pdf, setUpPrinting } from "../print/print_kit.ts";
import type { PrintSetup } from "../print/print_kit.ts";
import { startIppPrinter } from "../servers/index.ts";

const JOBS = 24;

/** Documents by state across the spool's delivery records. */
async function states(setup: PrintSetup): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const id of await readdir(setup.spool)) {
    if (id.startsWith(".")) continue;
    const text = await readFile(path.join(setup.spool, id, "delivery.json"), "utf8").catch(() => undefined);
    if (text === undefined) continue;
    try {
      for (const document of JSON.parse(text).documents) counts[document.state] = (counts[document.state] ?? 0) + 1;
    } catch {
      // being replaced: the rename is atomic, so a torn read is only a race with readdir
    }
  }
  return counts;
}

/** Starts `mps run` and kills it with SIGKILL once `when` holds; returns what was seen then. */
async function killWhen(
  setup: PrintSetup,
  when: (counts: Record<string, number>) => boolean,
): Promise<Record<string, number>> {
  const [command, env] = mpsCommand(["run", "--config", setup.config]);
  const child = spawn(command[0] ?? "node", command.slice(1), { cwd: ROOT, env, stdio: "ignore" });
  const exited = new Promise((resolve) => child.on("close", resolve));
  const deadline = Date.now() + 60_000;
  let seen: Record<string, number> = {};
  while (Date.now() < deadline) {
    seen = await states(setup);
    if (when(seen)) break;
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  child.kill("SIGKILL");
  await exited;
  return seen;
}

test("kill -9 during delivery, twice, then a restart: every document is on the printer exactly once", async (t) => {
  const printer = await startIppPrinter({ formats: ["application/pdf"] });
  const setup = await setUpPrinting(`uri="${printer.uri}"`);
  t.after(async () => {
    await printer.stop();
    await setup.dispose();
  });
  // documents of a few MB keep each Print-Job in flight long enough to be killed in the middle
  const filler = "0".repeat(3 * 1024 * 1024);
  for (let index = 1; index <= JOBS; index++) {
    await setup.addJob(`in-${index}`, `user${index}@example.test`, `Job ${index}`, [
      { name: "doc.pdf", type: "application/pdf", content: pdf(`${index} ${filler}`) },
    ]);
  }

  const first = await killWhen(setup, (counts) => (counts["sending"] ?? 0) > 0 && (counts["sent"] ?? 0) >= 3);
  const second = await killWhen(setup, (counts) => (counts["sent"] ?? 0) >= 12);
  const last = await runMps(["run", "--once", "--config", setup.config], { timeoutMs: 120_000 });
  assert.equal(last.code, 0, await setup.log());

  const counts = await states(setup);
  assert.deepEqual(counts, { sent: JOBS });
  assert.ok((first["sent"] ?? 0) < JOBS && (second["sent"] ?? 0) < JOBS, "a kill came after the delivery ended");
  const jobs = await printer.jobs();
  const tags = jobs.map((job) => /\[mps:(in-\d+)\/1\]$/.exec(job.name)?.[1]).sort();
  const expected = Array.from({ length: JOBS }, (_, index) => `in-${index + 1}`).sort();
  assert.deepEqual(tags, expected, `printer jobs: ${jobs.map((job) => job.name).join(", ")}`);
  for (const job of jobs) assert.equal(job.user, `user${/in-(\d+)/.exec(job.name)?.[1]}@example.test`);
  assert.equal(printer.received().length, JOBS);
  const foundByTag = (await setup.log()).match(/found by its tag after a restart/g)?.length ?? 0;
  t.diagnostic(
    `states at the kills: ${JSON.stringify(first)} then ${
      JSON.stringify(second)
    }; found on the printer by tag: ${foundByTag}`,
  );
});
