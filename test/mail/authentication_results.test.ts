import assert from "node:assert/strict";
import { test } from "node:test";
import { parseAuthenticationResults } from "../../src/mail/sender/authentication_results.ts";
import type { AuthenticationResults } from "../../src/mail/sender/authentication_results.ts";
import { authenticationProblem } from "../../src/mail/sender/sender_authentication.ts";

const EXCHANGE = "spf=pass (sender IP is 203.0.113.7) smtp.mailfrom=contoso.com; dkim=pass (signature was verified) " +
  "header.d=contoso.com;dmarc=pass action=none header.from=contoso.com;compauth=pass reason=100";
const GOOGLE = "mx.google.com;\r\n       dkim=pass header.i=@contoso.com header.s=selector1 header.b=Kx7/aB+c;\r\n" +
  "       spf=pass (google.com: domain of boss@contoso.com designates 203.0.113.7 as permitted sender) " +
  "smtp.mailfrom=boss@contoso.com;\r\n       dmarc=pass (p=REJECT sp=REJECT dis=NONE) header.from=contoso.com";

function parse(value: string): { authservId: string | undefined; results: string[] } {
  const parsed = parseAuthenticationResults(value);
  if (!parsed.ok) assert.fail(`'${value}' did not parse: ${parsed.problem}`);
  return flat(parsed.value);
}

function flat(value: AuthenticationResults): { authservId: string | undefined; results: string[] } {
  return {
    authservId: value.authservId,
    results: value.results.map((result) =>
      [`${result.method}=${result.result}`, ...[...result.properties].map(([key, v]) => `${key}=${v}`)].join(" ")
    ),
  };
}

test("reads RFC 8601's examples: no result, one and several methods, reasons, quoted values", () => {
  assert.deepEqual(parse("example.org 1; none"), { authservId: "example.org", results: [] });
  assert.deepEqual(parse("example.com; spf=pass smtp.mailfrom=example.net"), {
    authservId: "example.com",
    results: ["spf=pass smtp.mailfrom=example.net"],
  });
  assert.deepEqual(
    parse(
      "example.com;\r\n  auth=pass (cram-md5) smtp.auth=sender@example.net;\r\n  spf=pass smtp.mailfrom=example.net",
    ),
    {
      authservId: "example.com",
      results: ["auth=pass smtp.auth=sender@example.net", "spf=pass smtp.mailfrom=example.net"],
    },
  );
  assert.deepEqual(
    parse(
      'example.com;\r\n  dkim=pass reason="good signature"\r\n    header.i=@mail-router.example.net;\r\n' +
        '  dkim=fail reason="bad signature"\r\n    header.i=@newyork.example.com',
    ),
    {
      authservId: "example.com",
      results: [
        "dkim=pass reason=good signature header.i=@mail-router.example.net",
        "dkim=fail reason=bad signature header.i=@newyork.example.com",
      ],
    },
  );
});

test("reads RFC 8601's example with comments in every place, and method versions", () => {
  assert.deepEqual(
    parse(
      "foo.example.net (foobar) 1 (baz);\r\n    dkim (Because I like it) / 1 (One yay) = (wait for it) fail\r\n" +
        "      policy (A dot can go here) . (like that) expired\r\n      (this surprised me) = (as I wasn't expecting it) 1362471462",
    ),
    { authservId: "foo.example.net", results: ["dkim=fail policy.expired=1362471462"] },
  );
  assert.deepEqual(parse('"mx.example.org"; dmarc=pass header.from="contoso.com"'), {
    authservId: "mx.example.org",
    results: ["dmarc=pass header.from=contoso.com"],
  });
});

test("reads Exchange Online's field without an authserv-id and Gmail's with signature fragments", () => {
  assert.deepEqual(parse(EXCHANGE), {
    authservId: undefined,
    results: [
      "spf=pass smtp.mailfrom=contoso.com",
      "dkim=pass header.d=contoso.com",
      "dmarc=pass action=none header.from=contoso.com",
      "compauth=pass reason=100",
    ],
  });
  assert.deepEqual(parse(GOOGLE), {
    authservId: "mx.google.com",
    results: [
      "dkim=pass header.i=@contoso.com header.s=selector1 header.b=Kx7/aB+c",
      "spf=pass smtp.mailfrom=boss@contoso.com",
      "dmarc=pass header.from=contoso.com",
    ],
  });
});

test("refuses broken Authentication-Results with a sentence, and reads long hostile ones to an answer", () => {
  const problem = (value: string): string => {
    const parsed = parseAuthenticationResults(value);
    if (parsed.ok) assert.fail(`'${value}' parsed: ${JSON.stringify(flat(parsed.value))}`);
    return parsed.problem;
  };
  assert.match(problem("mx.example.org; dmarc"), /expected '=' at character 22, found the end/);
  assert.match(problem("mx.example.org; dmarc=pass (unclosed"), /the comment at character 28 is not closed/);
  assert.match(problem('mx.example.org; dmarc=pass header.from="contoso.com'), /quoted string .* is not closed/);
  assert.match(problem("mx.example.org dmarc=pass"), /expected ';' at character 16, found 'd'/);
  assert.match(problem(""), /expected the authserv-id at character 1, found the end/);
  assert.match(problem("x; ".repeat(10_000)), /more than the 16384 mps reads/);
  for (const value of ["(".repeat(16_000), ";".repeat(16_000), "a=b ".repeat(4_000), "x;a=b c=".repeat(1_500)]) {
    assert.equal(typeof parseAuthenticationResults(value).ok, "boolean");
  }
});

const POLICY = { name: "print@contoso.com", authservId: undefined };

test("accepts dmarc=pass or compauth=pass in the topmost field when header.from is the sender's domain", () => {
  assert.equal(authenticationProblem(EXCHANGE, "boss@contoso.com", POLICY), undefined);
  assert.equal(
    authenticationProblem(GOOGLE, "boss@contoso.com", { ...POLICY, authservId: "MX.Google.com" }),
    undefined,
  );
  const bestGuess = "dkim=none (message not signed) header.d=none;dmarc=bestguesspass action=none " +
    "header.from=contoso.com;compauth=pass reason=109";
  assert.equal(authenticationProblem(bestGuess, "boss@contoso.com", POLICY), undefined);
  assert.equal(
    authenticationProblem("mx.example.org; dmarc=pass header.from=xn--mller-kva.example", "j@müller.example", POLICY),
    undefined,
  );
});

test("says what it found when the topmost field does not vouch for the sender", () => {
  const requirement = "source 'print@contoso.com' requires dmarc=pass or compauth=pass (requireAuthenticated=\"true\")";
  assert.equal(
    authenticationProblem(undefined, "boss@contoso.com", POLICY),
    `The message has no Authentication-Results header, and ${requirement}`,
  );
  assert.equal(
    authenticationProblem(
      "mx.contoso.com; spf=fail smtp.mailfrom=evil.test; dkim=none; dmarc=fail header.from=contoso.com",
      "boss@contoso.com",
      POLICY,
    ),
    `The topmost Authentication-Results header from 'mx.contoso.com' says spf=fail, dkim=none, dmarc=fail, and ${requirement}`,
  );
  assert.equal(
    authenticationProblem("mx.contoso.com; dmarc=pass header.from=evil.test", "boss@contoso.com", POLICY),
    "The topmost Authentication-Results header from 'mx.contoso.com' vouches for header.from=evil.test, but the sender is boss@contoso.com",
  );
  assert.equal(
    authenticationProblem(EXCHANGE, "boss@contoso.com", { ...POLICY, authservId: "mx.contoso.com" }),
    "The topmost Authentication-Results header is without an authserv-id, not from 'mx.contoso.com' (authservId of source 'print@contoso.com')",
  );
  assert.equal(
    authenticationProblem("mx.evil.test; dmarc=pass header.from=contoso.com", "boss@contoso.com", {
      ...POLICY,
      authservId: "mx.contoso.com",
    }),
    "The topmost Authentication-Results header is from 'mx.evil.test', not from 'mx.contoso.com' (authservId of source 'print@contoso.com')",
  );
  assert.equal(
    authenticationProblem("mx.contoso.com; dmarc", "boss@contoso.com", POLICY),
    `The topmost Authentication-Results header cannot be read (expected '=' at character 22, found the end), and ${requirement}`,
  );
  assert.match(authenticationProblem("mx.contoso.com; none", "a@contoso.com", POLICY) ?? "", /says none, and/);
});
