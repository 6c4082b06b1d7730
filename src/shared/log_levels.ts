/** Log levels, most severe first: a logger at `info` writes error, warn and info. */
export const LOG_LEVELS = ["error", "warn", "info", "debug"] as const;

export type LogLevel = (typeof LOG_LEVELS)[number];
