/**
 * Whether a sender address passes a source's `allowedSenders`: an empty list allows anyone;
 * a pattern is matched case-insensitively against the whole address with `*` as wildcard
 * (`*@contoso.com`, `print-*@contoso.com`); a pattern without `@` (`contoso.com`, `@contoso.com`,
 * `*.contoso.com`) is matched against the domain alone.
 */
export function isAllowedSender(address: string, patterns: readonly string[]): boolean {
  if (patterns.length === 0) return true;
  const lower = address.toLowerCase();
  const domain = lower.slice(lower.lastIndexOf("@") + 1);
  return patterns.some((raw) => {
    const pattern = raw.trim().toLowerCase();
    if (pattern === "") return false;
    const domainOnly = pattern.startsWith("@") || !pattern.includes("@");
    return wildcard(domainOnly ? pattern.replace(/^@/, "") : pattern).test(domainOnly ? domain : lower);
  });
}

function wildcard(pattern: string): RegExp {
  const body = pattern.split("*").map((part) => part.replace(/[.+?^${}()|[\]\\]/g, "\\$&")).join(".*");
  return new RegExp(`^${body}$`, "s");
}
