import { execFile } from "node:child_process";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

export type TestCerts = {
  /** PEM of the private CA that signed the server certificate. */
  caPem: string;
  caFile: string;
  certFile: string;
  keyFile: string;
};

export type TestCertOptions = {
  /**
   * The host names the server certificate is made for. Default `localhost` and
   * `127.0.0.1`; give another name (e.g. `wrong.example.test`) to get a
   * certificate that fails host name verification for 127.0.0.1/localhost.
   */
  hosts?: string[];
  /** Validity in days, default 7. */
  days?: number;
};

/**
 * Makes a private CA and a server certificate signed by it in `dir` with openssl
 * (EC P-256, so it takes a few milliseconds, not seconds).
 */
export async function makeTestCerts(dir: string, options: TestCertOptions = {}): Promise<TestCerts> {
  const hosts = options.hosts ?? ["localhost", "127.0.0.1"];
  const days = String(options.days ?? 7);
  const caFile = join(dir, "ca.pem");
  const caKey = join(dir, "ca.key");
  const certFile = join(dir, "server.pem");
  const keyFile = join(dir, "server.key");
  const csrFile = join(dir, "server.csr");
  const extFile = join(dir, "server.ext");
  const san = hosts.map((h) => (/^[\d.]+$|:/.test(h) ? `IP:${h}` : `DNS:${h}`)).join(",");
  const ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
  await run("openssl", [
    "req",
    "-x509",
    ...ec,
    "-keyout",
    caKey,
    "-out",
    caFile,
    "-days",
    days,
    "-subj",
    "/CN=mps test CA",
    "-addext",
    "basicConstraints=critical,CA:TRUE",
    "-addext",
    "keyUsage=critical,keyCertSign,cRLSign",
  ]);
  await run("openssl", ["req", ...ec, "-keyout", keyFile, "-out", csrFile, "-subj", `/CN=${hosts[0] ?? "localhost"}`]);
  await writeFile(
    extFile,
    [
      "basicConstraints=CA:FALSE",
      "keyUsage=critical,digitalSignature,keyEncipherment",
      "extendedKeyUsage=serverAuth",
      `subjectAltName=${san}`,
      "",
    ].join("\n"),
  );
  await run("openssl", [
    "x509",
    "-req",
    "-in",
    csrFile,
    "-CA",
    caFile,
    "-CAkey",
    caKey,
    "-CAcreateserial",
    "-out",
    certFile,
    "-days",
    days,
    "-extfile",
    extFile,
  ]);
  return { caPem: await readFile(caFile, "utf8"), caFile, certFile, keyFile };
}
