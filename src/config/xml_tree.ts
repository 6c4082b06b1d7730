import xml2js from "xml2js";
import { ConfigError } from "./errors.ts";

/** One XML element with its attributes and the 1-based line its start tag is on. */
export interface XmlElement {
  readonly name: string;
  readonly attributes: Readonly<Record<string, string>>;
  readonly line: number;
  readonly children: readonly XmlElement[];
}

// A space cannot occur in an XML attribute name, so this key never collides with a real one.
const LINE_KEY = " line";

/**
 * Parses XML with xml2js into a small ordered tree. xml2js keeps no positions, so the start
 * line of every element is injected as a pseudo-attribute from the underlying sax parser.
 */
export function parseXmlTree(text: string, file: string): XmlElement {
  const parser = new xml2js.Parser({
    explicitChildren: true,
    preserveChildrenOrder: true,
    explicitArray: true,
    explicitRoot: false,
    strict: true,
  });
  const sax: unknown = Reflect.get(parser, "saxParser");
  if (!isSaxParser(sax)) throw new Error("xml2js no longer exposes its sax parser");
  const onopentag = sax.onopentag;
  sax.onopentag = function (this: unknown, node: SaxTag) {
    node.attributes[LINE_KEY] = String(sax.line + 1);
    return onopentag.call(this, node);
  };
  let result: unknown;
  let failure: unknown;
  // Without the `async` option xml2js calls back synchronously.
  parser.parseString(text, (error: unknown, value: unknown) => {
    failure = error;
    result = value;
  });
  if (failure !== undefined && failure !== null) throw saxError(failure, file);
  if (result === undefined || result === null) {
    throw new ConfigError(file, "the file is empty: it must hold an <mps> element");
  }
  return toElement(result, "mps");
}

function saxError(error: unknown, file: string): ConfigError {
  const text = error instanceof Error ? error.message : String(error);
  const match = /^(.*)\nLine: (\d+)\nColumn: (\d+)/s.exec(text);
  if (!match) return new ConfigError(file, `the XML is malformed: ${text}`, { cause: error });
  const [, reason = "", line = "0", column = "0"] = match;
  const lineNo = Number(line) + 1;
  const sentence = reason.charAt(0).toLowerCase() + reason.slice(1);
  return new ConfigError(file, `column ${column}: the XML is malformed: ${sentence}`, {
    cause: error,
    line: lineNo,
  });
}

function toElement(node: unknown, fallbackName: string): XmlElement {
  const record = isRecord(node) ? node : {};
  const name = typeof record["#name"] === "string" ? record["#name"] : fallbackName;
  const attributes: Record<string, string> = {};
  let line = 0;
  const rawAttributes = record["$"];
  if (isRecord(rawAttributes)) {
    for (const [key, value] of Object.entries(rawAttributes)) {
      if (key === LINE_KEY) line = Number(value);
      else attributes[key] = String(value);
    }
  }
  const rawChildren = record["$$"];
  const children = Array.isArray(rawChildren)
    ? rawChildren.filter((child) =>
      isRecord(child) && typeof child["#name"] === "string" &&
      !String(child["#name"]).startsWith("__")
    ).map((child) => toElement(child, ""))
    : [];
  return { name, attributes, line, children };
}

interface SaxTag {
  attributes: Record<string, string>;
}

interface SaxParser {
  line: number;
  onopentag: (this: unknown, node: SaxTag) => unknown;
}

function isSaxParser(value: unknown): value is SaxParser {
  return isRecord(value) && typeof value["line"] === "number" && typeof value["onopentag"] === "function";
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
