/**
 * Reads the private key and certificate out of a PKCS#12 file (`.pfx`, `.p12`), as Windows'
 * certificate export and `openssl pkcs12 -export` write them. Node's crypto can use a PFX for TLS
 * but cannot hand out its key, so the container is unpacked here, and the shrouded key bag and
 * encrypted certificate bags are decrypted here too (PBES2 with PBKDF2 and AES or 3DES, or the
 * PKCS#12 PBE with 3DES), the same on Node and Deno. RC2 (OpenSSL 1.1's default for the
 * certificates) is not available in current OpenSSL: such a file is refused with advice.
 */
import { createDecipheriv, createHash, createPrivateKey, pbkdf2Sync, X509Certificate } from "node:crypto";
import type { KeyObject } from "node:crypto";

interface Node {
  readonly tag: number;
  readonly bytes: Buffer;
  readonly children: Node[];
}

const OID = {
  data: "1.2.840.113549.1.7.1",
  encryptedData: "1.2.840.113549.1.7.6",
  keyBag: "1.2.840.113549.1.12.10.1.1",
  shroudedKeyBag: "1.2.840.113549.1.12.10.1.2",
  certBag: "1.2.840.113549.1.12.10.1.3",
  x509Certificate: "1.2.840.113549.1.9.22.1",
  pbes2: "1.2.840.113549.1.5.13",
  pbkdf2: "1.2.840.113549.1.5.12",
  hmacSha1: "1.2.840.113549.2.7",
  hmacSha256: "1.2.840.113549.2.9",
  hmacSha384: "1.2.840.113549.2.10",
  hmacSha512: "1.2.840.113549.2.11",
  aes128: "2.16.840.1.101.3.4.1.2",
  aes192: "2.16.840.1.101.3.4.1.22",
  aes256: "2.16.840.1.101.3.4.1.42",
  desEde3: "1.2.840.113549.3.7",
  pbeSha3Des: "1.2.840.113549.1.12.1.3",
  pbeShaRc2_40: "1.2.840.113549.1.12.1.6",
  pbeShaRc2_128: "1.2.840.113549.1.12.1.5",
} as const;

/** The key and the DER certificate that belongs to it (the first certificate when the key has no match). */
export function readPkcs12(file: Buffer, password: string): { key: KeyObject; certificate: Buffer } {
  const pfx = parse(file);
  const authSafe = child(pfx, 1);
  if (oid(child(authSafe, 0)) !== OID.data) throw new Error("the PKCS#12 file is signed, not password-protected");
  const safes = parse(octets(explicit(child(authSafe, 1))));
  let key: KeyObject | undefined;
  const certificates: Buffer[] = [];
  for (const info of safes.children) {
    const type = oid(child(info, 0));
    let contents: Buffer;
    if (type === OID.data) contents = octets(explicit(child(info, 1)));
    else if (type === OID.encryptedData) {
      const encryptedContent = child(explicit(child(info, 1)), 1);
      const algorithm = child(encryptedContent, 1);
      const body = child(encryptedContent, 2);
      // [0] IMPLICIT OCTET STRING: primitive, or constructed from pieces.
      const cipherText = body.children.length > 0 ? Buffer.concat(body.children.map(octets)) : body.bytes;
      contents = decrypt(algorithm, cipherText, password);
    } else continue;
    for (const bag of parse(contents).children) {
      const bagType = oid(child(bag, 0));
      const value = explicit(child(bag, 1));
      if (bagType === OID.keyBag) key = createPrivateKey({ key: encode(value), format: "der", type: "pkcs8" });
      if (bagType === OID.shroudedKeyBag) {
        // Decrypted here rather than by OpenSSL: Deno's createPrivateKey cannot open PKCS#12 PBEs.
        const plain = decrypt(child(value, 0), octets(child(value, 1)), password);
        key = createPrivateKey({ key: plain, format: "der", type: "pkcs8" });
      }
      if (bagType === OID.certBag && oid(child(value, 0)) === OID.x509Certificate) {
        certificates.push(octets(explicit(child(value, 1))));
      }
    }
  }
  if (key === undefined) throw new Error("the PKCS#12 file has no private key (export it with the private key)");
  if (certificates.length === 0) throw new Error("the PKCS#12 file has no certificate");
  const own = key;
  const matching = certificates.find((der) => new X509Certificate(der).checkPrivateKey(own));
  return { key, certificate: matching ?? certificates[0] ?? Buffer.alloc(0) };
}

function decrypt(algorithm: Node, cipherText: Buffer, password: string): Buffer {
  const scheme = oid(child(algorithm, 0));
  const params = child(algorithm, 1);
  if (scheme === OID.pbes2) {
    const kdf = child(params, 0);
    const encryption = child(params, 1);
    if (oid(child(kdf, 0)) !== OID.pbkdf2) throw new Error("the PKCS#12 file uses a key derivation mps does not know");
    const kdfParams = child(kdf, 1);
    const salt = child(kdfParams, 0).bytes;
    const iterations = integer(child(kdfParams, 1));
    const prfNode = kdfParams.children.find((node) => node.tag === 0x30);
    const hash = prfNode === undefined ? "sha1" : HMACS[oid(child(prfNode, 0))];
    const cipher = CIPHERS[oid(child(encryption, 0))];
    if (hash === undefined || cipher === undefined) {
      throw new Error("the PKCS#12 file uses a cipher mps does not know (export it with AES256-SHA256)");
    }
    const key = pbkdf2Sync(Buffer.from(password, "utf8"), salt, iterations, cipher.keyLength, hash);
    return decipher(cipher.name, key, child(encryption, 1).bytes, cipherText);
  }
  if (scheme === OID.pbeSha3Des) {
    const salt = child(params, 0).bytes;
    const iterations = integer(child(params, 1));
    const key = pkcs12Kdf(password, salt, iterations, 1, 24);
    const iv = pkcs12Kdf(password, salt, iterations, 2, 8);
    return decipher("des-ede3-cbc", key, iv, cipherText);
  }
  if (scheme === OID.pbeShaRc2_40 || scheme === OID.pbeShaRc2_128) {
    throw new Error(
      "the PKCS#12 file encrypts its certificate with RC2, which current OpenSSL no longer offers: export it again " +
        "with AES (Windows: 'AES256-SHA256'; openssl 3: openssl pkcs12 -export without -legacy)",
    );
  }
  throw new Error("the PKCS#12 file uses an encryption mps does not know (export it with AES256-SHA256)");
}

function decipher(name: string, key: Buffer, iv: Buffer, data: Buffer): Buffer {
  try {
    const d = createDecipheriv(name, key, iv);
    return Buffer.concat([d.update(data), d.final()]);
  } catch (cause) {
    throw new Error("the PKCS#12 file cannot be decrypted: wrong clientCertificatePassword?", { cause });
  }
}

const HMACS: Readonly<Record<string, string>> = {
  [OID.hmacSha1]: "sha1",
  [OID.hmacSha256]: "sha256",
  [OID.hmacSha384]: "sha384",
  [OID.hmacSha512]: "sha512",
};

const CIPHERS: Readonly<Record<string, { name: string; keyLength: number }>> = {
  [OID.aes128]: { name: "aes-128-cbc", keyLength: 16 },
  [OID.aes192]: { name: "aes-192-cbc", keyLength: 24 },
  [OID.aes256]: { name: "aes-256-cbc", keyLength: 32 },
  [OID.desEde3]: { name: "des-ede3-cbc", keyLength: 24 },
};

/** RFC 7292 appendix B.2 with SHA-1: `id` 1 for the key, 2 for the IV. */
function pkcs12Kdf(password: string, salt: Buffer, iterations: number, id: number, size: number): Buffer {
  const v = 64;
  const pass = password === ""
    ? Buffer.alloc(0)
    : Buffer.concat([Buffer.from(password, "utf16le").swap16(), Buffer.alloc(2)]);
  const stretch = (data: Buffer) => {
    if (data.length === 0) return data;
    const out = Buffer.alloc(v * Math.ceil(data.length / v));
    for (let i = 0; i < out.length; i++) out[i] = data[i % data.length] ?? 0;
    return out;
  };
  let input = Buffer.concat([stretch(salt), stretch(pass)]);
  const diversifier = Buffer.alloc(v, id);
  const result: Buffer[] = [];
  let produced = 0;
  while (produced < size) {
    let a = createHash("sha1").update(diversifier).update(input).digest();
    for (let i = 1; i < iterations; i++) a = createHash("sha1").update(a).digest();
    result.push(a);
    produced += a.length;
    const b = stretch(a);
    const next = Buffer.from(input);
    for (let j = 0; j < next.length; j += v) {
      let carry = 1;
      for (let k = v - 1; k >= 0; k--) {
        const sum = (next[j + k] ?? 0) + (b[k] ?? 0) + carry;
        next[j + k] = sum & 0xff;
        carry = sum >> 8;
      }
    }
    input = next;
  }
  return Buffer.concat(result).subarray(0, size);
}

// A small DER reader: enough for the structures above.

function parse(data: Buffer): Node {
  const [node] = read(data, 0);
  return node;
}

function read(data: Buffer, offset: number): [Node, number] {
  const tag = data[offset];
  if (tag === undefined) throw new Error("the PKCS#12 file is truncated");
  let length = data[offset + 1] ?? 0;
  let start = offset + 2;
  if (length === 0x80) throw new Error("the PKCS#12 file uses indefinite lengths (BER); export it again");
  if (length > 0x80) {
    const count = length & 0x7f;
    length = 0;
    for (let i = 0; i < count; i++) length = length * 256 + (data[start + i] ?? 0);
    start += count;
  }
  const end = start + length;
  if (end > data.length) throw new Error("the PKCS#12 file is truncated");
  const bytes = data.subarray(start, end);
  const children: Node[] = [];
  if ((tag & 0x20) !== 0) {
    for (let at = 0; at < bytes.length;) {
      const [inner, next] = read(bytes, at);
      children.push(inner);
      at = next;
    }
  }
  return [{ tag, bytes, children }, end];
}

function child(node: Node, index: number): Node {
  const found = node.children[index];
  if (found === undefined) throw new Error("the file is not a PKCS#12 (.pfx) file");
  return found;
}

/** The content of a context-specific `[0] EXPLICIT` wrapper. */
function explicit(node: Node): Node {
  return (node.tag & 0xe0) === 0xa0 ? child(node, 0) : node;
}

/** OCTET STRING content, also when it comes in constructed pieces. */
function octets(node: Node): Buffer {
  return node.tag === 0x24 ? Buffer.concat(node.children.map(octets)) : node.bytes;
}

function integer(node: Node): number {
  let value = 0;
  for (const byte of node.bytes) value = value * 256 + byte;
  return value;
}

function oid(node: Node): string {
  const bytes = node.bytes;
  const first = bytes[0] ?? 0;
  const parts = [Math.floor(first / 40), first % 40];
  let value = 0;
  for (const byte of bytes.subarray(1)) {
    value = value * 128 + (byte & 0x7f);
    if ((byte & 0x80) === 0) {
      parts.push(value);
      value = 0;
    }
  }
  return parts.join(".");
}

/** Re-encodes a node with its header (the key bag is handed to OpenSSL whole). */
function encode(node: Node): Buffer {
  const length = node.bytes.length;
  const header = length < 0x80 ? Buffer.from([node.tag, length]) : (() => {
    const digits: number[] = [];
    for (let rest = length; rest > 0; rest = Math.floor(rest / 256)) digits.unshift(rest % 256);
    return Buffer.from([node.tag, 0x80 | digits.length, ...digits]);
  })();
  return Buffer.concat([header, node.bytes]);
}
