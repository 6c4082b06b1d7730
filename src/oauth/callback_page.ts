// The short page the browser shows after the sign-in redirect. Never holds a token.

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

export type CallbackPageInput = {
  readonly ok: boolean;
  readonly title: string;
  /** Paragraphs of plain text; every one is escaped. */
  readonly lines: readonly string[];
};

/** A minimal, self-contained HTML page (no scripts, no external resources). */
export function callbackPage(input: CallbackPageInput): string {
  const colour = input.ok ? "#1a7f37" : "#b42318";
  const paragraphs = input.lines.map((line) => `<p>${escapeHtml(line)}</p>`).join("\n");
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="referrer" content="no-referrer">
<title>mps: ${escapeHtml(input.title)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem}h1{color:${colour}}</style>
</head><body><main>
<h1 id="outcome" data-ok="${input.ok ? "true" : "false"}">${escapeHtml(input.title)}</h1>
${paragraphs}
</main></body></html>`;
}

/** Response headers for the page: not cached, not framed, no referrer leaking the code. */
export const CALLBACK_PAGE_HEADERS: Readonly<Record<string, string>> = {
  "Cache-Control": "no-store",
  "Referrer-Policy": "no-referrer",
  "X-Frame-Options": "DENY",
  "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'",
};
