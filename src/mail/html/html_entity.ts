const NAMED: Readonly<Record<string, string>> = {
  amp: "&",
  lt: "<",
  gt: ">",
  quot: '"',
  apos: "'",
  nbsp: "\u00a0",
  ensp: " ",
  emsp: " ",
  thinsp: " ",
  shy: "",
  zwnj: "",
  zwj: "",
  lrm: "",
  rlm: "",
  copy: "©",
  reg: "®",
  trade: "™",
  euro: "€",
  cent: "¢",
  pound: "£",
  yen: "¥",
  sect: "§",
  para: "¶",
  deg: "°",
  plusmn: "±",
  micro: "µ",
  middot: "·",
  bull: "•",
  hellip: "…",
  ndash: "–",
  mdash: "—",
  lsquo: "‘",
  rsquo: "’",
  sbquo: "‚",
  ldquo: "“",
  rdquo: "”",
  bdquo: "„",
  laquo: "«",
  raquo: "»",
  times: "×",
  divide: "÷",
  iexcl: "¡",
  iquest: "¿",
  auml: "ä",
  ouml: "ö",
  uuml: "ü",
  Auml: "Ä",
  Ouml: "Ö",
  Uuml: "Ü",
  szlig: "ß",
  eacute: "é",
  Eacute: "É",
  egrave: "è",
  ecirc: "ê",
  agrave: "à",
  aacute: "á",
  acirc: "â",
  aring: "å",
  Aring: "Å",
  aelig: "æ",
  oslash: "ø",
  Oslash: "Ø",
  ccedil: "ç",
  ntilde: "ñ",
  oacute: "ó",
  ocirc: "ô",
  iacute: "í",
  uacute: "ú",
};

/** Longest entity looked at: `&` + `#x10FFFF;`-sized or a name of up to 31 letters + `;`. */
const MAX_NAME = 31;

/** A decoded character reference: its text and the index just after it. */
export interface HtmlEntity {
  readonly value: string;
  readonly end: number;
}

/**
 * Decodes the character reference at `html[at]` (which is `&`): numeric (`&#8364;`, `&#x20AC;`,
 * the `;` optional) or named (`&euro;`, `;` required; case-insensitive as a fallback). Reads at
 * most a few dozen characters, so scanning stays linear. Undefined when it is no reference:
 * the `&` is then text. Code points that are no characters (0, surrogates, past U+10FFFF)
 * become U+FFFD, as browsers show them.
 */
export function htmlEntity(html: string, at: number): HtmlEntity | undefined {
  let i = at + 1;
  if (html.charCodeAt(i) === 0x23 /* # */) {
    i++;
    const hex = (html.charCodeAt(i) | 0x20) === 0x78; /* x */
    if (hex) i++;
    const start = i;
    let code = 0;
    for (; i < html.length && i - start < 8; i++) {
      const digit = digitValue(html.charCodeAt(i), hex);
      if (digit < 0) break;
      code = code * (hex ? 16 : 10) + digit;
    }
    if (i === start) return undefined;
    while (digitValue(html.charCodeAt(i), hex) >= 0) {
      code = 0x110000;
      i++;
    }
    if (html.charCodeAt(i) === 0x3b /* ; */) i++;
    const valid = code > 0 && code <= 0x10ffff && (code < 0xd800 || code > 0xdfff);
    return { value: valid ? String.fromCodePoint(code) : "\ufffd", end: i };
  }
  const start = i;
  for (; i < html.length && i - start <= MAX_NAME; i++) {
    const c = html.charCodeAt(i);
    const alnum = (c >= 0x30 && c <= 0x39) || ((c | 0x20) >= 0x61 && (c | 0x20) <= 0x7a);
    if (!alnum) break;
  }
  if (i === start || html.charCodeAt(i) !== 0x3b) return undefined;
  const name = html.slice(start, i);
  const value = NAMED[name] ?? NAMED[name.toLowerCase()];
  return value === undefined ? undefined : { value, end: i + 1 };
}

function digitValue(c: number, hex: boolean): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (!hex) return -1;
  const lower = c | 0x20;
  return lower >= 0x61 && lower <= 0x66 ? lower - 0x61 + 10 : -1;
}
