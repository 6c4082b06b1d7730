import assert from "node:assert/strict";
import { readdir, readFile } from "node:fs/promises";
import * as path from "node:path";
import { test } from "node:test";

// The layer order of docs/CONVENTIONS.md: a folder imports only from folders on a later row.
const LAYERS: readonly (readonly string[])[] = [
  ["cli"],
  ["doctor"],
  ["http"],
  ["service"],
  ["print", "notify"],
  ["mail", "oauth", "imap"],
  ["config", "storage"],
  ["spool", "log", "runtime", "status"],
  ["shared"],
];

const SRC = path.join(import.meta.dirname ?? ".", "..", "..", "src");

async function sourceFiles(dir: string): Promise<string[]> {
  const found: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) found.push(...await sourceFiles(full));
    else if (entry.name.endsWith(".ts")) found.push(full);
  }
  return found;
}

function layerOf(folder: string): number {
  return LAYERS.findIndex((row) => row.includes(folder));
}

test("every folder of code under src/ has a row in the layer order", async () => {
  const folders: string[] = [];
  for (const entry of await readdir(SRC, { withFileTypes: true })) {
    // src/assets holds files the binary carries (a font), no code
    if (entry.isDirectory() && (await sourceFiles(path.join(SRC, entry.name))).length > 0) folders.push(entry.name);
  }
  assert.deepEqual(folders.filter((folder) => layerOf(folder) === -1), []);
});

test("imports flow one way: no folder imports from its own row or a row above it", async () => {
  const wrong: string[] = [];
  for (const file of await sourceFiles(SRC)) {
    const relative = path.relative(SRC, file);
    const [from] = relative.split(path.sep);
    if (from === undefined || relative === from) continue; // src/main.ts and src/version.ts stand outside the rows
    const text = await readFile(file, "utf8");
    for (const match of text.matchAll(/from "(\.[^"]+)"/g)) {
      const target = path.relative(SRC, path.resolve(path.dirname(file), match[1]!));
      const [to] = target.split(path.sep);
      if (to === undefined || to === from || target === to) continue;
      if (layerOf(to) <= layerOf(from)) wrong.push(`${relative} imports ${target}`);
    }
  }
  assert.deepEqual(wrong, []);
});
