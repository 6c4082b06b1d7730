// omggif ships no type declarations; only what mps uses of it.
declare module "omggif" {
  class GifReader {
    constructor(buffer: Uint8Array);
    readonly width: number;
    readonly height: number;
    decodeAndBlitFrameRGBA(frame: number, pixels: Uint8Array): void;
  }
  class GifWriter {
    constructor(buffer: Uint8Array, width: number, height: number, options?: { palette?: number[] });
    addFrame(x: number, y: number, width: number, height: number, indexed: number[]): void;
    end(): number;
  }
  const omggif: { readonly GifReader: typeof GifReader; readonly GifWriter: typeof GifWriter };
  export default omggif;
}
