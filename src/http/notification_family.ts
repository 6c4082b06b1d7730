import { NOTIFICATION_RESULTS } from "../notify/index.ts";
import type { MetricFamily } from "./exposition.ts";

/** `mps_notifications_total{result}`: every result at 0 until it happens, so `rate()` sees the first one. */
export function notificationFamily(counts: ReadonlyMap<string, number>): MetricFamily {
  return {
    name: "mps_notifications_total",
    type: "counter",
    help:
      "Replies to senders, by result: queued, sent, retry (a send failed, tried again later), failed (given up), suppressed (automatic mail or a machine address), rate-limited.",
    samples: NOTIFICATION_RESULTS.map((result) => ({ labels: [["result", result]], value: counts.get(result) ?? 0 })),
  };
}
