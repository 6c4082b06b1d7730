import { domainToASCII } from "node:url";
import { parseAuthenticationResults } from "./authentication_results.ts";
import type { AuthenticationResult } from "./authentication_results.ts";
import { clip } from "./structured_field.ts";

export interface AuthenticationPolicy {
  /** The source's name, for messages. */
  readonly name: string;
  /** When set, the topmost field's authserv-id must be this (case-insensitive). */
  readonly authservId: string | undefined;
}

const PASSING = new Set(["dmarc", "compauth"]);

/**
 * Why the receiving server's verdict does not vouch for `sender`, or undefined when it does.
 * Only the topmost `Authentication-Results` field counts: the receiving server adds its own
 * above everything the message arrived with, and any field further down may have been written
 * by the sender. It must say `dmarc=pass` or `compauth=pass` (Exchange Online's composite
 * verdict), carry the expected authserv-id when the source names one (a field without one,
 * as Exchange Online writes it, passes only when the source names none), and every
 * `header.from` in it must be the sender's domain.
 */
export function authenticationProblem(
  topmost: string | undefined,
  sender: string,
  policy: AuthenticationPolicy,
): string | undefined {
  const requirement = `source '${policy.name}' requires dmarc=pass or compauth=pass (requireAuthenticated="true")`;
  if (topmost === undefined) return `The message has no Authentication-Results header, and ${requirement}`;
  const parsed = parseAuthenticationResults(topmost);
  if (!parsed.ok) {
    return `The topmost Authentication-Results header cannot be read (${parsed.problem}), and ${requirement}`;
  }
  const { authservId, results } = parsed.value;
  const by = authservId === undefined ? "without an authserv-id" : `from '${clip(authservId)}'`;
  if (policy.authservId !== undefined && authservId?.toLowerCase() !== policy.authservId.toLowerCase()) {
    return `The topmost Authentication-Results header is ${by}, not from '${policy.authservId}' (authservId of source '${policy.name}')`;
  }
  const verdicts = results.slice(0, 8).map(describe).join(", ") + (results.length > 8 ? ", …" : "") || "none";
  if (!results.some((result) => PASSING.has(result.method) && result.result === "pass")) {
    return `The topmost Authentication-Results header ${by} says ${verdicts}, and ${requirement}`;
  }
  const domain = canonicalDomain(sender.slice(sender.lastIndexOf("@") + 1));
  for (const result of results) {
    const headerFrom = result.properties.get("header.from");
    if (headerFrom === undefined) continue;
    if (canonicalDomain(headerFrom.slice(headerFrom.lastIndexOf("@") + 1)) !== domain) {
      return `The topmost Authentication-Results header ${by} vouches for header.from=${
        clip(headerFrom)
      }, but the sender is ${sender}`;
    }
  }
  return undefined;
}

function describe(result: AuthenticationResult): string {
  return clip(`${result.method}=${result.result}`);
}

/** Lower-case, with international names in their ASCII form, so `müller.de` matches `xn--mller-kva.de`. */
function canonicalDomain(domain: string): string {
  const lower = domain.toLowerCase();
  if (!/[\u0080-\uffff]/.test(lower)) return lower;
  return domainToASCII(lower) || lower;
}
