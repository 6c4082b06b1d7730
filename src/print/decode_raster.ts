import { decode as decodeBmp } from "bmp-ts";
import omggif from "omggif";
import UTIF from "utif2";

/** An image as 8-bit RGBA pixels, row by row from the top. */
export interface RgbaImage {
  readonly width: number;
  readonly height: number;
  readonly rgba: Uint8Array;
}

/** 25 megapixels: 100 MB of RGBA, the most mps holds for one image. */
export const MAX_PIXELS = 25_000_000;

/** The raster types mps decodes itself (JPEG and PNG go into the PDF as they are). */
export const RASTER_TYPES = ["image/gif", "image/tiff", "image/bmp"] as const;

/**
 * Decodes a GIF (its first frame), a TIFF (its first page) or a BMP to RGBA. Refuses images
 * larger than {@link MAX_PIXELS} before allocating their pixels.
 */
export function decodeRaster(bytes: Uint8Array, contentType: string): RgbaImage {
  const checkSize = (width: number, height: number) => {
    if (!(width > 0 && height > 0)) throw new Error(`the image has no pixels (${width} × ${height})`);
    if (width * height > MAX_PIXELS) {
      throw new Error(`the image has ${width} × ${height} pixels, more than the ${MAX_PIXELS} mps renders`);
    }
  };
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (contentType === "image/gif") {
    const reader = new omggif.GifReader(buffer);
    checkSize(reader.width, reader.height);
    const rgba = new Uint8Array(reader.width * reader.height * 4);
    reader.decodeAndBlitFrameRGBA(0, rgba);
    return { width: reader.width, height: reader.height, rgba };
  }
  if (contentType === "image/tiff") {
    const arrayBuffer = buffer.buffer.slice(buffer.byteOffset, buffer.byteOffset + buffer.byteLength) as ArrayBuffer;
    const [page] = UTIF.decode(arrayBuffer);
    if (page === undefined) throw new Error("the TIFF has no image");
    const tag = (name: string) => {
      const value = page[name];
      return Array.isArray(value) ? Number(value[0]) : Number(value);
    };
    // ImageWidth and ImageLength, read before the pixels are decoded
    checkSize(tag("t256"), tag("t257"));
    UTIF.decodeImage(arrayBuffer, page);
    const width = Number(page.width);
    const height = Number(page.height);
    checkSize(width, height);
    return { width, height, rgba: UTIF.toRGBA8(page) };
  }
  if (contentType === "image/bmp") {
    // the header holds the size: read it before the decoder allocates the pixels
    if (buffer.byteLength < 26 || buffer.toString("latin1", 0, 2) !== "BM") throw new Error("the file is not a BMP");
    checkSize(Math.abs(buffer.readInt32LE(18)), Math.abs(buffer.readInt32LE(22)));
    const image = decodeBmp(buffer, { toRGBA: true });
    return { width: image.width, height: image.height, rgba: new Uint8Array(image.data) };
  }
  throw new Error(`${contentType} is not an image type mps decodes`);
}
