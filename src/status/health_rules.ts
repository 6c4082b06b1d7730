/** The thresholds /health and /metrics judge a source by: cycle staleness, failures in a row, token expiry. */

/** A source that has not finished a cycle within this many intervals is unhealthy. */
export const STALE_AFTER_INTERVALS = 3;

/** A client secret that expires within this many days is a warning. */
export const CLIENT_SECRET_WARNING_DAYS = 30;

/** Microsoft expires a refresh token after this many days unused. */
export const REFRESH_TOKEN_LIFETIME_DAYS = 90;

/**
 * A refresh token older than this is a warning: `run` renews it every few days, so reaching
 * this age means the renewal has stopped working and 90 - 60 = 30 days are left to notice.
 */
export const REFRESH_TOKEN_WARNING_DAYS = 60;
