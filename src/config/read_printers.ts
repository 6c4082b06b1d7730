import { ConfigError } from "./errors.ts";
import { resolvePath } from "./resolve_path.ts";
import { printerSchema } from "./schema.ts";
import type { EmailSource, FolderSource, Printer } from "./types.ts";
import { describeElement, validateElement } from "./validate_element.ts";
import type { XmlElement } from "./xml_tree.ts";

/** Reads `<printers>/<add>`: names unique (case-insensitive), URIs checked, paths resolved. */
export function readPrinters(
  parent: XmlElement | undefined,
  file: string,
  dir: string,
  warnings: string[],
): Printer[] {
  const printers: Printer[] = [];
  let index = 0;
  for (const element of parent?.children ?? []) {
    if (element.name !== "add") {
      warnings.push(`Config '${file}': line ${element.line}: unknown element <printers>/<${element.name}> is ignored`);
      continue;
    }
    index += 1;
    const label = describeElement(element, parent, index);
    const values = validateElement(element, printerSchema, { file, label, warnings });
    const twin = printers.find((other) => other.name.toLowerCase() === values.name.toLowerCase());
    if (twin !== undefined) {
      throw new ConfigError(file, `${label}: printer '${values.name}' is already defined on line ${twin.line}`, {
        line: element.line,
      });
    }
    if ((values.userName === "") !== (values.password === "")) {
      warnings.push(
        `Config '${file}': line ${element.line}: ${label}: 'userName' and 'password' go together: ` +
          "without both, the printer is reached without HTTP authentication",
      );
    }
    if (values.caFile !== undefined && !/^(ipps|https):/i.test(values.uri)) {
      warnings.push(
        `Config '${file}': line ${element.line}: ${label}: 'caFile' is ignored: uri '${values.uri}' does not use TLS (ipps://)`,
      );
    }
    printers.push({
      name: values.name,
      line: element.line,
      uri: values.uri,
      caFile: values.caFile === undefined ? undefined : resolvePath(dir, values.caFile),
      owner: values.owner,
      userName: values.userName,
      password: values.password,
      keepPrintedSeconds: values.keepPrinted,
    });
  }
  return printers;
}

/** A source's `printer` must name a `<printers>` entry. */
export function checkPrinterNames(
  sources: readonly (FolderSource | EmailSource)[],
  printers: readonly Printer[],
  file: string,
): void {
  for (const source of sources) {
    if (source.printer === undefined) continue;
    const wanted = source.printer.toLowerCase();
    if (printers.some((printer) => printer.name.toLowerCase() === wanted)) continue;
    const known = printers.map((printer) => `'${printer.name}'`).join(", ") || "none";
    const element = source.kind === "email" ? "<emailSources>/<add>" : "<folderSources>/<add>";
    throw new ConfigError(
      file,
      `${element} '${source.name}': attribute 'printer' names '${source.printer}', which is not a <printers> <add> (defined: ${known})`,
      { line: source.line },
    );
  }
}
