import { type ChildProcess, execFile, spawn } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort, isListening } from "./free_port.ts";
import { GET_JOBS_TEST, readJobs } from "./ipp_printer.ts";
import type { IppJob } from "./ipp_printer.ts";

export type CupsServer = {
  /** The queue's IPP URI, `ipp://127.0.0.1:<port>/printers/<queue>`. */
  uri: string;
  port: number;
  /** The queue's jobs read back with `ipptool` (Get-Jobs, which-jobs all). */
  jobs(): Promise<IppJob[]>;
  stop(): Promise<void>;
};

/**
 * A real CUPS scheduler (`cupsd -f` with a private configuration and port) with one raw queue
 * that prints to /dev/null, so the print-server path (a queue under /printers/) is covered.
 */
export async function startCups(queue = "office"): Promise<CupsServer> {
  const dir = mkdtempSync(join(tmpdir(), "mps-cups-"));
  for (const sub of ["spool", "tmp", "cache", "state", "log"]) mkdirSync(join(dir, sub));
  // filters and the spool run as the unprivileged `lp` user
  chmodSync(dir, 0o755);
  for (const sub of ["spool", "tmp", "cache", "state", "log"]) chmodSync(join(dir, sub), 0o777);
  const port = await freePort();
  writeFileSync(
    join(dir, "cupsd.conf"),
    `Listen 127.0.0.1:${port}
LogLevel warn
WebInterface No
Browsing No
<Location />
  Order allow,deny
  Allow all
</Location>
<Policy default>
  JobPrivateAccess default
  JobPrivateValues default
  SubscriptionPrivateAccess default
  SubscriptionPrivateValues default
  <Limit All>
    Order deny,allow
  </Limit>
</Policy>
`,
  );
  writeFileSync(
    join(dir, "cups-files.conf"),
    `ServerRoot ${dir}
RequestRoot ${dir}/spool
TempDir ${dir}/tmp
CacheDir ${dir}/cache
StateDir ${dir}/state
ErrorLog ${dir}/log/error_log
AccessLog ${dir}/log/access_log
PageLog ${dir}/log/page_log
FileDevice Yes
`,
  );
  const cupsd: ChildProcess = spawn(
    "cupsd",
    ["-f", "-c", join(dir, "cupsd.conf"), "-s", join(dir, "cups-files.conf")],
    { stdio: "ignore" },
  );
  const stop = async () => {
    if (cupsd.exitCode === null && cupsd.signalCode === null) {
      const gone = new Promise((resolve) => cupsd.once("exit", resolve));
      cupsd.kill("SIGTERM");
      await gone;
    }
  };
  const until = Date.now() + 15_000;
  while (!(await isListening({ host: "127.0.0.1", port }))) {
    if (cupsd.exitCode !== null || Date.now() > until) {
      await stop();
      throw new Error(`cupsd did not start on port ${port} (log: ${join(dir, "log", "error_log")})`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  await new Promise<void>((resolve, reject) =>
    execFile(
      "lpadmin",
      ["-h", `127.0.0.1:${port}`, "-p", queue, "-E", "-v", "file:///dev/null", "-m", "raw"],
      (error, _stdout, stderr) => error ? reject(new Error(`lpadmin failed: ${stderr}`, { cause: error })) : resolve(),
    )
  );
  const uri = `ipp://127.0.0.1:${port}/printers/${queue}`;
  const testFile = join(dir, "get-jobs.test");
  writeFileSync(testFile, GET_JOBS_TEST);
  return {
    uri,
    port,
    jobs: () => readJobs(uri, testFile),
    async stop() {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
