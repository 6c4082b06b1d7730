import { readFileSync } from "node:fs";
import os from "node:os";
import process from "node:process";

export interface MachineInfo {
  readonly nproc: number;
  readonly cpu: string;
  readonly memoryGb: number;
  readonly node: string;
  readonly kernel: string;
  readonly tmpdir: string;
  /** File system of the temp folder, e.g. `ext4` or `tmpfs`, from /proc/mounts. */
  readonly tmpFs: string;
}

export function machineInfo(tmpdir: string): MachineInfo {
  let cpu = os.cpus()[0]?.model ?? "unknown";
  try {
    cpu = /^model name\s*:\s*(.*)$/m.exec(readFileSync("/proc/cpuinfo", "utf8"))?.[1]?.trim() ?? cpu;
  } catch {
    // not Linux
  }
  return {
    nproc: os.availableParallelism(),
    cpu,
    memoryGb: Math.round(os.totalmem() / 1024 ** 3),
    node: process.version,
    kernel: `${os.type()} ${os.release()}`,
    tmpdir,
    tmpFs: fileSystemOf(tmpdir),
  };
}

/** The type of the file system holding `dir` (longest matching mount point). */
function fileSystemOf(dir: string): string {
  try {
    let best = { point: "", type: "unknown" };
    for (const line of readFileSync("/proc/mounts", "utf8").split("\n")) {
      const [, point = "", type = ""] = line.split(" ");
      const inside = dir === point || dir.startsWith(point.endsWith("/") ? point : `${point}/`);
      if (inside && point.length > best.point.length) best = { point, type };
    }
    return best.type;
  } catch {
    return "unknown";
  }
}

/** The 1-minute load average: other work on the machine skews every figure. */
export function loadAverage(): number {
  return os.loadavg()[0] ?? 0;
}
