// Codes of the findings only `mps doctor` makes; failures it shares with `mps run` are error classes in their folders.
export const WARN_CONFIG_IGNORED = "WARN_CONFIG_IGNORED";
export const WARN_NO_UIDPLUS = "WARN_NO_UIDPLUS";
export const WARN_CERT_EXPIRING = "WARN_CERT_EXPIRING";
export const ERR_DISK_FULL = "ERR_DISK_FULL";
export const WARN_DISK_LOW = "WARN_DISK_LOW";
export const WARN_CLIENT_SECRET_EXPIRING = "WARN_CLIENT_SECRET_EXPIRING";
export const WARN_CLIENT_SECRET_DATE = "WARN_CLIENT_SECRET_DATE";
export const WARN_TOKEN_UNUSED = "WARN_TOKEN_UNUSED";
export const ERR_SOURCE_NO_USER = "ERR_SOURCE_NO_USER";
