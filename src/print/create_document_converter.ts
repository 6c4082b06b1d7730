import * as path from "node:path";
import { RASTER_TYPES } from "./decode_raster.ts";
import { imageToPdf } from "./image_to_pdf.ts";
import { loadFonts } from "./load_fonts.ts";
import { officeToPdf } from "./office_to_pdf.ts";
import type { DocumentConverter } from "./prepare_document.ts";
import { textToPdf } from "./text_to_pdf.ts";

export interface DocumentConverterOptions {
  /** The `soffice` found, or undefined when LibreOffice is not installed. */
  readonly soffice: string | undefined;
  /** The spool folder: LibreOffice's profile and work folders go under its `.convert`. */
  readonly spoolDir: string;
  /** Folders to find the text font in when it is not inside the binary (the source's src/assets/fonts). */
  readonly fontDirs?: readonly string[];
  /** Longest a LibreOffice conversion may take, ms. */
  readonly officeTimeoutMs?: number;
}

const OFFICE = [
  "application/rtf",
  "text/rtf",
  "application/msword",
  "application/vnd.ms-excel",
  "application/vnd.ms-powerpoint",
];

const IMAGES: readonly string[] = ["image/jpeg", "image/png", ...RASTER_TYPES];

/** What mps converts to PDF, and how. */
export function createDocumentConverter(options: DocumentConverterOptions): DocumentConverter {
  const { soffice } = options;
  const convertDir = path.join(options.spoolDir, ".convert");
  return {
    renders: (type) => type === "text/plain" || IMAGES.includes(type),
    render: (input, type, output, paper) =>
      type === "text/plain"
        ? loadFonts(options.fontDirs).then((fonts) => textToPdf(input, output, paper, fonts))
        : imageToPdf(input, type, output, paper),
    office: (type) =>
      OFFICE.includes(type) || type.startsWith("application/vnd.openxmlformats-officedocument.") ||
      type.startsWith("application/vnd.oasis.opendocument."),
    officeToPdf: soffice === undefined ? undefined : (input, output) =>
      officeToPdf(input, output, {
        soffice,
        profileDir: path.join(convertDir, "profile"),
        workDir: path.join(convertDir, "work"),
        timeoutMs: options.officeTimeoutMs ?? 120_000,
      }),
  };
}
