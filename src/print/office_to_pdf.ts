import { spawn } from "node:child_process";
import { copyFile, mkdir, mkdtemp, readdir, rename, rm } from "node:fs/promises";
import * as path from "node:path";
import process from "node:process";
import { pathToFileURL } from "node:url";

export interface OfficeToPdfOptions {
  readonly soffice: string;
  /** LibreOffice's own profile folder for mps, kept between conversions (its first start makes it). */
  readonly profileDir: string;
  /** Where each conversion works. */
  readonly workDir: string;
  readonly timeoutMs: number;
}

let queue: Promise<unknown> = Promise.resolve();

/**
 * Converts an office document to PDF with `soffice --headless --convert-to pdf`: in a profile of
 * its own (so it neither meets nor locks a user's running LibreOffice), one conversion at a time
 * (LibreOffice does not run two in one profile), and killed after the time limit.
 */
export function officeToPdf(input: string, output: string, options: OfficeToPdfOptions): Promise<void> {
  const run = queue.catch(() => undefined).then(() => convert(input, output, options));
  queue = run;
  return run;
}

async function convert(input: string, output: string, options: OfficeToPdfOptions): Promise<void> {
  await mkdir(options.workDir, { recursive: true });
  const work = await mkdtemp(path.join(options.workDir, "convert-"));
  try {
    // a plain name: LibreOffice reads the type from the extension and the content, never the sender's name
    const source = path.join(work, `document${path.extname(input).toLowerCase()}`);
    await copyFile(input, source);
    const outDir = path.join(work, "out");
    await mkdir(outDir);
    const args = [
      "--headless",
      "--norestore",
      "--nolockcheck",
      `-env:UserInstallation=${pathToFileURL(options.profileDir).href}`,
      "--convert-to",
      "pdf",
      "--outdir",
      outDir,
      source,
    ];
    const detail = await runSoffice(options.soffice, args, options.timeoutMs);
    const made = (await readdir(outDir)).find((name) => name.toLowerCase().endsWith(".pdf"));
    if (made === undefined) throw new Error(`LibreOffice made no PDF${detail === "" ? "" : `: ${detail}`}`);
    await rename(path.join(outDir, made), output);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

function runSoffice(command: string, args: readonly string[], timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const windows = process.platform === "win32";
    const child = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"], detached: !windows });
    let output = "";
    const collect = (chunk: Buffer) => {
      if (output.length < 4000) output += chunk.toString();
    };
    child.stdout.on("data", collect);
    child.stderr.on("data", collect);
    const timer = setTimeout(() => {
      // soffice starts helper processes: end the whole group
      try {
        if (!windows && child.pid !== undefined) process.kill(-child.pid, "SIGKILL");
        else child.kill("SIGKILL");
      } catch {
        child.kill("SIGKILL");
      }
      reject(new Error(`LibreOffice did not finish within ${Math.round(timeoutMs / 1000)} s and was stopped`));
    }, timeoutMs);
    child.on("error", (error) => {
      clearTimeout(timer);
      reject(new Error(`Cannot start LibreOffice '${command}': ${error.message}`, { cause: error }));
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      const detail = output.trim().split("\n").slice(-3).join(" ");
      if (code === 0) resolve(detail);
      else reject(new Error(`LibreOffice exited with code ${code}${detail === "" ? "" : `: ${detail}`}`));
    });
  });
}
