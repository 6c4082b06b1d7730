import * as v from "valibot";

// Attribute schemas for the XML config. Every message is the tail of a sentence that the
// loader completes as "attribute 'port' <message>: got '<value>'".

/** A whole number within bounds; an absent attribute takes the default. */
export function wholeNumber(min: number, max: number, fallback: number) {
  const requirement = max === Number.MAX_SAFE_INTEGER
    ? `must be a whole number of at least ${min}`
    : `must be a whole number from ${min} to ${max}`;
  return v.optional(
    v.pipe(
      v.string(),
      v.trim(),
      v.regex(/^[+-]?\d+$/, requirement),
      v.transform(Number),
      v.minValue(min, requirement),
      v.maxValue(max, requirement),
    ),
    String(fallback),
  );
}

/** The same as `wholeNumber` without a default. */
export function optionalWholeNumber(min: number, max: number) {
  const requirement = `must be a whole number from ${min} to ${max}`;
  return v.optional(
    v.pipe(
      v.string(),
      v.trim(),
      v.regex(/^[+-]?\d+$/, requirement),
      v.transform(Number),
      v.minValue(min, requirement),
      v.maxValue(max, requirement),
    ),
  );
}

/** `True`/`true`/`False`/`false`, as the legacy config writes them. */
export function boolean(fallback: boolean) {
  return v.optional(
    v.pipe(
      v.string(),
      v.trim(),
      v.picklist(["True", "true", "False", "false"], "must be True or False"),
      v.transform((value) => value.toLowerCase() === "true"),
    ),
    fallback ? "true" : "false",
  );
}

export function text(fallback: string) {
  return v.optional(v.string(), fallback);
}

export function optionalText() {
  return v.optional(v.string());
}

export function requiredText() {
  return v.pipe(v.string("is required"), v.trim(), v.minLength(1, "is required"));
}

export function oneOf<const T extends readonly [string, ...string[]]>(values: T, fallback: T[number]) {
  const requirement = `must be one of ${values.map((value) => `'${value}'`).join(", ")}`;
  return v.optional(v.picklist(values, requirement), fallback);
}

/** A list separated by `,` or `;`, blanks dropped. */
export function list() {
  return v.optional(
    v.pipe(
      v.string(),
      v.transform((value) => value.split(/[,;]/).map((item) => item.trim()).filter((item) => item !== "")),
    ),
    "",
  );
}

/** A calendar date (`2027-03-31`) or ISO 8601 timestamp, as milliseconds since the epoch. */
export function optionalDate() {
  const requirement = "must be a date such as 2027-03-31";
  return v.optional(
    v.pipe(
      v.string(),
      v.trim(),
      v.regex(/^\d{4}-\d{2}-\d{2}([T ][\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/, requirement),
      v.transform((value) => Date.parse(value.length === 10 ? `${value}T00:00:00Z` : value)),
      v.check((value) => Number.isFinite(value), requirement),
    ),
  );
}

/** An http(s) URL; the OIDC issuer rule (a trailing slash) is checked by the caller. */
export function optionalUrl() {
  const requirement = "must be an http:// or https:// URL";
  return v.optional(
    v.pipe(v.string(), v.trim(), v.url(requirement), v.regex(/^https?:\/\//i, requirement)),
  );
}

/**
 * The authserv-id a receiving server writes first in its `Authentication-Results` (RFC 8601: a
 * token or quoted string, in practice a host name).
 */
export function optionalAuthservId() {
  const requirement =
    "must be the authserv-id the receiving server writes, such as mx.contoso.com (no spaces, ';', '(', '\"' or '\\')";
  return v.optional(v.pipe(v.string(), v.trim(), v.regex(/^[!#-'*-:<-\[\]-~\u0080-\uffff]+$/, requirement)));
}

/** `delete`, `seen` or `move:FOLDER`. */
export function afterDownload() {
  const requirement = "must be 'delete', 'seen' or 'move:FOLDER'";
  return v.optional(
    v.pipe(
      v.string(),
      v.trim(),
      v.regex(/^(delete|seen|move:.+)$/i, requirement),
      v.transform((value): AfterDownload => {
        const lower = value.toLowerCase();
        if (lower === "delete") return { action: "delete" };
        if (lower === "seen") return { action: "seen" };
        return { action: "move", folder: value.slice("move:".length).trim() };
      }),
    ),
    "delete",
  );
}

export type AfterDownload =
  | { readonly action: "delete" }
  | { readonly action: "seen" }
  | { readonly action: "move"; readonly folder: string };
