import { open, readFile, stat } from "node:fs/promises";
import { PDFDocument } from "pdf-lib";
import { decodeRaster } from "./decode_raster.ts";
import { encodePng } from "./encode_png.ts";
import { PAPER } from "./text_to_pdf.ts";

const MARGIN = 36;
/** Larger images are not rendered (the PDF holds the image whole, and so does memory). */
export const MAX_IMAGE_BYTES = 50 * 1024 * 1024;

async function embedRaster(doc: PDFDocument, bytes: Uint8Array, contentType: string) {
  const image = decodeRaster(bytes, contentType);
  return await doc.embedPng(encodePng(image.width, image.height, image.rgba));
}

/**
 * Puts a JPEG, PNG, GIF (first frame), TIFF (first page) or BMP on one page of the printer's paper size, turned to landscape for a wide
 * image, scaled to fill the page inside the margins with its proportions kept, centred.
 */
export async function imageToPdf(
  input: string,
  contentType: string,
  output: string,
  paper: "a4" | "letter",
): Promise<void> {
  const size = (await stat(input)).size;
  if (size > MAX_IMAGE_BYTES) {
    throw new Error(`the image is ${size} bytes, more than the ${MAX_IMAGE_BYTES} mps renders`);
  }
  const bytes = await readFile(input);
  const doc = await PDFDocument.create();
  const image = contentType === "image/jpeg"
    ? await doc.embedJpg(bytes)
    : contentType === "image/png"
    ? await doc.embedPng(bytes)
    : await embedRaster(doc, bytes, contentType);
  const [short, long] = PAPER[paper];
  const [width, height] = image.width > image.height ? [long, short] : [short, long];
  const scale = Math.min((width - 2 * MARGIN) / image.width, (height - 2 * MARGIN) / image.height);
  const drawn = { width: image.width * scale, height: image.height * scale };
  const page = doc.addPage([width, height]);
  page.drawImage(image, { x: (width - drawn.width) / 2, y: (height - drawn.height) / 2, ...drawn });
  const pdf = await doc.save();
  const handle = await open(output, "w");
  try {
    await handle.writeFile(pdf);
    await handle.sync();
  } finally {
    await handle.close();
  }
}
