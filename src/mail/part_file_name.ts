import libmime from "libmime";

// Types printed under another name than libmime's: an alias maps to the type whose extension it takes.
const ALIASES: Readonly<Record<string, string>> = {
  "application/x-pdf": "application/pdf",
  "image/jpg": "image/jpeg",
  "image/pjpeg": "image/jpeg",
  "image/x-png": "image/png",
  "image/x-bmp": "image/bmp",
  "image/x-ms-bmp": "image/bmp",
  "application/x-rtf": "application/rtf",
  "text/rtf": "application/rtf",
};

/**
 * The file name a part is saved under, before `safeDocumentName` makes it safe: the decoded
 * name from the message (RFC 2231 and encoded words are decoded by the MIME parser), or for a
 * part without one `attachment.<extension of its type>` (`attachment.pdf`).
 *
 * The name ends in an extension of the type the part was accepted as (`printType`), so the
 * print system and anyone opening the file sees what it really is: when its own extension is
 * missing or belongs to another type, the type's is added (`report.hta` as application/pdf is
 * `report.hta.pdf`, `scan` is `scan.pdf`). A type with no extension of its own (a part accepted
 * by its name under `application/octet-stream`, or `printableTypes="*"` with an unknown type)
 * keeps the name as it is.
 */
export function partFileName(rawName: string, printType: string): string {
  const type = canonical(printType);
  const extension = libmime.detectExtension(type);
  const name = (rawName.split(/[\\/]/).pop() ?? "").trim().replace(/[.\s]+$/, "");
  if (name === "") return `attachment.${extension}`;
  if (extension === "bin") return name;
  const dot = name.lastIndexOf(".");
  const own = dot < 0 ? "" : name.slice(dot + 1).toLowerCase();
  if (own !== "" && canonical(libmime.detectMimeType(own)) === type) return name;
  return `${name}.${extension}`;
}

function canonical(contentType: string): string {
  const type = contentType.trim().toLowerCase();
  return ALIASES[type] ?? type;
}
