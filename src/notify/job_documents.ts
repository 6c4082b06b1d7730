import type { DocumentStatus } from "./compose_reply.ts";

/**
 * The documents of a job just queued, then the attachments left out as not printable
 * (written `'name' (type)` by the mail reader), in that order.
 */
export function jobDocuments(
  documents: readonly { readonly fileName: string }[],
  skipped: readonly string[],
): DocumentStatus[] {
  return [
    ...documents.map((document): DocumentStatus => ({ fileName: document.fileName, status: "queued" })),
    ...skipped.map((entry): DocumentStatus => {
      const match = /^'(.*)' \(([^()]*)\)$/s.exec(entry);
      return {
        fileName: match?.[1] ?? entry,
        status: "refused",
        why: "not-printable",
        contentType: match?.[2] ?? "",
      };
    }),
  ];
}
