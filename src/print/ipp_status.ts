/** IPP status codes (RFC 8011 section 5.4.15 and the registry) by number, for messages. */
const NAMES: Readonly<Record<number, string>> = {
  0x0000: "successful-ok",
  0x0001: "successful-ok-ignored-or-substituted-attributes",
  0x0002: "successful-ok-conflicting-attributes",
  0x0400: "client-error-bad-request",
  0x0401: "client-error-forbidden",
  0x0402: "client-error-not-authenticated",
  0x0403: "client-error-not-authorized",
  0x0404: "client-error-not-possible",
  0x0405: "client-error-timeout",
  0x0406: "client-error-not-found",
  0x0407: "client-error-gone",
  0x0408: "client-error-request-entity-too-large",
  0x0409: "client-error-request-value-too-long",
  0x040a: "client-error-document-format-not-supported",
  0x040b: "client-error-attributes-or-values-not-supported",
  0x040c: "client-error-uri-scheme-not-supported",
  0x040d: "client-error-charset-not-supported",
  0x040e: "client-error-conflicting-attributes",
  0x040f: "client-error-compression-not-supported",
  0x0410: "client-error-compression-error",
  0x0411: "client-error-document-format-error",
  0x0412: "client-error-document-access-error",
  0x0500: "server-error-internal-error",
  0x0501: "server-error-operation-not-supported",
  0x0502: "server-error-service-unavailable",
  0x0503: "server-error-version-not-supported",
  0x0504: "server-error-device-error",
  0x0505: "server-error-temporary-error",
  0x0506: "server-error-not-accepting-jobs",
  0x0507: "server-error-busy",
  0x0508: "server-error-job-canceled",
  0x0509: "server-error-multiple-document-jobs-not-supported",
};

export function ippStatusName(status: number): string {
  return NAMES[status] ?? `0x${status.toString(16).padStart(4, "0")}`;
}

export function isSuccess(status: number): boolean {
  return status < 0x0100;
}

/**
 * Whether a refusal may go away by itself (the printer is busy, stopped, not accepting jobs,
 * restarting, or the request timed out): then the job is kept and sent again later. Everything
 * else the printer refused is about this document (its format, size or attributes) or this
 * owner, and sending it again would be refused again.
 */
export function isTemporary(status: number): boolean {
  if (status >= 0x0500) {
    return status !== 0x0501 && status !== 0x0503 && status !== 0x0508 && status !== 0x0509;
  }
  return status === 0x0405 || status === 0x0402;
}

/** Operation codes mps sends. */
export const OPERATION = {
  printJob: 0x0002,
  getJobAttributes: 0x0009,
  getJobs: 0x000a,
  getPrinterAttributes: 0x000b,
} as const;

/** `job-state` values (RFC 8011 section 5.3.7). */
export const JOB_STATE: Readonly<Record<number, string>> = {
  3: "pending",
  4: "pending-held",
  5: "processing",
  6: "processing-stopped",
  7: "canceled",
  8: "aborted",
  9: "completed",
};

/** `printer-state` values. */
export const PRINTER_STATE: Readonly<Record<number, string>> = { 3: "idle", 4: "processing", 5: "stopped" };
