/**
 * A UID set for an IMAP command: runs of consecutive UIDs written as `first:last`, so that a
 * command for a thousand messages stays a short line. Only UIDs in the list are covered.
 */
export function uidSet(uids: readonly number[]): string {
  const sorted = [...uids].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length; i++) {
    const first = sorted[i]!;
    while (i + 1 < sorted.length && sorted[i + 1] === sorted[i]! + 1) i++;
    parts.push(sorted[i] === first ? String(first) : `${first}:${sorted[i]}`);
  }
  return parts.join(",");
}
