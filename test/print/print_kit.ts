import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import * as path from "node:path";
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
      const builder = await JobBuilder.begin(spool, id);
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
