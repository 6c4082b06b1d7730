import assert from "node:assert/strict";
import { test } from "node:test";
import { isLoopbackHostHeader } from "../../src/http/loopback_host_header.ts";

test("a Host header is loopback only as localhost or a loopback address literal, with an optional port", () => {
  for (
    const host of [
      "127.0.0.1",
      "127.0.0.1:5556",
      "127.9.9.9:1",
      "[::1]",
      "[::1]:5556",
      "[0:0:0:0:0:0:0:1]",
      "localhost",
      "LOCALHOST:80",
    ]
  ) {
    assert.equal(isLoopbackHostHeader(host), true, host);
  }
  for (
    const host of [
      "",
      "evil.example",
      "localhost.evil.example",
      "sub.localhost",
      "127.0.0.1.evil.example",
      "::1",
      "[127.0.0.1]",
      "10.0.0.1",
      "[::2]",
      "localhost:port",
      "localhost:5556:1",
      "user@localhost",
    ]
  ) {
    assert.equal(isLoopbackHostHeader(host), false, host);
  }
});
