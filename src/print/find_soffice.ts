import { access, constants } from "node:fs/promises";
import * as path from "node:path";
import process from "node:process";

const WINDOWS = process.platform === "win32";

/** Where LibreOffice installs itself, besides PATH. */
const USUAL = WINDOWS
  ? [
    "C:\\Program Files\\LibreOffice\\program\\soffice.exe",
    "C:\\Program Files (x86)\\LibreOffice\\program\\soffice.exe",
  ]
  : [
    "/usr/bin/soffice",
    "/usr/lib/libreoffice/program/soffice",
    "/opt/libreoffice/program/soffice",
    "/snap/bin/libreoffice",
    "/Applications/LibreOffice.app/Contents/MacOS/soffice",
  ];

/**
 * The `soffice` to convert office documents with: `setting` as configured (`auto`: PATH, then the
 * usual install folders; a bare name: PATH; else that file). Undefined when none is there.
 */
export async function findSoffice(
  setting: string,
  env: Readonly<Record<string, string | undefined>>,
): Promise<string | undefined> {
  const names = WINDOWS ? ["soffice.exe", "soffice.com"] : ["soffice", "libreoffice"];
  const onPath = async (wanted: readonly string[]) => {
    for (const dir of (env["PATH"] ?? env["Path"] ?? "").split(path.delimiter)) {
      if (dir === "") continue;
      for (const name of wanted) {
        const candidate = path.join(dir, name);
        if (await isExecutable(candidate)) return candidate;
      }
    }
    return undefined;
  };
  if (setting !== "auto") {
    if (!/[\\/]/.test(setting)) return await onPath([setting]);
    return await isExecutable(setting) ? setting : undefined;
  }
  const found = await onPath(names);
  if (found !== undefined) return found;
  for (const candidate of USUAL) if (await isExecutable(candidate)) return candidate;
  return undefined;
}

async function isExecutable(file: string): Promise<boolean> {
  try {
    await access(file, WINDOWS ? constants.F_OK : constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
