import type { DocumentStatus } from "../notify/index.ts";
import type { DeliveryRecord } from "../print/index.ts";

/**
 * What a reply says of each delivered document: printed (the printer took it; `printed` once it
 * reports the job completed) on the record's printer, or not printed with the sentence of why.
 */
export function deliveredDocuments(record: DeliveryRecord): DocumentStatus[] {
  return record.documents.map((document): DocumentStatus =>
    document.state === "failed"
      ? {
        fileName: document.fileName,
        status: "refused",
        why: [document.message ?? document.reason ?? "the printer refused it", document.printerMessage]
          .filter((part) => part !== undefined && part !== "").join(": "),
      }
      : { fileName: document.fileName, status: "printed", printer: record.printer }
  );
}
