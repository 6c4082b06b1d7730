import assert from "node:assert/strict";
import { test } from "node:test";
import { parseAddressList } from "../../src/mail/sender/address_list.ts";
import type { AddressEntry } from "../../src/mail/sender/address_list.ts";
import { senderAddress, senderIdentity } from "../../src/mail/sender/sender_address.ts";

/** Entries as `name <address>` strings and `group: …;` forms, for compact expectations. */
function read(value: string): string[] {
  const parsed = parseAddressList(value);
  if (!parsed.ok) assert.fail(`'${value}' did not parse: ${parsed.problem}`);
  return parsed.entries.map(show);
}

function show(entry: AddressEntry): string {
  if (entry.kind === "group") {
    return `${entry.name}: ${entry.mailboxes.map((m) => `${m.displayName} <${m.address}>`).join(", ")};`;
  }
  return `${entry.mailbox.displayName} <${entry.mailbox.address}>`;
}

function problem(value: string): string {
  const parsed = parseAddressList(value);
  if (parsed.ok) assert.fail(`'${value}' parsed, expected a problem: ${JSON.stringify(parsed.entries)}`);
  return parsed.problem;
}

test("reads the addresses of RFC 5322 A.1.1 and A.1.2 (simple addressing, quoted display names)", () => {
  assert.deepEqual(read("John Doe <jdoe@machine.example>"), ["John Doe <jdoe@machine.example>"]);
  assert.deepEqual(read('"Joe Q. Public" <john.q.public@example.com>'), ["Joe Q. Public <john.q.public@example.com>"]);
  assert.deepEqual(read("Mary Smith <mary@x.test>, jdoe@example.org, Who? <one@y.test>"), [
    "Mary Smith <mary@x.test>",
    " <jdoe@example.org>",
    "Who? <one@y.test>",
  ]);
  assert.deepEqual(read('<boss@nil.test>, "Giant; \\"Big\\" Box" <sysservices@example.net>'), [
    " <boss@nil.test>",
    'Giant; "Big" Box <sysservices@example.net>',
  ]);
});

test("reads the groups of RFC 5322 A.1.3, an empty group included", () => {
  assert.deepEqual(read("A Group:Ed Jones <c@a.test>,joe@where.test,John <jdoe@one.test>;"), [
    "A Group: Ed Jones <c@a.test>,  <joe@where.test>, John <jdoe@one.test>;",
  ]);
  assert.deepEqual(read("Undisclosed recipients:;"), ["Undisclosed recipients: ;"]);
});

test("reads RFC 5322 A.2's reply addresses with a colon inside a quoted display name", () => {
  assert.deepEqual(read('"Mary Smith: Personal Account" <smith@home.example>'), [
    "Mary Smith: Personal Account <smith@home.example>",
  ]);
});

test("reads RFC 5322 A.5: comments everywhere, nested and with quoted pairs", () => {
  const from = parseAddressList("Pete(A nice \\) chap) <pete(his account)@silly.test(his host)>");
  assert.ok(from.ok);
  assert.deepEqual(from.entries, [{
    kind: "mailbox",
    mailbox: {
      address: "pete@silly.test",
      displayName: "Pete",
      comments: ["A nice ) chap", "his account", "his host"],
    },
  }]);
  assert.deepEqual(
    read(
      "A Group(Some people)\r\n     :Chris Jones <c@(Chris's host.)public.example>,\r\n         joe@example.org,\r\n" +
        "  John <jdoe@one.test> (my dear friend); (the end of the group)",
    ),
    ["A Group: Chris Jones <c@public.example>,  <joe@example.org>, John <jdoe@one.test>;"],
  );
  assert.deepEqual(read("(Empty list)(start)Hidden recipients  :(nobody(that I know))  ;"), ["Hidden recipients: ;"]);
});

test("reads RFC 5322 A.6's obsolete forms: source routes, empty list elements, spaces and comments in addresses", () => {
  assert.deepEqual(read("Joe Q. Public <john.q.public@example.com>"), ["Joe Q. Public <john.q.public@example.com>"]);
  assert.deepEqual(read("Mary Smith <@node.test:mary@example.net>, , jdoe@test  . example"), [
    "Mary Smith <mary@example.net>",
    " <jdoe@test.example>",
  ]);
  assert.deepEqual(read("<@a.test,@b.test:mary@example.net>"), [" <mary@example.net>"]);
  assert.deepEqual(read("John Doe <jdoe@machine(comment).  example>"), ["John Doe <jdoe@machine.example>"]);
  assert.deepEqual(read("Mary Smith\r\n \r\n          <mary@example.net>"), ["Mary Smith <mary@example.net>"]);
  assert.deepEqual(read("john . q . public @ example . com"), [" <john.q.public@example.com>"]);
});

test("takes the address from the structure, never from an encoded display name or comment", () => {
  assert.equal(senderAddress("=?utf-8?q?=3Cboss=40contoso=2Ecom=3E?= <attacker@evil.com>"), "attacker@evil.com");
  assert.deepEqual(read("=?utf-8?q?=3Cboss=40contoso=2Ecom=3E?= <attacker@evil.com>"), [
    "<boss@contoso.com> <attacker@evil.com>",
  ]);
  assert.equal(senderAddress("attacker@evil.com (=?utf-8?q?boss=40contoso=2Ecom?=)"), "attacker@evil.com");
  assert.equal(senderAddress('"boss@contoso.com" <attacker@evil.com>'), "attacker@evil.com");
  assert.equal(senderAddress("boss@contoso.com <attacker@evil.com>"), "attacker@evil.com");
  assert.equal(senderAddress('"<boss@contoso.com>" attacker@evil.com'), undefined);
  // an encoded word inside the address is no encoded word: the address stays as written
  assert.equal(senderAddress("=?utf-8?q?boss?=@contoso.com"), "=?utf-8?q?boss?=@contoso.com");
  assert.equal(senderAddress("<=?utf-8?q?boss=40contoso.com?=>"), undefined);
});

test("decodes encoded words in display names and comments after the structure is read", () => {
  assert.deepEqual(read("=?utf-8?b?SsO8cmdlbg==?= =?utf-8?q?_M=C3=BCller?= <j@x.de>"), ["Jürgen Müller <j@x.de>"]);
  const parsed = parseAddressList("j@x.de (=?iso-8859-1?q?J=FCrgen?=)");
  assert.ok(parsed.ok);
  assert.deepEqual(parsed.entries[0]?.kind === "mailbox" ? parsed.entries[0].mailbox.comments : [], ["Jürgen"]);
  // control characters a display name decodes to are removed
  assert.deepEqual(read("=?utf-8?q?a=1B=5B31mb?= <x@y.test>"), ["a [31mb <x@y.test>"]);
});

test("keeps quoted local parts quoted only when they must be, and takes domain literals", () => {
  assert.equal(senderAddress('"john"@Example.TEST'), "john@example.test");
  assert.equal(senderAddress('"john doe"@example.test'), '"john doe"@example.test');
  assert.equal(senderAddress("<admin@[192.0.2.1]>"), "admin@[192.0.2.1]");
  assert.equal(senderAddress("Jürgen <jürgen@müller.example>"), "jürgen@müller.example");
});

test("refuses hostile and broken forms with a sentence instead of guessing", () => {
  assert.match(problem("John <john@example.test"), /expected a '>' closing the angle address, found the end/);
  assert.match(problem("John (unclosed <john@example.test>"), /the comment at character 6 is not closed/);
  assert.match(problem('"unclosed <john@example.test>'), /the quoted string at character 1 is not closed/);
  assert.match(problem("a..b@example.test"), /the local part 'a..b' is not valid/);
  assert.match(problem("a@b@example.test"), /is not valid/);
  assert.match(problem("G: H: a@b.test;;"), /a group may not be inside a group/);
  assert.match(problem("G: a@b.test"), /group 'G' does not end with ';'/);
  assert.match(problem("a@b.test\u0000"), /character 9 \('\\x00'\) may not appear there/);
  assert.match(problem('"a\u0001b"@example.test'), /the local part holds a control character/);
  assert.match(problem(`${"a".repeat(20_000)}@example.test`), /more than the 16384 mps reads/);
});

test("reads long hostile values to an answer, one pass each", () => {
  for (
    const value of [
      "<".repeat(16_000),
      "(".repeat(16_000),
      "(".repeat(8_000) + ")".repeat(8_000) + "a@b.test",
      "a,".repeat(8_000),
      "x:".repeat(8_000),
      "=?utf-8?q?a?= ".repeat(1_000) + "<a@b.test>",
      '"'.repeat(16_000),
    ]
  ) {
    const parsed = parseAddressList(value);
    assert.equal(typeof parsed.ok, "boolean");
  }
});

test("refuses several From headers as ambiguous-sender", () => {
  const identity = senderIdentity(["boss@contoso.com", "attacker@evil.test"], []);
  assert.equal(identity.ok, false);
  assert.equal(!identity.ok && identity.reason, "ambiguous-sender");
  assert.equal(
    !identity.ok && identity.message,
    "The message has 2 From headers ('boss@contoso.com', 'attacker@evil.test'): a message has exactly one, so it cannot be said who sent it",
  );
});

test("names at most three of many From headers in its sentence", () => {
  const identity = senderIdentity(Array.from({ length: 5000 }, (_, i) => `user${i}@example.test`), []);
  assert.equal(
    !identity.ok && identity.message,
    "The message has 5000 From headers ('user0@example.test', 'user1@example.test', 'user2@example.test', …): a message has exactly one, so it cannot be said who sent it",
  );
});

test("takes the one mailbox of From and does not let a Sender header change it", () => {
  assert.deepEqual(senderIdentity(["Boss <Boss@Contoso.com>"], ["Assistant <assistant@contoso.com>"]), {
    ok: true,
    sender: "boss@contoso.com",
    display: "Boss <Boss@Contoso.com>",
  });
  assert.deepEqual(senderIdentity(["Team: Boss <boss@contoso.com>;"], []), {
    ok: true,
    sender: "boss@contoso.com",
    display: "Team: Boss <boss@contoso.com>;",
  });
});

test("takes the Sender of a From with several mailboxes only when it is one of them", () => {
  const from = ["alice@contoso.com, Bob <bob@contoso.com>"];
  assert.equal(senderIdentity(from, ["<BOB@contoso.com>"]).ok && "bob@contoso.com", "bob@contoso.com");
  const cases: Array<[readonly string[], string]> = [
    [[], "it has no Sender header to say which of them sent it"],
    [["bob@contoso.com", "alice@contoso.com"], "it has 2 Sender headers"],
    [["mallory@evil.test"], "its Sender 'mallory@evil.test' is none of them"],
    [["alice@contoso.com, bob@contoso.com"], "does not name exactly one mailbox"],
  ];
  for (const [sender, why] of cases) {
    const identity = senderIdentity(from, sender);
    assert.equal(identity.ok, false, why);
    assert.equal(!identity.ok && identity.reason, "ambiguous-sender");
    assert.ok(!identity.ok && identity.message.startsWith("The message's From header holds 2 addresses"));
    assert.ok(!identity.ok && identity.message.includes(why), !identity.ok ? identity.message : "");
  }
});

test("finds no sender in a missing From, an empty group or an unreadable From", () => {
  for (const from of [[], ["undisclosed-recipients:;"], ["Undisclosed sender"], [""]]) {
    const identity = senderIdentity(from, ["boss@contoso.com"]);
    assert.equal(!identity.ok && identity.reason, "no-sender", JSON.stringify(from));
  }
});

test("shows a display name that looks like an address in quotes, so it never reads as one", () => {
  const identity = senderIdentity(["=?utf-8?q?=3Cboss=40contoso=2Ecom=3E?= <attacker@evil.com>"], []);
  assert.equal(identity.display, '"<boss@contoso.com>" <attacker@evil.com>');
});
