import assert from "node:assert/strict";
import { readdir } from "node:fs/promises";
import { after, before, test } from "node:test";
import { PublishQueue } from "../../src/spool/index.ts";
import type { PublishTicket } from "../../src/spool/index.ts";
import {
  attachment,
  entity,
  envelope,
  expectJob,
  fakeFile,
  makeDirs,
  multipart,
  removeDirs,
  run,
} from "./mail_test_kit.ts";
import type { Dirs } from "./mail_test_kit.ts";

let dirs: Dirs;
before(async () => {
  dirs = await makeDirs();
});
after(async () => {
  await removeDirs(dirs);
});

function printable(subject: string): string {
  return entity(envelope(subject), multipart("mixed", "b1", [attachment("a.pdf", "application/pdf", fakeFile(2000))]));
}

/**
 * A real queue whose first job is held until the test releases it; `inTurn` queues the work
 * under test second, and a third job counts how often it was let go.
 */
function controlledOrder(): {
  inTurn: <T>(work: (order: PublishTicket) => Promise<T>) => Promise<T>;
  release: () => void;
  doneCalls: () => number;
} {
  const queue = new PublishQueue();
  let release = (): void => undefined;
  void queue.run(() =>
    new Promise<void>((resolve) => {
      release = resolve;
    })
  );
  let calls = 0;
  const inTurn = <T>(work: (order: PublishTicket) => Promise<T>): Promise<T> => {
    const running = queue.run(work);
    void queue.run((ticket) =>
      ticket.publish(() => {
        calls++;
        return Promise.resolve();
      })
    );
    return running;
  };
  return { inTurn, release, doneCalls: () => calls };
}

async function jobsInSpool(): Promise<string[]> {
  return (await readdir(dirs.spool).catch(() => [] as string[])).filter((name) => !name.startsWith("."));
}

test("renames the job into the spool only once the job before is in place, and then lets the next go", async () => {
  const { inTurn, release, doneCalls } = controlledOrder();
  const converting = inTurn((order) => run(dirs, printable("Second"), { order }));
  // everything but the rename happens meanwhile: the job waits, whole, in .tmp
  for (let i = 0; i < 200 && (await readdir(`${dirs.spool}/.tmp`).catch(() => [] as string[])).length === 0; i++) {
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  await new Promise((resolve) => setTimeout(resolve, 50));
  assert.deepEqual(await jobsInSpool(), []);
  assert.equal(doneCalls(), 0);
  release();
  const outcome = await converting;
  await expectJob(dirs, outcome);
  assert.equal((await jobsInSpool()).length, 1);
  assert.ok(doneCalls() >= 1, "done() tells the next job it may go");
});

test("lets the next job go when a message makes no job, without waiting for its own turn", async () => {
  const { inTurn, doneCalls } = controlledOrder();
  const outcome = await inTurn((order) => run(dirs, "not a message at all", { order }));
  // the job after runs as soon as the queue lets it go, a few promise steps on
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(outcome.outcome, "failed");
  assert.ok(doneCalls() >= 1);
});
