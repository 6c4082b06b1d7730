import { readdir, readFile } from "node:fs/promises";
import * as path from "node:path";
import { TemplateError } from "./notify_errors.ts";
import { BUILT_IN_TEXTS } from "./reply_texts.ts";
import type { ReplyTexts } from "./reply_texts.ts";

/** The texts of the language replies are written in, and any template file that could not be used. */
export interface LoadedTexts {
  readonly language: string;
  readonly texts: ReplyTexts;
  readonly problems: readonly TemplateError[];
}

const STRING_KEYS = [
  "acceptedSubject",
  "refusedSubject",
  "greeting",
  "acceptedIntro",
  "documentQueued",
  "documentPrinted",
  "documentRefused",
  "notPrintable",
  "refusedIntro",
  "footer",
] as const;
const MAP_KEYS = ["reasons", "whatToDo"] as const;
const LANGUAGE_FILE = /^([a-z]{2,3}(?:-[a-z0-9]{2,8})*)\.json$/i;

/**
 * Picks the language (`language`, else `fallback`, else English) from the built-in texts and
 * the `<language>.json` files of `templatesDir`. A file overrides the keys it has; the rest
 * come from the built-in texts of that language, or English for a language mps does not know.
 * A file that cannot be read or has a wrong shape is reported and left out, so a typo in a
 * template never stops replies.
 */
export async function loadTexts(
  templatesDir: string | undefined,
  language: string,
  fallback: string,
): Promise<LoadedTexts> {
  const files = new Map<string, ReplyTexts>();
  const problems: TemplateError[] = [];
  if (templatesDir !== undefined) {
    let names: string[] = [];
    try {
      names = await readdir(templatesDir);
    } catch (cause) {
      problems.push(
        new TemplateError(`Cannot read the templates folder '${templatesDir}': ${(cause as Error).message}`, {
          cause,
          fix: `Create the folder '${templatesDir}' or remove templates="…" from <notifications>`,
        }),
      );
    }
    for (const name of names.sort()) {
      const match = LANGUAGE_FILE.exec(name);
      if (match?.[1] === undefined) continue;
      const code = match[1].toLowerCase();
      const file = path.join(templatesDir ?? "", name);
      try {
        files.set(
          code,
          merge(BUILT_IN_TEXTS[code] ?? BUILT_IN_TEXTS["en"] as ReplyTexts, parse(await readFile(file, "utf8"), file)),
        );
      } catch (cause) {
        problems.push(
          cause instanceof TemplateError ? cause : new TemplateError(
            `Cannot read the template file '${file}': ${(cause as Error).message}`,
            { cause },
          ),
        );
      }
    }
  }
  for (const wanted of [language, fallback, "en"]) {
    const texts = files.get(wanted) ?? BUILT_IN_TEXTS[wanted];
    if (texts !== undefined) return { language: wanted, texts, problems };
  }
  throw new Error("the built-in English texts are missing");
}

function parse(text: string, file: string): Partial<ReplyTexts> {
  const wrong = (detail: string) =>
    new TemplateError(`Template file '${file}' ${detail}`, {
      fix:
        `Correct '${file}' (see README, "Replies to the sender") or remove it; the built-in texts are used meanwhile`,
    });
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (cause) {
    throw wrong(`is not valid JSON: ${(cause as Error).message}`);
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw wrong("must hold one JSON object");
  const result: Record<string, unknown> = {};
  for (const [key, entry] of Object.entries(value)) {
    if ((STRING_KEYS as readonly string[]).includes(key)) {
      if (typeof entry !== "string") throw wrong(`has '${key}' that is not a string`);
      result[key] = entry;
    } else if ((MAP_KEYS as readonly string[]).includes(key)) {
      if (typeof entry !== "object" || entry === null || Array.isArray(entry)) {
        throw wrong(`has '${key}' that is not an object of reason codes to sentences`);
      }
      for (const [code, sentence] of Object.entries(entry)) {
        if (typeof sentence !== "string") throw wrong(`has '${key}.${code}' that is not a string`);
      }
      result[key] = entry;
    } else {
      throw wrong(`has the unknown key '${key}' (known: ${[...STRING_KEYS, ...MAP_KEYS].join(", ")})`);
    }
  }
  return result as Partial<ReplyTexts>;
}

function merge(base: ReplyTexts, own: Partial<ReplyTexts>): ReplyTexts {
  return {
    ...base,
    ...own,
    reasons: { ...base.reasons, ...own.reasons },
    whatToDo: { ...base.whatToDo, ...own.whatToDo },
  };
}
