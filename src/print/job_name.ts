/** The tag that finds a document's IPP job again: `[mps:<jobId>/<n>]`. */
export function jobTag(jobId: string, n: number): string {
  return `[mps:${jobId}/${n}]`;
}

/** `job-name` is a name(MAX): 255 bytes of UTF-8. */
const MAX_BYTES = 255;

/**
 * `<subject> - <file name> [mps:<jobId>/<n>]`: the subject and file name shortened as needed so
 * that the tag is always whole, control characters removed.
 */
export function jobName(subject: string, fileName: string, tag: string): string {
  const clean = (text: string) => text.replace(/[\p{Cc}\p{Cf}]+/gu, " ").replace(/\s+/g, " ").trim();
  const parts = [clean(subject), clean(fileName)].filter((part) => part !== "");
  // at most 255 characters are kept anyway; a hostile subject of megabytes is cut before measuring
  let head = [...parts.join(" - ").slice(0, 600)].slice(0, MAX_BYTES).join("");
  const room = MAX_BYTES - byteLength(tag) - 1;
  if (byteLength(head) > room) {
    const chars = [...head];
    while (chars.length > 0 && byteLength(chars.join("")) > room - 3) chars.pop();
    head = `${chars.join("")}...`;
  }
  return head === "" ? tag : `${head} ${tag}`;
}

/** `requesting-user-name` for an owner: the address or its local part; `mps` when there is no owner. */
export function requestingUser(owner: string, mode: "address" | "localpart"): string {
  const name = mode === "localpart" && owner.includes("@") ? owner.slice(0, owner.lastIndexOf("@")) : owner;
  return name === "" ? "mps" : name;
}

function byteLength(text: string): number {
  return new TextEncoder().encode(text).byteLength;
}
