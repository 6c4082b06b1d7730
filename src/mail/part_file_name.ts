import libmime from "libmime";

/**
 * The file name a part is saved under, before `safeDocumentName` makes it safe: the decoded
 * name from the message (RFC 2231 and encoded words are decoded by the MIME parser), or for a
 * part without one `attachment.<extension of its type>` (`attachment.pdf`). A name without
 * an extension gets the one of its type (`scan` as application/pdf is `scan.pdf`), so the
 * print system can tell the format.
 */
export function partFileName(rawName: string, contentType: string): string {
  const extension = libmime.detectExtension(contentType);
  const name = (rawName.split(/[\\/]/).pop() ?? "").trim().replace(/[.\s]+$/, "");
  if (name === "") return `attachment.${extension}`;
  if (!/\.[^.\s]{1,10}$/.test(name) && extension !== "bin") return `${name}.${extension}`;
  return name;
}
