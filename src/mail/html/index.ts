export { htmlToText, MAX_HTML_CHARS } from "./html_to_text.ts";
