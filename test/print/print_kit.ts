import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { deflateSync } from "node:zlib";
import { JobBuilder } from "../../src/spool/index.ts";
import type { Job } from "../../src/spool/index.ts";
import type { DeliveryRecord } from "../../src/print/delivery_record.ts";

export interface PrintSetup {
  readonly dir: string;
  readonly config: string;
  readonly spool: string;
  readonly failed: string;
  /** Publishes a job of the source `in` into the spool, as a downloader would. */
  addJob(id: string, owner: string, subject: string, documents: readonly TestDocument[]): Promise<Job>;
  delivery(id: string): Promise<DeliveryRecord | undefined>;
  jobs(): Promise<string[]>;
  log(): Promise<string>;
  dispose(): Promise<void>;
}

export interface TestDocument {
  readonly name: string;
  readonly type: string;
  readonly content: Uint8Array | string;
}

/**
 * A temp mps folder whose config has a folder source `in` sending its jobs to `printer`
 * (the attributes of its `<printers>/<add>`, name `eve`).
 */
export async function setUpPrinting(printer: string, extraXml = ""): Promise<PrintSetup> {
  const dir = await mkdtemp(path.join(tmpdir(), "mps-print-"));
  const config = path.join(dir, "mps.config");
  await writeFile(
    config,
    `<mps version="6">
  <folderSources>
    <add name="in" path="in" downloadInterval="1000" printer="eve" />
  </folderSources>
  <printers>
    <add name="eve" ${printer} />
  </printers>
  <spool folder="Spool" />
  <http port="0" />
  <failedFiles folder="Failed" maxAge="604800" />
  <log file="mps.log" level="debug" />
  ${extraXml}
</mps>
`,
  );
  const spool = path.join(dir, "Spool");
  await mkdir(spool, { recursive: true });
  return {
    dir,
    config,
    spool,
    failed: path.join(dir, "Failed"),
    async addJob(id, owner, subject, documents) {
      const builder = await JobBuilder.begin(spool, id, { now: Date.now });
      if (builder === undefined) throw new Error(`job ${id} was published before`);
      for (const document of documents) {
        const bytes = typeof document.content === "string" ? Buffer.from(document.content) : document.content;
        await builder.addDocument(
          document.name,
          document.type,
          (async function* () {
            yield bytes;
          })(),
        );
      }
      return await builder.commit({
        source: "in",
        owner,
        subject,
        receivedAt: new Date().toISOString(),
        messageId: "",
      });
    },
    async delivery(id) {
      const text = await readFile(path.join(spool, id, "delivery.json"), "utf8").catch(() => undefined);
      return text === undefined ? undefined : JSON.parse(text) as DeliveryRecord;
    },
    async jobs() {
      return (await readdir(spool)).filter((name) => !name.startsWith(".")).sort();
    },
    log: () => readFile(path.join(dir, "mps.log"), "utf8").catch(() => ""),
    dispose: () => rm(dir, { recursive: true, force: true }),
  };
}

/** A small valid PDF whose text makes it unique. */
export function pdf(text: string): string {
  return `%PDF-1.4\n% ${text}\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n` +
    "trailer<</Root 1 0 R>>\n%%EOF\n";
}

/** A 1×1 JPEG. */
export const JPEG = Buffer.from(
  "/9j/4AAQSkZJRgABAQEASABIAAD/2wBDAAMCAgICAgMCAgIDAwMDBAYEBAQEBAgGBgUGCQgKCgkICQkKDA8MCgsOCwkJDRENDg8QEBEQCgwSExIQEw8QEBD/yQALCAABAAEBAREA/8wABgAQEAX/2gAIAQEAAD8A0s8g/9k=",
  "base64",
);

/** A 1×1 red PNG. */
export const PNG = Buffer.from(
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGP4z8AAAAMBAQDJ/pLvAAAAAElFTkSuQmCC",
  "base64",
);

/** A grey PNG of the given size, made here (8-bit RGB, no filter). */
export function makePng(width: number, height: number): Buffer {
  const row = Buffer.alloc(1 + width * 3, 0x80);
  row[0] = 0;
  const raw = Buffer.concat(Array.from({ length: height }, () => row));
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, "latin1"), data]);
    const out = Buffer.alloc(12 + data.length);
    out.writeUInt32BE(data.length, 0);
    body.copy(out, 4);
    out.writeUInt32BE(crc32(body), 8 + data.length);
    return out;
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", header),
    chunk("IDAT", deflateSync(raw)),
    chunk("IEND", Buffer.alloc(0)),
  ]);
}

function crc32(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of bytes) {
    crc ^= byte;
    for (let bit = 0; bit < 8; bit++) crc = (crc >>> 1) ^ (0xedb88320 & -(crc & 1));
  }
  return (crc ^ 0xffffffff) >>> 0;
}
