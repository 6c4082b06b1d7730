import fontkit from "@pdf-lib/fontkit";
import { open, readFile, stat } from "node:fs/promises";
import { deflateSync } from "node:zlib";
import { PDFDocument, PDFName, StandardFonts } from "pdf-lib";
import type { PDFFont } from "pdf-lib";
import { loadFonts } from "./load_fonts.ts";
import type { Fonts } from "./load_fonts.ts";

/** Page sizes in points. */
export const PAPER = { a4: [595.28, 841.89], letter: [612, 792] } as const;

const MARGIN = 50;
const SIZE = 10;
const LEADING = 12.5;
const TAB = 4;
/** Text beyond this is not rendered: 10 MB is some 2,500 pages and about 420 MB of memory while rendering. */
export const MAX_TEXT_BYTES = 10 * 1024 * 1024;

interface Face {
  readonly pdf: PDFFont;
  /** Advance of a code point at SIZE, or undefined when the font has no glyph for it. */
  readonly advance: (codePoint: number) => number | undefined;
  /** Hex glyph codes by character, filled as characters are used. */
  readonly codes: Map<string, string>;
}

interface Cell {
  readonly face: Face;
  readonly char: string;
  readonly advance: number;
}

/** Neighbouring characters of one font become one text run. */
function toRuns(cells: readonly Cell[]): Run[] {
  const runs: Run[] = [];
  let x = 0;
  for (const cell of cells) {
    const last = runs.at(-1);
    if (last !== undefined && last.face === cell.face) last.text += cell.char;
    else runs.push({ face: cell.face, text: cell.char, x });
    x += cell.advance;
  }
  return runs;
}

interface Run {
  readonly face: Face;
  text: string;
  readonly x: number;
}

/**
 * Renders plain text as a PDF: the page size of the printer, long lines wrapped at the margin,
 * form feeds start a page. Text is read as UTF-8 (Latin-1 when it is not valid UTF-8). Each
 * character is set in the main font (Latin, Cyrillic, Greek), else in the CJK font when the
 * system has one, else shown as a replacement character; fonts are embedded as subsets.
 */
export async function textToPdf(input: string, output: string, paper: "a4" | "letter", fonts?: Fonts): Promise<void> {
  const size = (await stat(input)).size;
  if (size > MAX_TEXT_BYTES) {
    throw new Error(`the text is ${size} bytes, more than the ${MAX_TEXT_BYTES} bytes mps renders`);
  }
  const text = decode(await readFile(input));
  const doc = await PDFDocument.create();
  doc.registerFontkit(fontkit);
  const faces = await embedFaces(doc, fonts ?? await loadFonts());
  const [width, height] = PAPER[paper];
  const lineWidth = width - 2 * MARGIN;
  const linesPerPage = Math.floor((height - 2 * MARGIN) / LEADING);

  // Each page's content stream is written as PDF operators by hand and compressed when the page is
  // full: pdf-lib's drawText keeps an object per operator until save, hundreds of MB for a long text.
  let operators: string[] = [];
  let line = 0;
  let pages = 0;
  const flush = () => {
    if (pages === 0 && operators.length === 0) return;
    const page = doc.addPage([width, height]);
    faces.forEach((face, index) => page.node.setFontDictionary(PDFName.of(`F${index}`), face.pdf.ref));
    const body = `BT\n${operators.join("\n")}\nET`;
    // node:zlib gives a buffer of the exact size; pdf-lib's own deflate keeps a larger one per page
    const stream = doc.context.stream(deflateSync(body), { Filter: "FlateDecode" });
    page.node.addContentStream(doc.context.register(stream));
    operators = [];
    line = 0;
  };
  const newPage = async () => {
    flush();
    pages += 1;
    // a long text must not hold the event loop: /health and the other printers go on meanwhile
    if (pages % 20 === 0) await new Promise((resolve) => setImmediate(resolve));
  };
  const emit = async (runs: readonly Run[]) => {
    if (line >= linesPerPage) await newPage();
    const y = (height - MARGIN - SIZE - line * LEADING).toFixed(2);
    for (const run of runs) {
      operators.push(
        `/F${faces.indexOf(run.face)} ${SIZE} Tf 1 0 0 1 ${(MARGIN + run.x).toFixed(2)} ${y} Tm ${hexOf(run)} Tj`,
      );
    }
    line += 1;
  };
  pages = 1;

  for (const [index, paragraph] of text.split("\f").entries()) {
    if (index > 0) await newPage();
    for (const raw of paragraph.split(/\r\n|\r|\n/)) {
      // the line being set; when it overflows, it breaks after its last space (or, in a word
      // longer than the line, where it overflows) and the rest moves to the next line
      let cells: Cell[] = [];
      const pendingLines: Run[][] = [];
      let x = 0;
      const put = (face: Face, char: string, advance: number) => {
        if (x + advance > lineWidth && cells.length > 0) {
          let space = -1;
          for (let i = cells.length - 1; i > 0; i--) {
            if (cells[i]?.char === " ") {
              space = i;
              break;
            }
          }
          const carried = space < 0 ? [] : cells.slice(space + 1);
          pendingLines.push(toRuns(space < 0 ? cells : cells.slice(0, space)));
          cells = carried;
          x = carried.reduce((sum, cell) => sum + cell.advance, 0);
        }
        cells.push({ face, char, advance });
        x += advance;
      };
      for (const char of raw) {
        const codePoint = char.codePointAt(0) ?? 0x3f;
        if (char === "\t") {
          const spaces = TAB - (cells.length % TAB);
          for (let i = 0; i < spaces; i++) put(faces[0], " ", faces[0].advance(0x20) ?? SIZE / 2);
          continue;
        }
        if (codePoint < 0x20 || (codePoint >= 0x7f && codePoint < 0xa0)) continue;
        const [face, shown, advance] = pick(faces, char, codePoint);
        put(face, shown, advance);
      }
      pendingLines.push(toRuns(cells));
      for (const runs of pendingLines) await emit(runs);
      pendingLines.length = 0;
    }
  }
  flush();
  if (doc.getPageCount() === 0) doc.addPage([width, height]);
  const bytes = await doc.save({ useObjectStreams: true });
  const handle = await open(output, "w");
  try {
    await handle.writeFile(bytes);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * A run's glyphs as a hex string. Each character is encoded once per font and the codes are
 * joined: the layout engine behind encodeText costs far more per call than the line it sets, and
 * character by character there are no ligatures, which the widths measured per character assume.
 */
function hexOf(run: Run): string {
  let hex = "";
  for (const char of run.text) {
    let code = run.face.codes.get(char);
    if (code === undefined) {
      code = run.face.pdf.encodeText(char).toString().slice(1, -1);
      run.face.codes.set(char, code);
    }
    hex += code;
  }
  return `<${hex}>`;
}

function pick(faces: readonly [Face, ...Face[]], char: string, codePoint: number): [Face, string, number] {
  for (const face of faces) {
    const advance = face.advance(codePoint);
    if (advance !== undefined) return [face, char, advance];
  }
  const main = faces[0];
  const replacement = main.advance(0xfffd) === undefined ? "?" : "\ufffd";
  return [main, replacement, main.advance(replacement.codePointAt(0) ?? 0x3f) ?? SIZE / 2];
}

async function embedFaces(doc: PDFDocument, fonts: Fonts): Promise<[Face, ...Face[]]> {
  const faces: Face[] = [];
  for (const bytes of [fonts.main, fonts.cjk]) {
    if (bytes === undefined) continue;
    const metrics = fontkit.create(bytes);
    const pdf = await doc.embedFont(bytes, { subset: true });
    const cache = new Map<number, number | undefined>();
    const scale = SIZE / metrics.unitsPerEm;
    faces.push({
      pdf,
      codes: new Map(),
      advance(codePoint) {
        if (cache.has(codePoint)) return cache.get(codePoint);
        const advance = metrics.hasGlyphForCodePoint(codePoint)
          ? metrics.glyphForCodePoint(codePoint).advanceWidth * scale
          : undefined;
        cache.set(codePoint, advance);
        return advance;
      },
    });
  }
  if (faces[0] !== undefined) return faces as [Face, ...Face[]];
  // No font file at all: the standard Helvetica, which covers Windows-1252 only.
  const helvetica = await doc.embedFont(StandardFonts.Helvetica);
  const known = new Set(helvetica.getCharacterSet());
  return [{
    pdf: helvetica,
    codes: new Map(),
    advance: (codePoint) =>
      known.has(codePoint) ? helvetica.widthOfTextAtSize(String.fromCodePoint(codePoint), SIZE) : undefined,
  }];
}

function decode(bytes: Uint8Array): string {
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes).replace(/^\ufeff/, "");
  } catch {
    return new TextDecoder("latin1").decode(bytes);
  }
}
