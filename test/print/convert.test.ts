import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { after, before, test } from "node:test";
import { encode as encodeBmp } from "bmp-ts";
import omggif from "omggif";
import UTIF from "utif2";
import { imageToPdf } from "../../src/print/image_to_pdf.ts";
import { loadFonts } from "../../src/print/load_fonts.ts";
import { MAX_TEXT_BYTES, textToPdf } from "../../src/print/text_to_pdf.ts";
import { ROOT } from "../helpers/run_mps.ts";
import { JPEG, makePng, PNG } from "./print_kit.ts";

const FONT_DIR = path.join(ROOT, "src", "assets", "fonts");
let dir: string;
before(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "mps-convert-"));
});
after(() => rm(dir, { recursive: true, force: true }));

/** Text and page facts of a PDF, read by poppler's pdftotext and pdfinfo. */
function readPdf(file: string): { text: string; pages: number; size: string } {
  const info = execFileSync("pdfinfo", [file]).toString();
  return {
    text: execFileSync("pdftotext", ["-layout", file, "-"]).toString(),
    pages: Number(/Pages:\s+(\d+)/.exec(info)?.[1]),
    size: /Page size:\s+(.*)/.exec(info)?.[1]?.trim() ?? "",
  };
}

test("renders Latin, Cyrillic, Greek and CJK text on A4 with the fonts embedded", async (t) => {
  const fonts = await loadFonts([FONT_DIR]);
  if (fonts.cjk === undefined) t.diagnostic("no CJK font on this system: CJK is checked as replaced");
  const input = path.join(dir, "hello.txt");
  await writeFile(input, "Grüße, Привет, Γειά σου, 你好\n");
  const output = path.join(dir, "hello.pdf");
  await textToPdf(input, output, "a4", fonts);
  const pdf = readPdf(output);
  assert.equal(pdf.size, "595.28 x 841.89 pts (A4)");
  assert.equal(pdf.pages, 1);
  const expected = fonts.cjk === undefined ? "Grüße, Привет, Γειά σου, \ufffd\ufffd" : "Grüße, Привет, Γειά σου, 你好";
  assert.equal(pdf.text.trim(), expected);
  const fontList = execFileSync("pdffonts", [output]).toString();
  assert.match(fontList, /DejaVuSans/);
});

test("wraps long lines at the margin, keeps every word, and starts a page at a form feed, on Letter", async () => {
  const input = path.join(dir, "long.txt");
  const words = Array.from({ length: 300 }, (_, index) => `word${index}`);
  await writeFile(input, `${words.join(" ")}\r\n\fsecond page\n`);
  const output = path.join(dir, "long.pdf");
  await textToPdf(input, output, "letter", await loadFonts([FONT_DIR]));
  const pdf = readPdf(output);
  assert.equal(pdf.size, "612 x 792 pts (letter)");
  assert.equal(pdf.pages, 2);
  const lines = pdf.text.split("\n").filter((line) => line.trim() !== "");
  assert.ok(lines.length > 10, `only ${lines.length} lines: not wrapped`);
  assert.deepEqual(
    pdf.text.split(/\s+/).filter((word) => word.startsWith("word")).map((word) => word.replace(/\W/g, "")),
    words,
  );
  assert.match(pdf.text, /\fsecond page/);
});

test("fits a JPEG and a PNG to the page, a wide image on a landscape page", async () => {
  for (const [name, bytes, type] of [["a.jpg", JPEG, "image/jpeg"], ["a.png", PNG, "image/png"]] as const) {
    const input = path.join(dir, name);
    await writeFile(input, bytes);
    const output = path.join(dir, `${name}.pdf`);
    await imageToPdf(input, type, output, "a4");
    const pdf = readPdf(output);
    assert.equal(pdf.pages, 1);
    assert.equal(pdf.size, "595.28 x 841.89 pts (A4)");
    const images = execFileSync("pdfimages", ["-list", output]).toString();
    assert.match(images, /\n\s+1\s+0 image\s+1\s+1 /);
  }
  const wide = path.join(dir, "wide.png");
  await writeFile(wide, makePng(400, 100));
  await imageToPdf(wide, "image/png", path.join(dir, "wide.pdf"), "letter");
  assert.equal(readPdf(path.join(dir, "wide.pdf")).size, "792 x 612 pts (letter)");
});

test("refuses to render a file that is not the image it claims to be", async () => {
  const input = path.join(dir, "fake.png");
  await writeFile(input, "this is not a PNG");
  await assert.rejects(imageToPdf(input, "image/png", path.join(dir, "fake.pdf"), "a4"));
  assert.equal(await readFile(path.join(dir, "fake.pdf")).catch(() => "absent"), "absent");
});

/** A 40 × 20 image in each raster format, made with the encoders of the same libraries (no other encoder here). */
function rasters(): Array<[string, string, Uint8Array]> {
  const width = 40;
  const height = 20;
  const rgba = new Uint8Array(width * height * 4).map((_, index) => (index % 4 === 3 ? 255 : (index * 7) % 256));
  const gifBytes = new Uint8Array(4096);
  const palette = Array.from({ length: 256 }, (_, index) => index * 0x010101);
  const writer = new omggif.GifWriter(gifBytes, width, height, { palette });
  writer.addFrame(0, 0, width, height, Array.from({ length: width * height }, (_, index) => index % 256));
  const gif = gifBytes.subarray(0, writer.end());
  const tiff = new Uint8Array(UTIF.encodeImage(rgba, width, height));
  const bmp = new Uint8Array(encodeBmp({ width, height, data: Buffer.from(rgba) }).data);
  return [["a.gif", "image/gif", gif], ["a.tif", "image/tiff", tiff], ["a.bmp", "image/bmp", bmp]];
}

test("renders GIF, TIFF and BMP to a PDF with the image at its pixel size, on a landscape page when wide", async () => {
  for (const [name, type, bytes] of rasters()) {
    const input = path.join(dir, name);
    await writeFile(input, bytes);
    const output = path.join(dir, `${name}.pdf`);
    await imageToPdf(input, type, output, "a4");
    const pdf = readPdf(output);
    assert.equal(pdf.pages, 1, name);
    assert.equal(pdf.size, "841.89 x 595.28 pts (A4)", name);
    assert.match(execFileSync("pdfimages", ["-list", output]).toString(), /\n\s+1\s+0 image\s+40\s+20 /, name);
  }
});

test("refuses a raster image whose header claims more pixels than mps renders, before decoding it", async () => {
  const header = Buffer.alloc(54);
  header.write("BM", 0, "latin1");
  header.writeInt32LE(100_000, 18);
  header.writeInt32LE(100_000, 22);
  const input = path.join(dir, "huge.bmp");
  await writeFile(input, header);
  await assert.rejects(
    imageToPdf(input, "image/bmp", path.join(dir, "huge.pdf"), "a4"),
    /100000 × 100000 pixels, more than the 25000000 mps renders/,
  );
});

test("refuses text longer than mps renders, before reading it", async () => {
  const input = path.join(dir, "huge.txt");
  await writeFile(input, Buffer.alloc(MAX_TEXT_BYTES + 1, 0x61));
  await assert.rejects(
    textToPdf(input, path.join(dir, "huge.pdf"), "a4"),
    new RegExp(`^Error: the text is ${MAX_TEXT_BYTES + 1} bytes, more than the ${MAX_TEXT_BYTES} bytes mps renders$`),
  );
});
