import { type ChildProcess, execFile, spawn } from "node:child_process";
import {
  closeSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort, isListening } from "./free_port.ts";

export type IppPrinterOptions = {
  /** `document-format-supported` (ippeveprinter adds application/octet-stream itself). */
  formats: string[];
  /** Printer name; default `mps-test`. */
  name?: string;
  /** Port to listen on; default a free one (give the old port to start a printer "again"). */
  port?: number;
  /** Serve ipps:// with a certificate for localhost signed by this test CA (`makeTestCerts`). */
  tls?: { certFile: string; keyFile: string };
};

export type IppJob = {
  id: number;
  name: string;
  user: string;
  state: number;
};

export type IppPrinter = {
  uri: string;
  port: number;
  /** Where ippeveprinter keeps each received document (`-k`): `<job-id>-<job-name>.<ext>`. */
  spoolDir: string;
  /** The printer's jobs read back with `ipptool` (Get-Jobs, which-jobs all), oldest first. */
  jobs(): Promise<IppJob[]>;
  /** The documents received, by file name. */
  received(): string[];
  stop(): Promise<void>;
};

/**
 * A real IPP Everywhere printer: `ippeveprinter` (Debian cups-ipp-utils) on loopback with its
 * own D-Bus (it needs one to start), keeping every received document (`-k`) and finishing each
 * job at once (`-c /bin/true`). It forgets completed jobs after about a minute; its default
 * media is US Letter.
 */
export async function startIppPrinter(options: IppPrinterOptions): Promise<IppPrinter> {
  const dir = mkdtempSync(join(tmpdir(), "mps-ipp-"));
  const spoolDir = join(dir, "spool");
  mkdirSync(spoolDir);
  const socket = join(dir, "dbus.sock");
  const dbus = spawn("dbus-daemon", ["--session", `--address=unix:path=${socket}`, "--nofork", "--nopidfile"], {
    stdio: "ignore",
  });
  // the socket file appears before the daemon accepts on it; ippeveprinter gives up at once
  await waitFor(() => existsSync(socket) && isListening({ path: socket }), 10_000, "dbus-daemon");
  const port = options.port ?? await freePort();
  const name = options.name ?? "mps-test";
  const args = ["-n", "localhost", "-p", String(port), "-r", "off", "-d", spoolDir, "-k", "-c", "/bin/true"];
  args.push("-f", options.formats.join(","));
  if (options.tls !== undefined) {
    // ippeveprinter finds `<hostname>.crt` and `.key` in the -K folder
    const keys = join(dir, "keys");
    mkdirSync(keys);
    copyFileSync(options.tls.certFile, join(keys, "localhost.crt"));
    copyFileSync(options.tls.keyFile, join(keys, "localhost.key"));
    args.push("-K", keys);
  }
  args.push(name);
  const env = {
    ...process.env,
    DBUS_SYSTEM_BUS_ADDRESS: `unix:path=${socket}`,
    DBUS_SESSION_BUS_ADDRESS: `unix:path=${socket}`,
  };
  // its log goes to a file: a pipe that nobody drains while the caller blocks (spawnSync) fills after
  // some twenty jobs and stops the printer in the middle of a request
  const logFile = join(dir, "ippeveprinter.log");
  const launch = () => {
    const logFd = openSync(logFile, "w");
    const child = spawn("ippeveprinter", args, { env, stdio: ["ignore", logFd, logFd] });
    closeSync(logFd);
    return child;
  };
  let eve: ChildProcess = launch();
  const stop = async () => {
    for (const child of [eve, dbus]) {
      if (child.exitCode === null && child.signalCode === null) {
        const gone = new Promise((resolve) => child.once("exit", resolve));
        child.kill("SIGTERM");
        await gone;
      }
    }
  };
  // On a loaded machine ippeveprinter now and then fails to reach the fresh D-Bus ("Unable to
  // initialize DNS-SD") and exits at once: it is started again, up to three times.
  for (let attempt = 1;; attempt++) {
    try {
      await waitFor(
        () => {
          if (eve.exitCode !== null) throw new Error(`ippeveprinter exited with code ${eve.exitCode}`);
          return isListening({ host: "localhost", port });
        },
        10_000,
        `ippeveprinter on port ${port}`,
      );
      break;
    } catch (error) {
      const log = readFileSync(logFile, "utf8");
      if (attempt < 3 && eve.exitCode !== null && /DNS-SD/.test(log)) {
        await new Promise((resolve) => setTimeout(resolve, 300));
        eve = launch();
        continue;
      }
      await stop();
      throw new Error(`ippeveprinter did not start: ${log}`, { cause: error });
    }
  }
  const uri = `${options.tls === undefined ? "ipp" : "ipps"}://localhost:${port}/ipp/print`;
  const testFile = join(dir, "get-jobs.test");
  writeFileSync(testFile, GET_JOBS_TEST);
  return {
    uri,
    port,
    spoolDir,
    jobs: () => readJobs(uri, testFile),
    received: () => readdirSync(spoolDir).filter((file) => !file.endsWith(".prn")).sort(),
    async stop() {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

const GET_JOBS_TEST = `{
  NAME "Get-Jobs"
  OPERATION Get-Jobs
  GROUP operation-attributes-tag
  ATTR charset attributes-charset utf-8
  ATTR naturalLanguage attributes-natural-language en
  ATTR uri printer-uri $uri
  ATTR name requesting-user-name $user
  ATTR keyword which-jobs all
  ATTR keyword requested-attributes job-id,job-name,job-originating-user-name,job-state
  STATUS successful-ok
}
`;

/** Get-Jobs by the reference client `ipptool`, as JSON. */
export function readJobs(uri: string, testFile: string, user = "root"): Promise<IppJob[]> {
  return new Promise((resolve, reject) => {
    execFile("ipptool", ["-j", "-d", `user=${user}`, uri, testFile], (error, stdout, stderr) => {
      if (error) return reject(new Error(`ipptool failed: ${stderr || stdout}`, { cause: error }));
      // ipptool 2.4 writes consecutive job groups into one JSON object without a separator
      // (invalid JSON), so its lines are read one by one: a key seen again starts the next job.
      const jobs: Array<Record<string, string>> = [];
      let current: Record<string, string> | undefined;
      let inJobs = false;
      for (const line of stdout.split("\n")) {
        const group = /"group-tag": "([^"]+)"/.exec(line);
        if (group !== null) {
          inJobs = group[1] === "job-attributes-tag";
          current = undefined;
          continue;
        }
        const field = /^\s*"([\w-]+)": (.*?),?$/.exec(line);
        if (!inJobs || field === null) continue;
        const [, key = "", raw = ""] = field;
        if (current === undefined || key in current) {
          current = {};
          jobs.push(current);
        }
        current[key] = raw.startsWith('"') ? JSON.parse(raw) as string : raw;
      }
      resolve(
        jobs.map((job) => ({
          id: Number(job["job-id"]),
          name: job["job-name"] ?? "",
          user: job["job-originating-user-name"] ?? "",
          state: Number(job["job-state"]),
        })).sort((a, b) => a.id - b.id),
      );
    });
  });
}

export { GET_JOBS_TEST };

async function waitFor(check: () => boolean | Promise<boolean>, ms: number, what: string): Promise<void> {
  const until = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
