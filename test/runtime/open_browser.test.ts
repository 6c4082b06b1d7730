import assert from "node:assert/strict";
import { test } from "node:test";
import { browserEnvironment, BrowserUrlError, checkBrowserUrl } from "../../src/runtime/index.ts";

test("accepts https authorization addresses on any host", () => {
  const url = "https://login.microsoftonline.com/organizations/oauth2/v2.0/authorize?client_id=x&state=y";
  assert.equal(checkBrowserUrl(url).href, url);
});

test("accepts http only on 127.0.0.1, localhost and [::1]", () => {
  for (const url of ["http://127.0.0.1:8080/authorize", "http://localhost/authorize", "http://[::1]:9/authorize"]) {
    assert.equal(checkBrowserUrl(url).href, url);
  }
});

test("refuses http to another host, naming the host", () => {
  assert.throws(() => checkBrowserUrl("http://login.example/authorize"), (error: unknown) => {
    assert.ok(error instanceof BrowserUrlError);
    assert.equal(error.code, "ERR_BROWSER_URL");
    assert.match(error.message, /^Will not open 'http:\/\/login\.example\/authorize' in a browser: .*'login\.example'/);
    assert.match(error.fix ?? "", /https:\/\//);
    return true;
  });
});

test("refuses schemes that run a local handler: file, javascript, ms-settings, data, a Windows path", () => {
  for (
    const url of [
      "file:///C:/Windows/System32/calc.exe",
      "javascript:alert(1)",
      "ms-settings:privacy",
      "data:text/html,<script>1</script>",
      "C:\\Windows\\System32\\calc.exe",
      "ftp://example.test/",
    ]
  ) {
    assert.throws(() => checkBrowserUrl(url), BrowserUrlError, url);
  }
});

test("refuses a string that is not an absolute URL", () => {
  assert.throws(() => checkBrowserUrl("/authorize?x=1"), /it is not an absolute URL/);
});

test("gives the browser the caller's environment without mps settings, proxies or anything named like a secret", () => {
  const env = {
    PATH: "/usr/bin",
    HOME: "/home/print",
    DISPLAY: ":0",
    XAUTHORITY: "/home/print/.Xauthority",
    DBUS_SESSION_BUS_ADDRESS: "unix:path=/run/user/1000/bus",
    XDG_SESSION_TYPE: "x11",
    PWD: "/srv/mps",
    SystemRoot: "C:\\Windows",
    USERPROFILE: "C:\\Users\\print",
    MPS_STORAGE_KEY: "a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2U=",
    MPS_HTTP_TOKEN: "http-token",
    MPS_CONFIG: "C:\\mps\\conf\\mps.config",
    https_proxy: "http://user:pw@proxy:3128",
    HTTP_PROXY: "http://user:pw@proxy:3128",
    ALL_PROXY: "socks5://user:pw@proxy:1080",
    NO_PROXY: "localhost",
    GITHUB_TOKEN: "ghp_x",
    AWS_SECRET_ACCESS_KEY: "aws",
    DB_PASSWORD: "pw",
    SMTP_PASS: "pw",
    MYSQL_PWD: "pw",
    GPG_KEY: "key",
    API_KEY_FILE: "/run/key",
    AZURE_CLIENT_CREDENTIALS: "c",
    SSH_AUTH_SOCK: "/tmp/ssh-agent",
    SESSION_COOKIE: "c",
    PRIVATE_DATA: "p",
    EMPTY: undefined,
  };
  assert.deepEqual(browserEnvironment(env), {
    PATH: "/usr/bin",
    HOME: "/home/print",
    DISPLAY: ":0",
    XAUTHORITY: "/home/print/.Xauthority",
    DBUS_SESSION_BUS_ADDRESS: "unix:path=/run/user/1000/bus",
    XDG_SESSION_TYPE: "x11",
    PWD: "/srv/mps",
    SystemRoot: "C:\\Windows",
    USERPROFILE: "C:\\Users\\print",
  });
});

test("names the refused address without its query", () => {
  assert.throws(
    () => checkBrowserUrl("file:///C:/x.exe?client_id=mps&state=abc#frag"),
    { message: "Will not open 'file:///C:/x.exe' in a browser: the scheme 'file:' is not https:" },
  );
});
