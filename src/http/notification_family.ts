// the file itself, not the folder's index: the index brings in the SMTP client
import { NOTIFICATION_RESULTS } from "../notify/notification_results.ts";
import type { MetricFamily } from "./exposition.ts";

/** What `/metrics` shows of replies to senders. */
export interface NotificationStats {
  readonly counts: ReadonlyMap<string, number>;
  /** Replies in the outbox waiting to be sent. */
  readonly waiting: number;
}

/**
 * `mps_notifications_total{result}` (every result at 0 until it happens, so `rate()` sees the
 * first one) and `mps_notifications_waiting`.
 */
export function notificationFamilies(stats: NotificationStats): MetricFamily[] {
  return [counter(stats.counts), {
    name: "mps_notifications_waiting",
    type: "gauge",
    help:
      "Replies to senders waiting in the outbox to be sent (the SMTP server was unreachable or refused the sign-in).",
    samples: [{ labels: [], value: stats.waiting }],
  }];
}

function counter(counts: ReadonlyMap<string, number>): MetricFamily {
  return {
    name: "mps_notifications_total",
    type: "counter",
    help:
      "Replies to senders, by result: queued, sent, retry (a send failed, tried again later), failed (given up), suppressed (automatic mail or a machine address), rate-limited.",
    samples: NOTIFICATION_RESULTS.map((result) => ({ labels: [["result", result]], value: counts.get(result) ?? 0 })),
  };
}
