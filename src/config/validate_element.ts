import * as v from "valibot";
import { ConfigError } from "./errors.ts";
import type { XmlElement } from "./xml_tree.ts";

/** How an element is named in messages: `<emailSources>/<add> #1`, or `<http>`. */
export function describeElement(element: XmlElement, parent?: XmlElement, index?: number): string {
  const own = `<${element.name}>`;
  if (parent === undefined || parent.name === "mps") return own;
  return `<${parent.name}>/${own}${index === undefined ? "" : ` #${index}`}`;
}

export interface ElementContext {
  readonly file: string;
  readonly label: string;
  readonly warnings: string[];
}

/**
 * Validates an element's attributes against its schema. Unknown attributes become warnings;
 * an empty attribute counts as absent (legacy files write `userName=""` for "not set").
 */
export function validateElement<TSchema extends v.ObjectSchema<v.ObjectEntries, undefined>>(
  element: XmlElement,
  schema: TSchema,
  context: ElementContext,
): v.InferOutput<TSchema> {
  const known = new Set(Object.keys(schema.entries));
  const input: Record<string, string> = {};
  for (const [key, value] of Object.entries(element.attributes)) {
    if (!known.has(key)) {
      context.warnings.push(
        `Config '${context.file}': line ${element.line}: ${context.label}: unknown attribute '${key}' is ignored`,
      );
    } else if (value.trim() !== "") {
      input[key] = value;
    }
  }
  const result = v.safeParse(schema, input);
  if (result.success) return result.output;
  const issue = result.issues[0];
  const key = issue.path?.[0]?.key;
  const attribute = typeof key === "string" ? key : "?";
  const raw = element.attributes[attribute];
  const got = raw === undefined || raw.trim() === "" ? "" : `: got '${raw}'`;
  // valibot reports a missing key as an issue of the object itself.
  const message = issue.type === "object" ? "is required" : issue.message;
  throw new ConfigError(context.file, `${context.label}: attribute '${attribute}' ${message}${got}`, {
    line: element.line,
    cause: new v.ValiError(result.issues),
  });
}
