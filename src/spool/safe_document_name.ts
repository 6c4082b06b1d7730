// Names Windows will not create, with or without an extension ("con.txt" is reserved too).
const RESERVED = /^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³])(\..*)?$/i;
// Reserved on Windows, plus control characters.
const FORBIDDEN = /[<>:"/\\|?*\u0000-\u001f\u007f]/g;
const MAX_LENGTH = 150;

/**
 * Turns a decoded attachment name into one that is safe on Windows and POSIX: no path parts,
 * no reserved names or characters, no trailing dots or spaces, not `job.json`, and distinct
 * (case-insensitively) from every name in `taken`, which it then joins.
 */
export function safeDocumentName(raw: string, taken: Set<string>, fallback = "document"): string {
  const base = raw.split(/[\\/]/).pop() ?? "";
  let name = base.normalize("NFC").replace(FORBIDDEN, "_").replace(/[. ]+$/, "").replace(/^[ ]+/, "");
  if (name === "" || /^[._]*$/.test(name)) name = fallback;
  if (RESERVED.test(name)) name = `_${name}`;
  name = truncate(name);
  let candidate = name;
  for (let n = 2; taken.has(candidate.toLowerCase()); n++) candidate = numbered(name, n);
  taken.add(candidate.toLowerCase());
  return candidate;
}

/** Names a job folder already holds, so documents never overwrite them. */
export function reservedJobNames(): Set<string> {
  return new Set(["job.json"]);
}

function numbered(name: string, n: number): string {
  const dot = name.lastIndexOf(".");
  return dot > 0 ? `${name.slice(0, dot)} (${n})${name.slice(dot)}` : `${name} (${n})`;
}

function truncate(name: string): string {
  if (name.length <= MAX_LENGTH) return name;
  const dot = name.lastIndexOf(".");
  const extension = dot > 0 && name.length - dot <= 16 ? name.slice(dot) : "";
  return name.slice(0, MAX_LENGTH - extension.length) + extension;
}
