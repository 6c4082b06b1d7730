/** A small seeded generator (mulberry32): the same seed gives the same messages on every run. */
export class Rng {
  #state: number;

  constructor(seed: number) {
    this.#state = seed >>> 0;
  }

  next(): number {
    this.#state = (this.#state + 0x6d2b79f5) >>> 0;
    let t = this.#state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  int(below: number): number {
    return Math.floor(this.next() * below);
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    const item = items[this.int(items.length)];
    if (item === undefined) throw new Error("pick from an empty list");
    return item;
  }
}

const BASE64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const WORDS = ["print", "this", "--", "-", "Gr\xfc\xdfe", "a=b", "\t", " ", "boundary", "--b", "\r", "x"];

/**
 * Random MIME messages made to find where two splitters disagree: nested multiparts whose
 * boundaries are prefixes of each other (or the same), CRLF, LF, `\r\r\n` and mixed line ends,
 * delimiter lines with trailing blanks, missing or outer closing delimiters, preamble and
 * epilogue, lines that look like delimiters and are not, header-only parts, empty bodies,
 * header blocks without their blank line, lines over 64 KiB, and messages cut anywhere.
 * Bytes are latin1 characters.
 */
export class MimeTreeGenerator {
  readonly #rng: Rng;
  #eols: readonly string[] = ["\r\n"];
  #out: string[] = [];
  #boundaries: string[] = [];
  /** Whether lines over 64 KiB may appear. */
  readonly #long: boolean;

  constructor(rng: Rng, options: { long?: boolean } = {}) {
    this.#rng = rng;
    this.#long = options.long ?? false;
  }

  message(): Buffer {
    const rng = this.#rng;
    this.#eols = rng.pick<readonly string[]>([["\r\n"], ["\n"], ["\r\n", "\n", "\r\r\n"], [
      "\r\n",
      "\r\n",
      "\r\n",
      "\r\r\n",
    ]]);
    this.#out = [];
    this.#boundaries = [];
    if (rng.chance(0.8)) this.#line("From: Alice <alice@example.test>");
    if (rng.chance(0.5)) this.#line("Subject: =?utf-8?q?Gr=C3=BC=C3=9Fe?= test");
    this.#entity(0, []);
    let text = this.#out.join("");
    const ending = rng.int(10);
    if (ending === 0) text = text.replace(/\r*\n$/, "");
    else if (ending === 1) text = text.slice(0, rng.int(text.length + 1));
    else if (ending === 2) text += rng.pick(["--", "-", "\r", "\r-", "\r--", "junk"]);
    else if (ending === 3 && this.#boundaries.length > 0) {
      text += `--${rng.pick(this.#boundaries)}${rng.pick(["", "--"])}${rng.pick(["", " ", "\r", "\r\r"])}`;
    }
    return Buffer.from(text, "latin1");
  }

  #eol(): string {
    return this.#rng.pick(this.#eols);
  }

  #line(text: string): void {
    this.#out.push(text + this.#eol());
  }

  #entity(depth: number, ancestors: readonly string[]): void {
    const rng = this.#rng;
    const kind = depth < 3 && rng.chance(depth === 0 ? 0.75 : 0.4)
      ? "multipart"
      : rng.pick(["text", "text", "base64", "rfc822", "leaf-with-boundary", "no-type", "header-only", "no-blank"]);
    if (rng.chance(0.2)) this.#line(`X-Extra: ${rng.pick(WORDS)}`);
    if (kind === "multipart") {
      const boundary = this.#newBoundary(ancestors);
      const subtype = rng.pick(["mixed", "alternative", "related"]);
      const odd = rng.int(20);
      if (odd === 0) this.#line(`Content-Type: multipart/${subtype}`); // no boundary: all of it is preamble
      else if (odd === 1) this.#line(`Content-Type: multipart/${subtype}; boundary="${boundary}\xe4"`); // not ASCII: no boundary
      else if (odd === 2) this.#line(`Content-Type: multipart/${subtype}; boundary="${boundary} "`);
      else if (odd === 3) this.#line(`Content-Type: multipart/; boundary="${boundary}"`);
      else if (rng.chance(0.3)) {
        this.#line(`Content-Type: multipart/${subtype};`);
        this.#line(` boundary="${boundary}"`);
      } else {
        this.#line(`Content-Type: multipart/${subtype}; boundary=${rng.chance(0.5) ? `"${boundary}"` : boundary}`);
      }
      this.#out.push(this.#eol());
      this.#multipartBody(depth, [...ancestors, boundary]);
      return;
    }
    if (kind === "text") {
      this.#line(
        rng.pick([
          "Content-Type: text/plain; charset=utf-8",
          "Content-Type: text/plain; format=flowed; delsp=yes",
          "Content-Type: text/html",
        ]),
      );
    } else if (kind === "base64") {
      this.#line('Content-Type: application/pdf; name="=?utf-8?q?R=C3=A9sum=C3=A9?=.pdf"');
      if (rng.chance(0.5)) this.#line("Content-Disposition: attachment; filename*=utf-8''Bericht%20%C3%A4.pdf");
      this.#line("Content-Transfer-Encoding: base64");
    } else if (kind === "rfc822") this.#line("Content-Type: message/rfc822");
    else if (kind === "leaf-with-boundary") {
      this.#line(
        `Content-Type: text/plain; boundary="${
          rng.chance(0.5) && ancestors.length > 0 ? rng.pick(ancestors) : this.#newBoundary(ancestors)
        }"`,
      );
    } else this.#line("Content-Disposition: inline");
    // a part of headers only: the next delimiter (or the end) follows at once
    if (kind === "header-only") return;
    if (kind !== "no-blank") this.#out.push(this.#eol());
    this.#leafBody(ancestors);
  }

  #multipartBody(depth: number, ancestors: readonly string[]): void {
    const rng = this.#rng;
    const boundary = ancestors.at(-1) ?? "b";
    for (let n = rng.int(3); n > 0; n--) this.#line(this.#lookalike(ancestors));
    const parts = rng.int(4);
    for (let n = 0; n < parts; n++) {
      this.#delimiter(boundary, false);
      this.#entity(depth + 1, ancestors);
    }
    const close = rng.int(10);
    if (close < 6) this.#delimiter(boundary, true);
    else if (close < 8 && ancestors.length > 1) this.#delimiter(rng.pick(ancestors.slice(0, -1)), rng.chance(0.5));
    // otherwise no closing delimiter at all
    for (let n = rng.int(3); n > 0; n--) this.#line(this.#lookalike(ancestors));
  }

  #delimiter(boundary: string, closing: boolean): void {
    const rng = this.#rng;
    const lead = rng.chance(0.05) ? "\r" : "";
    const blanks = rng.pick(["", "", "", " ", "\t", " \t ", " ".repeat(1 + rng.int(1200))]);
    const end = rng.chance(0.05) ? rng.pick(["\r\r\n", "\r\r\r\n", "\r"]) : this.#eol();
    this.#out.push(`${lead}--${boundary}${closing ? "--" : ""}${blanks}${end}`);
  }

  #leafBody(ancestors: readonly string[]): void {
    const rng = this.#rng;
    const lines = rng.int(9);
    for (let n = 0; n < lines; n++) {
      const what = rng.int(12);
      if (what < 4) this.#line(Array.from({ length: rng.int(8) }, () => rng.pick(WORDS)).join(rng.pick([" ", ""])));
      else if (what < 7) {
        this.#line(Array.from({ length: rng.chance(0.8) ? 76 : rng.int(80) }, () => rng.pick([...BASE64])).join(""));
      } else if (what < 9) this.#line(this.#lookalike(ancestors));
      else if (what < 10) this.#line("");
      else if (what < 11 && this.#long && rng.chance(0.3)) this.#line("L".repeat(65_536 + rng.int(20_000)));
      else this.#line(rng.pick(["\xff\xfe\x80 8bit", "=3D=20", "\r", "--\r", "-"]));
    }
  }

  /** A line that looks like a delimiter line and mostly is none. */
  #lookalike(ancestors: readonly string[]): string {
    const rng = this.#rng;
    const some = ancestors.length > 0 && rng.chance(0.7)
      ? rng.pick(ancestors)
      : rng.pick(this.#boundaries.length > 0 ? this.#boundaries : ["b"]);
    return rng.pick([
      `--${some}X`,
      `--${some}-`,
      `--${some}---`,
      `--${some} x`,
      `---${some}`,
      ` --${some}`,
      `--${some.slice(0, -1)}`,
      "--",
      "-- ",
      "----",
      "preamble text",
      `--${some}\rX`,
    ]);
  }

  /** A fresh boundary, often an ancestor's with something added or taken away, sometimes the same. */
  #newBoundary(ancestors: readonly string[]): string {
    const rng = this.#rng;
    let boundary: string;
    if (ancestors.length > 0 && rng.chance(0.5)) {
      const base = rng.pick(ancestors);
      boundary = rng.pick([`${base}1`, `${base}-x`, base.length > 1 ? base.slice(0, -1) : `${base}${base}`, base]);
    } else {
      boundary = rng.pick(["b", "bb", "=_Part_1_2", "abc", "x-y", "----=_NextPart_000"]) +
        (rng.chance(0.5) ? String(rng.int(10)) : "");
    }
    this.#boundaries.push(boundary);
    return boundary;
  }
}
