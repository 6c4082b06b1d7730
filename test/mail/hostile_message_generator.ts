import { MimeTreeGenerator } from "./mime_tree_generator.ts";
import type { Rng } from "./mime_tree_generator.ts";

/**
 * How much of the hostile material whose handling other parts of mps have to get right is
 * generated. Each is kept at a level today's code passes, and is raised once that code is fixed.
 */
export interface HostileVolume {
  /**
   * Share (0..1) of file names and subjects given bidi controls, zero-width characters, C1
   * controls, the Windows reserved forms `CON .pdf`, `CONIN$`, `CONOUT$`, or more than 20 emoji;
   * the same share of cut messages is cut inside a UTF-8 sequence.
   */
  readonly oddNameShare: number;
  /** Largest HTML body made of unclosed tags, comments and `<` floods, in bytes. */
  readonly htmlBytes: number;
  /** Share (0..1) of `From` headers that may hide an address in an encoded display name. */
  readonly forgedFromShare: number;
}

/** One generated message and what kind of hostility it carries (for reports of slow or failing cases). */
export interface HostileCase {
  readonly raw: Buffer;
  readonly kind: string;
}

const CRLF = "\r\n";
const CJK = "漢字仮名交じり文印刷書類報告請求書見積注文確認東京大阪北京上海서울한국어문서";
const ARABIC = "تقريرالطباعةفاتورةمستندعربيرسالة";
const EMOJI = ["📄", "🖨", "✅", "🔥", "😀", "🇩🇪", "👍🏽", "🧾"];
const BIDI = [
  "\u202e",
  "\u202d",
  "\u202a",
  "\u202b",
  "\u202c",
  "\u2066",
  "\u2067",
  "\u2068",
  "\u2069",
  "\u200e",
  "\u200f",
  "\u061c",
];
const ZERO_WIDTH = ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff"];
const C1 = ["\u0085", "\u009b", "\u0080", "\u009f"];
const WINDOWS_ODD = ["CON .pdf", "CONIN$", "CONOUT$", "conin$.pdf", "CONOUT$ .txt", "NUL .pdf", "lpt1 .pdf"];
const WINDOWS_KNOWN = [
  "CON",
  "con.pdf",
  "nul.txt",
  "AUX",
  "LPT1.pdf",
  "COM¹.pdf",
  "prn.PDF",
  "report.pdf.",
  "report.pdf  ",
];
const PATHS = [
  "../../etc/passwd",
  "..\\..\\boot.ini",
  "C:\\Windows\\x.pdf",
  "/abs/path.pdf",
  "a/b\\c.pdf",
  "..",
  ".",
  "...",
];
const PUNCT = [
  'a<b>c|d?e*f"g:h.pdf',
  "name:stream.pdf",
  "tab\there.pdf",
  "\x01\x1b[31mred.pdf",
  "  spaced  .pdf",
  ".hidden.pdf",
];
const PRINTABLE = [
  ["application/pdf", "pdf"],
  ["image/png", "png"],
  ["image/jpeg", "jpg"],
  ["text/plain", "txt"],
  ["application/octet-stream", "docx"],
  ["application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx"],
] as const;
const UNPRINTABLE = [["application/zip", "zip"], ["application/x-msdownload", "exe"], [
  "text/calendar",
  "ics",
]] as const;

/**
 * Hostile messages, from a seed: deep and wide multiparts, damaged boundaries and transfer
 * encodings, huge headers, long and odd names in many scripts (encoded every way MIME allows),
 * odd `From` forms, and HTML that defeats naive parsers. Every fourth message is a damaged MIME
 * tree from {@link MimeTreeGenerator}.
 */
export class HostileMessageGenerator {
  readonly #rng: Rng;
  readonly #volume: HostileVolume;

  constructor(rng: Rng, volume: HostileVolume) {
    this.#rng = rng;
    this.#volume = volume;
  }

  next(): HostileCase {
    const rng = this.#rng;
    const shape = rng.pick(["tree", "names", "deep", "wide", "forwarded", "html", "headers", "encodings"] as const);
    if (shape === "tree") {
      return { raw: new MimeTreeGenerator(rng, { long: rng.chance(0.1) }).message(), kind: "damaged-mime-tree" };
    }
    const headers = this.#headers(shape === "headers");
    let body: string;
    if (shape === "names") body = this.#mixed(Array.from({ length: 1 + rng.int(4) }, () => this.#attachment()));
    else if (shape === "deep") body = this.#deep(1 + rng.int(rng.chance(0.2) ? 400 : 40));
    else if (shape === "wide") {
      body = this.#mixed(Array.from({ length: rng.int(rng.chance(0.2) ? 1100 : 60) }, () => this.#leaf()));
    } else if (shape === "forwarded") body = this.#forwarded(1 + rng.int(12));
    else if (shape === "html") body = this.#html();
    else body = this.#mixed(Array.from({ length: 1 + rng.int(3) }, () => this.#leaf()));
    const raw = Buffer.from(`${headers}${body}`, "utf8");
    if (!rng.chance(0.05)) return { raw, kind: shape };
    // Cut anywhere. A cut inside a UTF-8 sequence leaves invalid UTF-8 in a header, which is read
    // as Latin-1: C1 controls then reach names (odd names only).
    let cut = rng.int(raw.length);
    if (!(rng.next() < this.#volume.oddNameShare)) { while (cut > 0 && ((raw[cut] ?? 0) & 0xc0) === 0x80) cut--; }
    return { raw: raw.subarray(0, cut), kind: `${shape}, cut` };
  }

  #headers(huge: boolean): string {
    const rng = this.#rng;
    const lines = [...this.#from(), `Subject: ${this.#subject()}`, "To: print@example.test"];
    if (rng.chance(0.7)) lines.push("Date: Fri, 27 Nov 2026 10:59:59 +0100");
    if (rng.chance(0.7)) lines.push(`Message-ID: <${rng.int(1e9)}@hostile.test>`);
    lines.push("MIME-Version: 1.0");
    if (huge) {
      const what = rng.int(4);
      if (what === 0) {
        for (let n = 100 + rng.int(6000); n > 0; n--) lines.push(`X-Junk-${n}: ${"j".repeat(rng.int(200))}`);
      } else if (what === 1) lines.push(`X-Long: ${"x".repeat(1000 + rng.int(1_200_000))}`);
      else if (what === 2) {
        lines.push(`Subject: ${Array.from({ length: 2000 }, () => "=?utf-8?b?5ryi?=").join("\r\n ")}`);
      } else lines.push(`X-Folded: ${Array.from({ length: 5000 }, () => "fold").join("\r\n\t")}`);
    }
    return lines.join(CRLF) + CRLF;
  }

  #from(): string[] {
    const rng = this.#rng;
    const forms = [
      "Alice <alice@example.test>",
      "alice@contoso.com",
      '"boss@contoso.com" <attacker@evil.test>',
      "attacker@evil.test (boss@contoso.com)",
      "Undisclosed recipients:;",
      "Team: a@contoso.com, b@evil.test;",
      "a@contoso.com, b@evil.test",
      "<>",
      "@",
      '"quoted local"@example.test',
      `${"N".repeat(5000)} <long@example.test>`,
      `${this.#name("any")} <${rng.pick(["x", "ü", "漢"])}@example.test>`,
      "=?x-unknown?q?=FF?= <odd@example.test>",
      "no address at all",
      "",
    ];
    if (rng.next() < this.#volume.forgedFromShare) {
      forms.push(
        "=?utf-8?q?=3Cboss=40contoso=2Ecom=3E?= <attacker@evil.test>",
        "=?utf-8?b?PGJvc3NAY29udG9zby5jb20+?= <attacker@evil.test>",
        "=?utf-8?q?boss=40contoso=2Ecom?= <attacker@evil.test>",
      );
    }
    const count = rng.chance(0.1) ? 2 + rng.int(3) : rng.chance(0.05) ? 0 : 1;
    return Array.from({ length: count }, () => `From: ${rng.pick(forms)}`);
  }

  #subject(): string {
    const rng = this.#rng;
    const text = this.#text(
      rng.pick(["cjk", "arabic", "emoji", "latin", "odd"]),
      1 + rng.int(rng.chance(0.3) ? 300 : 40),
    );
    return rng.chance(0.5) ? encodedWord(text, rng.chance(0.5) ? "B" : "Q") : text;
  }

  /** A text of `length` characters of one script; `odd` only as much as the volume allows. */
  #text(script: string, length: number): string {
    const rng = this.#rng;
    const odd = rng.next() < this.#volume.oddNameShare;
    const alphabet = script === "cjk"
      ? [...CJK]
      : script === "arabic"
      ? [...ARABIC]
      : script === "emoji"
      ? EMOJI
      : [..."abcdefghijklmnopqrstuvwxyz ÄÖÜäöüßéèñ-_()[]{}'!#%&+,;=@^`~"];
    // emoji are up to 4 UTF-16 units: past 20, cutting a name may split a surrogate pair
    const count = script === "emoji" && !odd ? Math.min(length, 20) : length;
    const chars = Array.from({ length: count }, () => rng.pick(alphabet));
    if (odd || script === "odd") {
      const extra = odd ? [...BIDI, ...ZERO_WIDTH, ...C1] : ["\t", "\x01", "\x1b", "\x7f"];
      for (let n = 1 + rng.int(4); n > 0; n--) chars.splice(rng.int(chars.length + 1), 0, rng.pick(extra));
    }
    return chars.join("");
  }

  /** An attachment's file name before MIME encoding. */
  #name(extension: string): string {
    const rng = this.#rng;
    const family = rng.int(9);
    const ext = extension === "any" ? "" : `.${extension}`;
    if (family === 0) return `${this.#text("cjk", 1 + rng.int(rng.chance(0.3) ? 400 : 60))}${ext}`;
    if (family === 1) return `${this.#text("arabic", 1 + rng.int(120))}${ext}`;
    if (family === 2) return `${this.#text("emoji", 1 + rng.int(80))}${ext}`;
    if (family === 3) return `${"x".repeat(100 + rng.int(1000))}${ext}`;
    if (family === 4) {
      return rng.next() < this.#volume.oddNameShare ? rng.pick(WINDOWS_ODD) : rng.pick(WINDOWS_KNOWN);
    }
    if (family === 5) return rng.pick(PATHS);
    if (family === 6) return rng.pick(PUNCT);
    if (family === 7) return "";
    return `${this.#text("latin", 1 + rng.int(30))}${ext}`;
  }

  /** Content-Type and Content-Disposition lines naming a part, in one of the ways MIME allows (or breaks). */
  #nameHeaders(type: string, name: string): string[] {
    const rng = this.#rng;
    const how = rng.int(7);
    if (how === 0) return [`Content-Type: ${type}; name="${name.replace(/"/g, "'")}"`];
    if (how === 1) {
      return [`Content-Type: ${type}`, `Content-Disposition: attachment; filename="${encodedWord(name, "B")}"`];
    }
    if (how === 2) {
      return [`Content-Type: ${type}`, `Content-Disposition: attachment; filename*=utf-8''${rfc2231(name)}`];
    }
    if (how === 3) {
      const encoded = rfc2231(name);
      const pieces = encoded.match(/.{1,60}/g) ?? [""];
      return [
        `Content-Type: ${type}`,
        `Content-Disposition: attachment;${
          pieces.map((piece, n) => `\r\n filename*${n}*=${n === 0 ? "utf-8''" : ""}${piece}`).join(";")
        }`,
      ];
    }
    if (how === 4) return [`Content-Type: ${type}; name==?utf-8?B?${"!!!".repeat(rng.int(5))}?=`];
    if (how === 5) return [`Content-Type: ${type}; name="${encodedWord(name, "Q")}"`, "Content-Disposition: inline"];
    return [`Content-Type: ${type}`, `Content-Disposition: attachment; filename="${name}"; filename="second.pdf"`];
  }

  #attachment(): string {
    const rng = this.#rng;
    const [type, extension] = rng.chance(0.8) ? rng.pick(PRINTABLE) : rng.pick(UNPRINTABLE);
    return this.#part([...this.#nameHeaders(type, this.#name(extension))], this.#content());
  }

  /** A transfer-encoded body, often damaged. */
  #content(): { encoding: string; body: string } {
    const rng = this.#rng;
    const bytes = Buffer.from(`%PDF-1.7\n${"content ".repeat(rng.int(500))}`);
    const damage = rng.int(8);
    const base64 = (bytes.toString("base64").match(/.{1,76}/g) ?? []).join(CRLF);
    if (damage === 0) {
      return { encoding: "base64", body: base64.replace(/[A-Z]/g, (c) => (rng.chance(0.1) ? "!*" : c)) };
    }
    if (damage === 1) {
      return { encoding: "base64", body: base64.slice(0, rng.int(base64.length + 1)) + "==" + "=".repeat(rng.int(5)) };
    }
    if (damage === 2) return { encoding: "quoted-printable", body: "line=\r\n=ZZ=4=\r\n=3D=\r\n=" };
    if (damage === 3) {
      return { encoding: rng.pick(["x-uuencode", "7bit; junk", "BASE64 ", "binary", ""]), body: "\xff\xfe\x80raw" };
    }
    if (damage === 4) return { encoding: "base64", body: base64.replace(/\r\n/g, "") };
    return { encoding: "base64", body: base64 };
  }

  #part(headers: string[], content: { encoding: string; body: string }): string {
    const lines = content.encoding === "" ? headers : [...headers, `Content-Transfer-Encoding: ${content.encoding}`];
    return `${lines.join(CRLF)}${CRLF}${CRLF}${content.body}`;
  }

  #leaf(): string {
    const rng = this.#rng;
    const what = rng.int(6);
    if (what === 0) {
      return this.#part([
        `Content-Type: text/plain; charset=${rng.pick(["utf-8", "x-unknown", "utf-7", "iso-2022-jp", '"'])}`,
      ], { encoding: "8bit", body: this.#text("cjk", rng.int(200)) });
    }
    if (what === 1) return this.#htmlPart(Math.min(4096, this.#volume.htmlBytes));
    if (what === 2) {
      return this.#part(["Content-Type: message/rfc822"], { encoding: "", body: this.#forwarded(1 + rng.int(3)) });
    }
    return this.#attachment();
  }

  #mixed(parts: string[], subtype = "mixed"): string {
    const rng = this.#rng;
    const boundary = `b${rng.int(1e6)}`;
    const close = rng.chance(0.85) ? `--${boundary}--${CRLF}` : rng.pick(["", `--${boundary}`, `--${boundary}-`]);
    return `Content-Type: multipart/${subtype}; boundary="${boundary}"${CRLF}${CRLF}` +
      parts.map((part) => `--${boundary}${CRLF}${part}${CRLF}`).join("") + close;
  }

  #deep(depth: number): string {
    let entity = this.#attachment();
    for (let n = 0; n < depth; n++) entity = this.#mixed([entity], this.#rng.pick(["mixed", "alternative", "related"]));
    return entity;
  }

  #forwarded(depth: number): string {
    const rng = this.#rng;
    let inner = `From: Bob <bob@example.test>${CRLF}Subject: fwd${CRLF}${this.#mixed([this.#attachment()])}`;
    for (let n = 1; n < depth; n++) {
      const encoding = rng.chance(0.3) ? "base64" : "";
      const body = encoding === "base64"
        ? (Buffer.from(inner).toString("base64").match(/.{1,76}/g) ?? []).join(CRLF)
        : inner;
      inner = `From: Fwd <fwd@example.test>${CRLF}Subject: fwd ${n}${CRLF}${
        this.#mixed([this.#part(["Content-Type: message/rfc822"], { encoding, body })])
      }`;
    }
    return this.#mixed([this.#part(["Content-Type: message/rfc822"], { encoding: "", body: inner })]);
  }

  /** An HTML-only message body: the text that gets printed comes from it. */
  #html(): string {
    return this.#htmlPart(this.#volume.htmlBytes);
  }

  /** An HTML part of up to `maxBytes`: the full volume alone, small ones among other parts. */
  #htmlPart(maxBytes: number): string {
    const rng = this.#rng;
    const size = 1 + rng.int(maxBytes);
    const unit = rng.pick([
      "<",
      "<a ",
      "<!--",
      "</",
      "<<a<b",
      "<div>",
      '<a href="',
      "<script>",
      "<style>",
      "&#99999999;",
      "&#x110000;",
      "<p title='>",
      "<!",
      "<?x",
    ]);
    const flood = unit.repeat(Math.max(1, Math.floor(size / unit.length)));
    return this.#part([`Content-Type: text/html; charset=utf-8`], {
      encoding: rng.pick(["8bit", "quoted-printable"]),
      body: `<html><body>text ${flood} end`,
    });
  }
}

function encodedWord(text: string, encoding: "B" | "Q"): string {
  const bytes = Buffer.from(text, "utf8");
  if (encoding === "B") return `=?utf-8?B?${bytes.toString("base64")}?=`;
  return `=?utf-8?Q?${[...bytes].map((byte) => `=${byte.toString(16).toUpperCase().padStart(2, "0")}`).join("")}?=`;
}

function rfc2231(text: string): string {
  return [...Buffer.from(text, "utf8")].map((byte) => `%${byte.toString(16).toUpperCase().padStart(2, "0")}`).join("");
}
