/**
 * Results counted in `mps_notifications_total{result}`. In a file of its own so that `/metrics`
 * can name them without loading the SMTP client.
 */
export const NOTIFICATION_RESULTS = ["queued", "sent", "retry", "failed", "suppressed", "rate-limited"] as const;
export type NotificationResult = typeof NOTIFICATION_RESULTS[number];
