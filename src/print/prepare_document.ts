import { mkdir, stat } from "node:fs/promises";
import * as path from "node:path";
import { contentTypeForName } from "../shared/content_type.ts";
import type { PrinterCapabilities } from "./printer_channel.ts";

/** What mps can render to PDF itself, and what LibreOffice can. */
export interface DocumentConverter {
  /** Content types `render` takes. */
  readonly renders: (contentType: string) => boolean;
  /** Writes `output` (PDF); throws when the input cannot be rendered. */
  readonly render: (input: string, contentType: string, output: string, paper: "a4" | "letter") => Promise<void>;
  /** Content types LibreOffice converts. */
  readonly office: (contentType: string) => boolean;
  /** Converts with LibreOffice; undefined when it is not installed (then office documents cannot print). */
  readonly officeToPdf: ((input: string, output: string) => Promise<void>) | undefined;
}

export type PreparedDocument =
  | { readonly kind: "send"; readonly file: string; readonly format: string; readonly size: number }
  | { readonly kind: "refuse"; readonly reason: "cannot-convert"; readonly message: string };

/** Folder inside a job where converted documents are written. */
export const CONVERTED_DIR = ".print";

/**
 * Decides how a document reaches the printer: as it is when the printer lists its type, else as
 * a PDF that mps renders (text, images) or LibreOffice makes (office files), else refused.
 * `application/octet-stream` in the printer's list is not trusted to mean "anything".
 */
export async function prepareDocument(
  input: { readonly file: string; readonly contentType: string; readonly fileName: string; readonly n: number },
  printer: PrinterCapabilities,
  converter: DocumentConverter,
): Promise<PreparedDocument> {
  let type = input.contentType.split(";")[0]?.trim().toLowerCase() ?? "";
  if (type === "" || type === "application/octet-stream") type = contentTypeForName(input.fileName);
  if (type === "image/x-ms-bmp") type = "image/bmp";
  const size = async (file: string) => (await stat(file)).size;
  if (type !== "application/octet-stream" && printer.formats.includes(type)) {
    return { kind: "send", file: input.file, format: type, size: await size(input.file) };
  }
  const takesPdf = printer.formats.includes("application/pdf");
  const listed = printer.formats.filter((format) => format !== "application/octet-stream").join(", ");
  if (!takesPdf) {
    return {
      kind: "refuse",
      reason: "cannot-convert",
      message:
        `The printer takes none of the formats mps can make from ${type} (it takes ${listed}; mps sends the type as it is or a PDF)`,
    };
  }
  const output = path.join(path.dirname(input.file), CONVERTED_DIR, `${input.n}.pdf`);
  await mkdir(path.dirname(output), { recursive: true });
  if (converter.renders(type)) {
    try {
      await converter.render(input.file, type, output, printer.paper);
    } catch (error) {
      return {
        kind: "refuse",
        reason: "cannot-convert",
        message: `Cannot render ${type} '${input.fileName}' as PDF: ${(error as Error).message}`,
      };
    }
    return { kind: "send", file: output, format: "application/pdf", size: await size(output) };
  }
  if (converter.office(type)) {
    if (converter.officeToPdf === undefined) {
      return {
        kind: "refuse",
        reason: "cannot-convert",
        message:
          `'${input.fileName}' (${type}) needs LibreOffice to become a PDF, and it is not installed (the printer takes ${listed})`,
      };
    }
    try {
      await converter.officeToPdf(input.file, output);
    } catch (error) {
      return {
        kind: "refuse",
        reason: "cannot-convert",
        message: `LibreOffice could not convert '${input.fileName}' (${type}) to PDF: ${(error as Error).message}`,
      };
    }
    return { kind: "send", file: output, format: "application/pdf", size: await size(output) };
  }
  return {
    kind: "refuse",
    reason: "cannot-convert",
    message: `mps cannot convert ${type} '${input.fileName}' to a format the printer takes (${listed})`,
  };
}
