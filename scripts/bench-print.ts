#!/usr/bin/env node
// Printing benchmarks with real parts; prints figures, asserts nothing (docs/BENCHMARKS.md):
//   - delivery: documents per second of `mps run --once` delivering N one-page PDFs (one job each)
//     to a CUPS queue and to ippeveprinter (a real IPP Everywhere printer that takes one job at a time);
//   - text: time and peak RSS of rendering a text body of M MB to PDF, in a process of its own.
//
//   node scripts/bench-print.ts [--documents 200] [--text-mb 5]

import { execFileSync, spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import * as path from "node:path";
import { performance } from "node:perf_hooks";
import process from "node:process";
import { parseArgs } from "node:util";
import { textToPdf } from "../src/print/text_to_pdf.ts";
import { loadFonts } from "../src/print/load_fonts.ts";
import { mpsCommand, ROOT } from "../test/helpers/run_mps.ts";
import { pdf, setUpPrinting } from "../test/print/print_kit.ts";
import { startCups, startIppPrinter } from "../test/servers/index.ts";

const { values } = parseArgs({
  options: {
    documents: { type: "string", default: "200" },
    "text-mb": { type: "string", default: "5" },
    "render-child": { type: "string" },
  },
});

if (values["render-child"] !== undefined) {
  // the child: render, then report time and peak RSS of this process alone
  const [input, output] = values["render-child"].split("\n");
  const fonts = await loadFonts([path.join(ROOT, "src", "assets", "fonts")]);
  const started = performance.now();
  await textToPdf(input ?? "", output ?? "", "a4", fonts);
  const ms = performance.now() - started;
  process.stdout.write(JSON.stringify({ ms, maxRssMb: process.resourceUsage().maxRSS / 1024 }));
  process.exit(0);
}

const documents = Number(values.documents);
const textMb = Number(values["text-mb"]);
console.log(`machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? "?"}, load ${os.loadavg()[0]?.toFixed(2)}`);

for (const target of ["cupsd", "ippeveprinter"] as const) {
  const printer = target === "cupsd"
    ? await startCups("bench")
    : await startIppPrinter({ formats: ["application/pdf"] });
  const setup = await setUpPrinting(`uri="${printer.uri}" keepPrinted="0"`);
  try {
    for (let index = 1; index <= documents; index++) {
      await setup.addJob(`in-${index}`, `user${index}@example.test`, `Bench ${index}`, [
        { name: "page.pdf", type: "application/pdf", content: pdf(`page ${index}`) },
      ]);
    }
    const [command, env] = mpsCommand(["run", "--once", "--config", setup.config]);
    const started = performance.now();
    const run = spawnSync(command[0] ?? "node", command.slice(1), { cwd: ROOT, env, stdio: "ignore" });
    const seconds = (performance.now() - started) / 1000;
    const printed = (await printer.jobs()).length;
    console.log(
      `delivery: ${documents} one-page PDFs to ${target} in ${seconds.toFixed(1)} s (whole mps run --once, ` +
        `start-up included): ${
          (documents / seconds).toFixed(1)
        } documents/s; exit ${run.status}, ${printed} jobs on the printer`,
    );
  } finally {
    await printer.stop();
    await setup.dispose();
  }
}

{
  const dir = await mkdtemp(path.join(os.tmpdir(), "mps-bench-text-"));
  try {
    const input = path.join(dir, "body.txt");
    const line = "The quick brown fox jumps over the lazy dog. Съешь же ещё этих мягких французских булок. Γαζέες.\n";
    writeFileSync(input, line.repeat(Math.ceil((textMb * 1024 * 1024) / Buffer.byteLength(line))));
    const output = path.join(dir, "body.pdf");
    const child = execFileSync(process.execPath, [
      import.meta.filename ?? "scripts/bench-print.ts",
      "--render-child",
      `${input}\n${output}`,
    ]).toString();
    const { ms, maxRssMb } = JSON.parse(child) as { ms: number; maxRssMb: number };
    const pages = /Pages:\s+(\d+)/.exec(execFileSync("pdfinfo", [output]).toString())?.[1];
    console.log(
      `text: ${textMb} MB of text to a ${pages}-page PDF in ${(ms / 1000).toFixed(1)} s, peak RSS ${
        maxRssMb.toFixed(0)
      } MB`,
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
