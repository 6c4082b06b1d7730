import { setImmediate } from "node:timers";
import { HtmlConverter } from "./html_converter.ts";

/**
 * The most HTML converted per message, and the longest text made of it (UTF-16 code units, so
 * no more than the 4 MiB of body bytes kept): what follows is left out, and the document says
 * the text was cut off. The text has its own limit because markup can grow (a nested list item
 * of 8 characters becomes an indented bullet line of up to 40).
 */
export const MAX_HTML_CHARS = 4 * 1024 * 1024;

/** Characters converted between two yields to the event loop (well under a millisecond of work). */
export const HTML_SLICE_CHARS = 32 * 1024;

/**
 * Plain text of an HTML body, good enough to print what the sender wrote: `<script>`, `<style>`,
 * `<title>` and comments dropped, block elements and `<br>` become line breaks, list items get
 * a bullet (`1.` in `<ol>`), table cells a tab, links keep an `http(s)` target after their
 * text, character references are decoded.
 *
 * One pass of a small state machine over the input, each character looked at a bounded number
 * of times, so the time is linear in the size whatever the markup (unclosed tags, comments,
 * quotes, deep nesting). Work is split into slices of {@link HTML_SLICE_CHARS} with a yield to
 * the event loop between them; input past {@link MAX_HTML_CHARS} is not converted.
 */
export async function htmlToText(html: string): Promise<string> {
  const converter = new HtmlConverter(cutAt(html, MAX_HTML_CHARS), MAX_HTML_CHARS);
  for (;;) {
    converter.run(HTML_SLICE_CHARS);
    if (converter.done) return converter.finish();
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}

/** `text` cut to at most `max` code units, never between the halves of a surrogate pair. */
function cutAt(text: string, max: number): string {
  if (text.length <= max) return text;
  const high = text.charCodeAt(max - 1);
  return text.slice(0, high >= 0xd800 && high <= 0xdbff ? max - 1 : max);
}
