import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import * as path from "node:path";
import type { EmailSource } from "../../src/config/types.ts";
import { messageToJob } from "../../src/mail/index.ts";
import type { MessageOutcome, MessageToJobOptions } from "../../src/mail/index.ts";
import type { Job } from "../../src/spool/index.ts";

export const CRLF = "\r\n";
export const RECEIVED = new Date("2026-11-27T10:00:00.000Z");
export const NOW = Date.parse("2026-11-27T10:00:05.000Z");

export function emailSource(overrides: Partial<EmailSource> = {}): EmailSource {
  return {
    kind: "email",
    name: "print@example.test",
    line: 3,
    type: "Imap",
    host: "127.0.0.1",
    port: 993,
    secure: true,
    userName: "print@example.test",
    password: "",
    folder: "INBOX",
    afterDownload: { action: "delete" },
    allowedSenders: [],
    pollIntervalMs: 60_000,
    idle: true,
    caFile: undefined,
    signIn: "password",
    provider: undefined,
    providerConfig: undefined,
    tokenUser: undefined,
    printableTypes: [],
    printBody: "auto",
    maxMessageSize: 100 * 1024 * 1024,
    maxAttachments: 20,
    requireAuthenticated: false,
    authservId: undefined,
    ...overrides,
  };
}

export interface Dirs {
  readonly root: string;
  readonly spool: string;
  readonly failed: string;
}

export async function makeDirs(): Promise<Dirs> {
  const root = await mkdtemp(path.join(tmpdir(), "mps-mail-"));
  return { root, spool: path.join(root, "Spool"), failed: path.join(root, "Failed") };
}

export async function removeDirs(dirs: Dirs): Promise<void> {
  await rm(dirs.root, { recursive: true, force: true });
}

let counter = 0;

/** Splits a raw message into chunks of `size` bytes, as a network stream would hand it over. */
export async function* chunked(raw: string | Buffer, size = 4096): AsyncIterable<Uint8Array> {
  const bytes = typeof raw === "string" ? Buffer.from(raw, "utf8") : raw;
  for (let i = 0; i < bytes.length; i += size) yield new Uint8Array(bytes.subarray(i, i + size));
}

/** Runs one message through `messageToJob` with a fresh job id. */
export async function run(
  dirs: Dirs,
  raw: string | Buffer,
  options: Partial<Omit<MessageToJobOptions, "source">> & { source?: Partial<EmailSource>; chunkSize?: number } = {},
): Promise<MessageOutcome> {
  const { source, chunkSize, ...rest } = options;
  return await messageToJob({
    message: chunked(raw, chunkSize),
    jobId: `print_1_${++counter}`,
    source: emailSource(source),
    spoolDir: dirs.spool,
    failedDir: dirs.failed,
    receivedAt: RECEIVED,
    now: () => NOW,
    ...rest,
  });
}

/** Asserts a job came out and that job.json, the files beside it, and their hashes agree. */
export async function expectJob(dirs: Dirs, outcome: MessageOutcome): Promise<Job> {
  if (outcome.outcome !== "job") assert.fail(`expected a job, got ${JSON.stringify(outcome)}`);
  const folder = path.join(dirs.spool, outcome.job.id);
  const onDisk = JSON.parse(await readFile(path.join(folder, "job.json"), "utf8")) as Job;
  assert.deepEqual(onDisk, outcome.job);
  assert.deepEqual((await readdir(folder)).sort(), [...onDisk.documents.map((d) => d.fileName), "job.json"].sort());
  for (const document of onDisk.documents) {
    const bytes = await readFile(path.join(folder, document.fileName));
    assert.equal(bytes.length, document.size, document.fileName);
    assert.equal(sha256(bytes), document.sha256, document.fileName);
  }
  return onDisk;
}

export async function documentText(dirs: Dirs, job: Job, index: number): Promise<string> {
  const document = job.documents[index];
  assert.ok(document, `document ${index}`);
  return await readFile(path.join(dirs.spool, job.id, document.fileName), "utf8");
}

export function sha256(bytes: Uint8Array | string): string {
  return createHash("sha256").update(bytes).digest("hex");
}

/** Random bytes that start like a real file of the type, so nothing is mistaken for text. */
export function fakeFile(size: number, magic = "%PDF-1.7\n"): Buffer {
  return Buffer.concat([Buffer.from(magic, "latin1"), randomBytes(Math.max(0, size - magic.length))]);
}

export function base64Lines(bytes: Uint8Array): string {
  return (Buffer.from(bytes).toString("base64").match(/.{1,76}/g) ?? []).join(CRLF);
}

/** A header block plus body, joined with CRLF. */
export function entity(headers: readonly string[], body: string): string {
  return [...headers, "", body].join(CRLF);
}

export function multipart(
  subtype: string,
  boundary: string,
  parts: readonly string[],
  headers: readonly string[] = [],
): string {
  return entity(
    [...headers, `Content-Type: multipart/${subtype}; boundary="${boundary}"`],
    [
      "This is a multi-part message in MIME format.",
      ...parts.map((part) => `--${boundary}${CRLF}${part}`),
      `--${boundary}--`,
      "",
    ]
      .join(CRLF),
  );
}

export function attachment(
  fileName: string,
  contentType: string,
  bytes: Uint8Array,
  extra: readonly string[] = [],
): string {
  return entity(
    [
      `Content-Type: ${contentType}; name="${fileName}"`,
      `Content-Disposition: attachment; filename="${fileName}"`,
      "Content-Transfer-Encoding: base64",
      ...extra,
    ],
    base64Lines(bytes),
  );
}

export function textPart(text: string, subtype = "plain", charset = "utf-8"): string {
  return entity([`Content-Type: text/${subtype}; charset=${charset}`, "Content-Transfer-Encoding: 8bit"], text);
}

export function envelope(subject = "Print this", from = "Alice Example <Alice@Example.test>"): string[] {
  return [
    `From: ${from}`,
    "To: print@example.test",
    `Subject: ${subject}`,
    "Date: Fri, 27 Nov 2026 10:59:59 +0100",
    `Message-ID: <${randomBytes(6).toString("hex")}@example.test>`,
    "MIME-Version: 1.0",
  ];
}
