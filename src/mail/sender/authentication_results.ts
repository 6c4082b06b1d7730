import { FieldSyntaxError } from "./field_syntax_error.ts";
import { isWhiteSpace, MAX_FIELD_LENGTH, readComment, readQuoted } from "./structured_field.ts";

/** One `method=result` of an `Authentication-Results` field with its properties. */
export interface AuthenticationResult {
  /** Lower-cased: `dmarc`, `spf`, `compauth`. */
  readonly method: string;
  /** Lower-cased: `pass`, `fail`, `none`. */
  readonly result: string;
  /**
   * Properties by lower-cased name: `header.from`, `smtp.mailfrom`, `reason`, and extensions
   * without a type such as Exchange Online's `action`. Values as written, unquoted.
   */
  readonly properties: ReadonlyMap<string, string>;
}

export interface AuthenticationResults {
  /** The server that wrote the field; undefined when it wrote none (Exchange Online). */
  readonly authservId: string | undefined;
  readonly results: readonly AuthenticationResult[];
}

export type AuthenticationResultsParse =
  | { readonly ok: true; readonly value: AuthenticationResults }
  | { readonly ok: false; readonly problem: string };

// RFC 2045 tspecials, white space and controls end a token.
const TSPECIALS = '()<>@,;:\\"/[]?=';

/**
 * Reads an `Authentication-Results` field value by RFC 8601 in one pass: comments anywhere
 * white space may be, quoted values, `authserv-id [version]`, then results separated by `;`
 * (`no-result` is `; none`). Leniency where real servers differ from the grammar: the
 * authserv-id may be missing (Exchange Online), a property may be a bare `key=value`
 * (`action=none`), and an unquoted property value runs to the next white space, `;` or
 * comment (a `header.b` value holds `/` and `+`).
 */
export function parseAuthenticationResults(value: string): AuthenticationResultsParse {
  if (value.length > MAX_FIELD_LENGTH) {
    return { ok: false, problem: `it is ${value.length} characters long, more than the ${MAX_FIELD_LENGTH} mps reads` };
  }
  try {
    return { ok: true, value: new ResultsParser(value).parse() };
  } catch (error) {
    if (error instanceof FieldSyntaxError) return { ok: false, problem: error.message };
    throw error;
  }
}

class ResultsParser {
  readonly #text: string;
  #at = 0;

  constructor(text: string) {
    this.#text = text;
  }

  parse(): AuthenticationResults {
    this.#skip();
    const results: AuthenticationResult[] = [];
    const start = this.#at;
    const first = this.#value("the authserv-id");
    this.#skip();
    let authservId: string | undefined = first;
    const next = this.#char();
    if (next === "=" || next === "/") {
      // No authserv-id: the field starts with its first result.
      authservId = undefined;
      this.#at = start;
      results.push(this.#result());
    } else if (next !== undefined && next !== ";" && /^\d+$/.test(this.#peekToken())) {
      this.#token("the version");
      this.#skip();
    }
    for (;;) {
      this.#skip();
      if (this.#char() === undefined) break;
      this.#expect(";");
      this.#skip();
      const char = this.#char();
      // An empty result (`;;` or a closing `;`) is tolerated, as servers write them.
      if (char === undefined || char === ";") continue;
      const save = this.#at;
      if (this.#token("a method").toLowerCase() === "none") {
        this.#skip();
        if (this.#char() === undefined || this.#char() === ";") continue;
      }
      this.#at = save;
      results.push(this.#result());
    }
    return { authservId, results };
  }

  /** `method [/ version] = result` followed by `reason=` and `ptype.property=value` items. */
  #result(): AuthenticationResult {
    const method = this.#token("a method").toLowerCase();
    this.#skip();
    if (this.#char() === "/") {
      this.#at++;
      this.#skip();
      this.#token("a method version");
      this.#skip();
    }
    this.#expect("=");
    this.#skip();
    const result = this.#token(`the result of ${method}`).toLowerCase();
    const properties = new Map<string, string>();
    for (;;) {
      this.#skip();
      const char = this.#char();
      if (char === undefined || char === ";") break;
      let name = this.#token(`a property of ${method}`).toLowerCase();
      this.#skip();
      if (this.#char() === ".") {
        this.#at++;
        this.#skip();
        name += `.${this.#token(`a property of ${method}`).toLowerCase()}`;
        this.#skip();
      }
      this.#expect("=");
      this.#skip();
      const value = this.#char() === '"' ? this.#quoted() : this.#run(`the value of ${name}`);
      if (!properties.has(name)) properties.set(name, value);
    }
    return { method, result, properties };
  }

  #value(what: string): string {
    return this.#char() === '"' ? this.#quoted() : this.#token(what);
  }

  #quoted(): string {
    const quoted = readQuoted(this.#text, this.#at);
    this.#at = quoted.end;
    return quoted.content;
  }

  /** A token: here, dots are part of it (`mx.contoso.com`, `header.from` is split by the caller). */
  #token(what: string): string {
    const start = this.#at;
    while (this.#at < this.#text.length && isTokenChar(this.#text[this.#at] ?? "", true)) this.#at++;
    if (this.#at === start) throw this.#unexpected(what);
    const token = this.#text.slice(start, this.#at);
    return token;
  }

  #peekToken(): string {
    let end = this.#at;
    while (end < this.#text.length && isTokenChar(this.#text[end] ?? "", false)) end++;
    return this.#text.slice(this.#at, end);
  }

  /** An unquoted property value: everything up to white space, `;` or a comment. */
  #run(what: string): string {
    const start = this.#at;
    for (; this.#at < this.#text.length; this.#at++) {
      const char = this.#text[this.#at];
      if (char === ";" || char === "(" || char === '"' || isWhiteSpace(char) || char === "\r" || char === "\n") break;
    }
    if (this.#at === start) throw this.#unexpected(what);
    return this.#text.slice(start, this.#at);
  }

  /** Skips white space and comments. */
  #skip(): void {
    while (this.#at < this.#text.length) {
      const char = this.#text[this.#at];
      if (isWhiteSpace(char) || char === "\r" || char === "\n") this.#at++;
      else if (char === "(") this.#at = readComment(this.#text, this.#at).end;
      else break;
    }
  }

  #char(): string | undefined {
    return this.#text[this.#at];
  }

  #expect(char: string): void {
    if (this.#char() !== char) throw this.#unexpected(`'${char}'`);
    this.#at++;
  }

  #unexpected(what: string): FieldSyntaxError {
    const found = this.#char();
    return new FieldSyntaxError(
      `expected ${what} at character ${this.#at + 1}, found ${found === undefined ? "the end" : `'${found}'`}`,
    );
  }
}

/** RFC 2045 token characters; `.` ends a property type (`header.from`) but belongs to a host name. */
function isTokenChar(char: string, dotInside: boolean): boolean {
  const code = char.charCodeAt(0);
  if (code <= 0x20 || code === 0x7f) return false;
  if (char === ".") return dotInside;
  return !TSPECIALS.includes(char);
}
