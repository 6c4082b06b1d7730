import { readFile } from "node:fs/promises";
import * as path from "node:path";
import process from "node:process";

export interface Fonts {
  /** Latin, Cyrillic and Greek (DejaVu Sans); undefined: only the PDF standard font's Latin-1. */
  readonly main: Uint8Array | undefined;
  /** Chinese, Japanese and Korean from a font of the system, when one is installed. */
  readonly cjk: Uint8Array | undefined;
}

/** Name of the font inside the binary (a single-executable asset) and under src/assets/fonts/ in the source. */
export const MAIN_FONT = "DejaVuSans.ttf";

const SYSTEM_MAIN = [
  "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
  "/usr/share/fonts/dejavu/DejaVuSans.ttf",
];

/** TrueType fonts with CJK glyphs, in order of preference (collections .ttc are not used). */
const SYSTEM_CJK = [
  "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
  "/usr/share/fonts/truetype/arphic-gkai00mp/gkai00mp.ttf",
  "/usr/share/fonts/truetype/unfonts-core/UnDotum.ttf",
  "C:\\Windows\\Fonts\\simhei.ttf",
  "C:\\Windows\\Fonts\\simsunb.ttf",
  "/Library/Fonts/Arial Unicode.ttf",
  "/System/Library/Fonts/Supplemental/Arial Unicode.ttf",
];

const loaded = new Map<string, Promise<Fonts>>();

/**
 * The fonts text is rendered with, read once per process. The main font travels inside the
 * binary (a single-executable asset); run from source it is read from `fontDirs` (the source's
 * src/assets/fonts), else from the system. A CJK font (several MB) is not carried: it is taken from
 * the system when there is one.
 */
export function loadFonts(
  fontDirs: readonly string[] = [],
  cjkCandidates: readonly string[] = SYSTEM_CJK,
): Promise<Fonts> {
  const key = JSON.stringify([fontDirs, cjkCandidates]);
  let fonts = loaded.get(key);
  if (fonts === undefined) {
    fonts = (async () => ({
      main: seaAsset(MAIN_FONT) ??
        await firstReadable([...fontDirs.map((dir) => path.join(dir, MAIN_FONT)), ...SYSTEM_MAIN]),
      cjk: await firstReadable(cjkCandidates),
    }))();
    loaded.set(key, fonts);
  }
  return fonts;
}

function seaAsset(name: string): Uint8Array | undefined {
  try {
    const sea = process.getBuiltinModule?.("node:sea");
    if (sea === undefined || !sea.isSea()) return undefined;
    return new Uint8Array(sea.getAsset(name));
  } catch {
    return undefined;
  }
}

async function firstReadable(files: readonly string[]): Promise<Uint8Array | undefined> {
  for (const file of files) {
    try {
      return new Uint8Array(await readFile(file));
    } catch {
      // not installed here
    }
  }
  return undefined;
}
