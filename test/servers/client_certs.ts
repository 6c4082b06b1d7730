import { execFile } from "node:child_process";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import * as path from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

export interface ClientCertFiles {
  /** The certificate alone: what an admin uploads to the app registration. */
  readonly certPem: string;
  /** Certificate and key in one PEM file: what mps reads. */
  readonly pemFile: string;
  /** PKCS#12 as OpenSSL 3 writes it (PBES2, AES-256-CBC, PBKDF2-SHA256), password `password`. */
  readonly pfxFile: string;
  /** PKCS#12 with 3DES (PKCS#12 PBE), as older Windows exports write it. */
  readonly pfx3desFile: string;
  readonly password: string;
}

/**
 * An RSA key and a self-signed certificate for certificate credentials, made with openssl in
 * `dir/name`: valid `days` days from now, or (`expired`) valid only in January 2020.
 */
export async function makeClientCertificate(
  dir: string,
  name: string,
  options: { days?: number; expired?: boolean } = {},
): Promise<ClientCertFiles> {
  const home = path.join(dir, name);
  await mkdir(home, { recursive: true });
  const key = path.join(home, "key.pem");
  const cert = path.join(home, "cert.pem");
  const subject = `/CN=mps-${name}`;
  if (options.expired === true) {
    // `openssl req -x509` cannot make a certificate in the past; `openssl ca` can.
    await writeFile(path.join(home, "index.txt"), "");
    await writeFile(path.join(home, "serial"), "01\n");
    const cnf = path.join(home, "ca.cnf");
    await writeFile(
      cnf,
      `[ca]\ndefault_ca = d\n[d]\ndatabase = ${home}/index.txt\nnew_certs_dir = ${home}\nserial = ${home}/serial\n` +
        `default_md = sha256\npolicy = p\n[p]\ncommonName = supplied\n`,
    );
    const csr = path.join(home, "req.csr");
    await run("openssl", [
      "req",
      "-new",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-keyout",
      key,
      "-out",
      csr,
      "-subj",
      subject,
    ]);
    await run("openssl", [
      "ca",
      "-batch",
      "-config",
      cnf,
      "-selfsign",
      "-keyfile",
      key,
      "-in",
      csr,
      "-out",
      cert,
      "-notext",
      "-startdate",
      "20200101000000Z",
      "-enddate",
      "20200201000000Z",
    ]);
  } else {
    await run("openssl", [
      "req",
      "-x509",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-keyout",
      key,
      "-out",
      cert,
      "-days",
      String(options.days ?? 365),
      "-subj",
      subject,
    ]);
  }
  const password = "password";
  const pemFile = path.join(home, "app.pem");
  const certPem = await readFile(cert, "utf8");
  await writeFile(pemFile, `${certPem}${await readFile(key, "utf8")}`);
  // the key and certificate as PKCS#12, protected by `password`, with openssl's `extra` choices
  const exportPfx = (out: string, extra: readonly string[] = []) =>
    run("openssl", [
      "pkcs12",
      "-export",
      "-inkey",
      key,
      "-in",
      cert,
      "-passout",
      `pass:${password}`,
      ...extra,
      "-out",
      out,
    ]);
  const pfxFile = path.join(home, "app.pfx");
  await exportPfx(pfxFile);
  // the same with the older 3DES encryption (openssl's default is AES)
  const pfx3desFile = path.join(home, "app-3des.pfx");
  await exportPfx(pfx3desFile, ["-certpbe", "PBE-SHA1-3DES", "-keypbe", "PBE-SHA1-3DES", "-macalg", "sha1"]);
  return { certPem, pemFile, pfxFile, pfx3desFile, password };
}
