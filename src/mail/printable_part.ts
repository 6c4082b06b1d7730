import { contentTypeForName } from "../shared/content_type.ts";

/** What prints when a source sets no `printableTypes`: SPEC's list, with the aliases mailers really send. */
export const DEFAULT_PRINTABLE_TYPES: readonly string[] = [
  "application/pdf",
  "application/x-pdf",
  "application/postscript",
  "image/jpeg",
  "image/jpg",
  "image/pjpeg",
  "image/png",
  "image/x-png",
  "image/gif",
  "image/tiff",
  "image/bmp",
  "image/x-bmp",
  "image/x-ms-bmp",
  "text/plain",
  "application/rtf",
  "application/x-rtf",
  "text/rtf",
  "application/msword",
  "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
  "application/vnd.ms-excel",
  "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
  "application/vnd.ms-powerpoint",
  "application/vnd.openxmlformats-officedocument.presentationml.presentation",
  "application/vnd.oasis.opendocument.text",
  "application/vnd.oasis.opendocument.spreadsheet",
  "application/vnd.oasis.opendocument.presentation",
];

// Types that say nothing about the content: the file name's extension decides instead.
const GENERIC_TYPES = new Set([
  "application/octet-stream",
  "application/x-octet-stream",
  "binary/octet-stream",
  "application/binary",
  "application/unknown",
  "application/force-download",
  "application/download",
  "application/x-download",
]);

/**
 * The content type a part is printed as, or undefined when it is not printable. A generic type
 * (`application/octet-stream`) is replaced by the type the file name's extension suggests.
 * `printableTypes` entries are content types (`application/pdf`, `image/*`, `*`) or extensions
 * (`.docx`, `docx`); an empty list means {@link DEFAULT_PRINTABLE_TYPES}.
 */
export function printablePart(
  contentType: string,
  fileName: string,
  printableTypes: readonly string[],
): string | undefined {
  const declared = contentType.trim().toLowerCase() || "application/octet-stream";
  const effective = GENERIC_TYPES.has(declared) ? contentTypeForName(fileName) : declared;
  const extension = extensionOf(fileName);
  const patterns = printableTypes.length === 0 ? DEFAULT_PRINTABLE_TYPES : printableTypes;
  for (const raw of patterns) {
    const pattern = raw.trim().toLowerCase();
    if (pattern === "*" || pattern === "*/*") return effective;
    if (pattern.includes("/")) {
      if (pattern.endsWith("/*") ? effective.startsWith(pattern.slice(0, -1)) : effective === pattern) return effective;
      continue;
    }
    const wanted = pattern.replace(/^\*?\./, "");
    if (wanted === "") continue;
    if (
      extension === wanted ||
      contentTypeForName(`x.${wanted}`) === effective && effective !== "application/octet-stream"
    ) {
      return effective;
    }
  }
  return undefined;
}

function extensionOf(fileName: string): string {
  const dot = fileName.lastIndexOf(".");
  return dot < 0 ? "" : fileName.slice(dot + 1).toLowerCase();
}
