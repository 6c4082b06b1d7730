import type { DocumentConverter } from "./prepare_document.ts";

export interface DocumentConverterOptions {
  /** The `soffice` found, or undefined when LibreOffice is not installed. */
  readonly soffice: string | undefined;
}

const OFFICE = [
  "application/rtf",
  "text/rtf",
  "application/msword",
  "application/vnd.ms-excel",
  "application/vnd.ms-powerpoint",
];

/** What mps converts to PDF, and how. */
export function createDocumentConverter(options: DocumentConverterOptions): DocumentConverter {
  return {
    renders: () => false,
    render: () => Promise.reject(new Error("not supported")),
    office: (type) =>
      OFFICE.includes(type) || type.startsWith("application/vnd.openxmlformats-officedocument.") ||
      type.startsWith("application/vnd.oasis.opendocument."),
    officeToPdf: options.soffice === undefined ? undefined : () => Promise.reject(new Error("not yet")),
  };
}
