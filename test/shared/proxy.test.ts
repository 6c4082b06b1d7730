import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { bypasses, parseProxyUrl, proxyFor, resolveProxies } from "../../src/shared/proxy.ts";

describe("proxy settings", () => {
  test("<proxy> in the config wins over the environment, for http and https alike", () => {
    const proxies = resolveProxies(
      { url: "http://proxy.contoso.com:8080", noProxy: [".contoso.com"], line: 9 },
      { HTTPS_PROXY: "http://other:3128" },
    );
    assert.equal(proxies.https?.display, "http://proxy.contoso.com:8080");
    assert.equal(proxies.http?.display, "http://proxy.contoso.com:8080");
    assert.equal(proxies.https?.from, "<proxy> (config line 9)");
    assert.equal(proxyFor(proxies, "https", "mail.contoso.com"), undefined);
    assert.equal(proxyFor(proxies, "https", "outlook.office365.com")?.port, 8080);
  });

  test("the environment is read as curl reads it: lower case first, either case accepted", () => {
    const upper = resolveProxies(undefined, { HTTPS_PROXY: "http://upper:3128", HTTP_PROXY: "http://plain:3128" });
    assert.equal(upper.https?.host, "upper");
    assert.equal(upper.https?.from, "in HTTPS_PROXY");
    assert.equal(upper.http?.host, "plain");
    const both = resolveProxies(undefined, { https_proxy: "http://lower:1", HTTPS_PROXY: "http://upper:2" });
    assert.equal(both.https?.host, "lower");
    assert.equal(both.http, undefined, "https_proxy is not used for http:// URLs");
    const none = resolveProxies(undefined, {});
    assert.equal(none.https, undefined);
    assert.equal(proxyFor(none, "https", "outlook.office365.com"), undefined);
  });

  test("without noProxy every host goes through the proxy, loopback included", () => {
    const proxies = resolveProxies(undefined, { HTTPS_PROXY: "proxy:3128" });
    assert.equal(proxies.https?.url, "http://proxy:3128", "a URL without scheme is http://");
    assert.ok(proxyFor(proxies, "https", "127.0.0.1") !== undefined);
    assert.ok(proxyFor(proxies, "https", "localhost") !== undefined);
  });

  test("noProxy matches names and their subdomains, IP addresses, CIDR blocks and '*'", () => {
    const list = ["localhost", ".contoso.com", "*.fabrikam.com", "10.0.0.0/8", "192.168.1.5", "[::1]", "intranet:8080"];
    for (
      const host of [
        "localhost",
        "contoso.com",
        "mail.contoso.com",
        "a.b.fabrikam.com",
        "10.20.30.40",
        "192.168.1.5",
        "::1",
        "intranet",
        "MAIL.Contoso.COM",
      ]
    ) {
      assert.ok(bypasses(list, host), host);
    }
    for (
      const host of [
        "notcontoso.com",
        "contoso.com.evil.test",
        "11.0.0.1",
        "192.168.1.50",
        "outlook.office365.com",
        "127.0.0.1",
      ]
    ) {
      assert.ok(!bypasses(list, host), host);
    }
    assert.ok(bypasses(["*"], "anything.example"));
    const env = resolveProxies(undefined, { HTTPS_PROXY: "http://p:1", NO_PROXY: "localhost, 127.0.0.1 .corp" });
    assert.deepEqual(env.noProxy, ["localhost", "127.0.0.1", ".corp"]);
  });

  test("credentials in the proxy URL are kept for the proxy and hidden from what is shown", () => {
    const proxy = parseProxyUrl("http://svc%40contoso:S3cr%3At@proxy:8080", "in HTTPS_PROXY");
    assert.deepEqual(proxy.credentials, { username: "svc@contoso", password: "S3cr:t" });
    assert.equal(proxy.display, "http://svc%40contoso:***@proxy:8080");
    assert.ok(!proxy.display.includes("S3cr"));
  });

  test("a proxy that is not an http(s) URL is refused with the place it was set", () => {
    assert.throws(() => parseProxyUrl("socks5://user:pw@proxy:1080", "in HTTPS_PROXY"), (error: Error) => {
      assert.match(
        error.message,
        /The proxy in HTTPS_PROXY must be an http:\/\/ or https:\/\/ URL: got 'socks5:\/\/user:\*\*\*@proxy:1080'/,
      );
      assert.equal((error as { code?: string }).code, "ERR_PROXY_CONFIG");
      return true;
    });
  });
});
