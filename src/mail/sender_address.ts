const ADDRESS = /[^\s<>()[\]\\,;:"@]+@[^\s<>()[\]\\,;:"@]+/;

/**
 * The first mailbox address of a `From` header value, lower-cased, or undefined when it holds
 * none. Display names (quoted or encoded) and comments are ignored, so
 * `"Doe, John <fake@x>" <John.Doe@Example.com> (work)` gives `john.doe@example.com`.
 */
export function senderAddress(from: string): string | undefined {
  const plain = stripComments(stripQuoted(from));
  const angle = /<\s*([^<>]*)>/.exec(plain);
  if (angle) {
    // `<@relay:user@host>`: an obsolete source route before the address
    const found = ADDRESS.exec((angle[1] ?? "").replace(/^@[^:]*:/, ""));
    if (found) return found[0].toLowerCase();
  }
  const bare = ADDRESS.exec(plain);
  return bare ? bare[0].toLowerCase() : undefined;
}

function stripQuoted(value: string): string {
  return value.replace(/"(?:[^"\\]|\\.)*"?/g, " ");
}

function stripComments(value: string): string {
  let out = "";
  let depth = 0;
  for (let i = 0; i < value.length; i++) {
    const char = value[i];
    if (char === "\\" && depth > 0) {
      i++;
    } else if (char === "(") {
      depth++;
    } else if (char === ")" && depth > 0) {
      depth--;
      if (depth === 0) out += " ";
    } else if (depth === 0) {
      out += char;
    }
  }
  return out;
}
