import type { PrinterState } from "../print/index.ts";
import type { MetricFamily } from "./exposition.ts";
import { printerHealth } from "./printer_health.ts";

/** Outcomes every printer reports, at 0 until they happen, so `increase()` sees the first one. */
const RESULTS = ["sent", "failed", "retry"];

/** The printing families of `/metrics`; none when no printer is configured. */
export function printerFamilies(
  states: readonly PrinterState[],
  now: number,
  longestIntervalMs: number,
): MetricFamily[] {
  if (states.length === 0) return [];
  const perPrinter = (value: (state: PrinterState) => number) =>
    states.map((state) => ({ labels: [["printer", state.name]] as const, value: value(state) }));
  return [
    {
      name: "mps_print_documents_total",
      type: "counter",
      help:
        "Documents delivered to the printer, by result: sent (the printer took it), failed (refused for good), retry (kept for a later attempt).",
      samples: states.flatMap((state) =>
        RESULTS.map((result) => ({
          labels: [["printer", state.name], ["result", result]] as const,
          value: state.documents.get(result) ?? 0,
        }))
      ),
    },
    {
      name: "mps_print_pending_documents",
      type: "gauge",
      help: "Documents in the spool waiting for the printer.",
      samples: perPrinter((state) => state.pendingDocuments),
    },
    {
      name: "mps_print_oldest_pending_seconds",
      type: "gauge",
      help: "Age of the oldest job waiting for the printer, in seconds (0 when none waits).",
      samples: perPrinter((state) =>
        state.oldestPendingSince === undefined ? 0 : Math.max(0, (now - state.oldestPendingSince) / 1000)
      ),
    },
    {
      name: "mps_printer_healthy",
      type: "gauge",
      help: "1 when the printer's last attempt worked and no document waits too long, else 0.",
      samples: perPrinter((state) => printerHealth(state, now, longestIntervalMs).healthy ? 1 : 0),
    },
  ];
}
