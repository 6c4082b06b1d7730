// The IPP/1.1 message encoding (RFC 8010): a version, an operation or status code, a request id,
// then groups of attributes, each value written as tag, name length, name, value length, value.

/** Value tags mps writes or reads. */
export const TAG = {
  operationAttributes: 0x01,
  jobAttributes: 0x02,
  end: 0x03,
  printerAttributes: 0x04,
  unsupportedAttributes: 0x05,
  unsupported: 0x10,
  unknown: 0x12,
  noValue: 0x13,
  integer: 0x21,
  boolean: 0x22,
  enum: 0x23,
  octetString: 0x30,
  dateTime: 0x31,
  resolution: 0x32,
  rangeOfInteger: 0x33,
  begCollection: 0x34,
  textWithLanguage: 0x35,
  nameWithLanguage: 0x36,
  endCollection: 0x37,
  text: 0x41,
  name: 0x42,
  keyword: 0x44,
  uri: 0x45,
  uriScheme: 0x46,
  charset: 0x47,
  naturalLanguage: 0x48,
  mimeMediaType: 0x49,
  memberAttrName: 0x4a,
} as const;

export type IppCollection = { readonly [member: string]: readonly IppValue[] };
export type IppValue =
  | string
  | number
  | boolean
  | IppCollection
  | { readonly lower: number; readonly upper: number }
  | { readonly xres: number; readonly yres: number; readonly units: number }
  | Uint8Array;

/** An attribute to send: its value tag, name and values. */
export interface OutAttribute {
  readonly tag: number;
  readonly name: string;
  readonly values: readonly (string | number | boolean)[];
}

export interface OutGroup {
  readonly tag: number;
  readonly attributes: readonly OutAttribute[];
}

/** A decoded response: every group's attributes by name (values only: tags do not matter to mps). */
export interface IppResponse {
  readonly version: string;
  readonly status: number;
  readonly requestId: number;
  readonly groups: ReadonlyArray<{ readonly tag: number; readonly attributes: ReadonlyMap<string, IppValue[]> }>;
}

export class IppDecodeError extends Error {
  constructor(message: string) {
    super(`Cannot read the printer's IPP answer: ${message}`);
    this.name = "IppDecodeError";
  }
}

const encoder = new TextEncoder();

/** Encodes a request's header and attributes, up to and including end-of-attributes. */
export function encodeRequest(operation: number, requestId: number, groups: readonly OutGroup[]): Uint8Array {
  const parts: Uint8Array[] = [];
  const header = new Uint8Array(8);
  const view = new DataView(header.buffer);
  view.setUint8(0, 1);
  view.setUint8(1, 1);
  view.setUint16(2, operation);
  view.setUint32(4, requestId);
  parts.push(header);
  for (const group of groups) {
    parts.push(Uint8Array.of(group.tag));
    for (const attribute of group.attributes) {
      attribute.values.forEach((value, index) => {
        parts.push(encodeValue(attribute.tag, index === 0 ? attribute.name : "", value));
      });
    }
  }
  parts.push(Uint8Array.of(TAG.end));
  const total = parts.reduce((sum, part) => sum + part.byteLength, 0);
  const out = new Uint8Array(total);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.byteLength;
  }
  return out;
}

function encodeValue(tag: number, name: string, value: string | number | boolean): Uint8Array {
  const nameBytes = encoder.encode(name);
  let valueBytes: Uint8Array;
  if (tag === TAG.integer || tag === TAG.enum) {
    valueBytes = new Uint8Array(4);
    new DataView(valueBytes.buffer).setInt32(0, Number(value));
  } else if (tag === TAG.boolean) {
    valueBytes = Uint8Array.of(value === true ? 1 : 0);
  } else {
    valueBytes = encoder.encode(String(value));
  }
  if (nameBytes.byteLength > 0x7fff || valueBytes.byteLength > 0x7fff) {
    throw new RangeError(`IPP attribute '${name}' is too long to send`);
  }
  const out = new Uint8Array(1 + 2 + nameBytes.byteLength + 2 + valueBytes.byteLength);
  const view = new DataView(out.buffer);
  view.setUint8(0, tag);
  view.setUint16(1, nameBytes.byteLength);
  out.set(nameBytes, 3);
  view.setUint16(3 + nameBytes.byteLength, valueBytes.byteLength);
  out.set(valueBytes, 5 + nameBytes.byteLength);
  return out;
}

const decoder = new TextDecoder();

/** Decodes a whole response; trailing document data, if any, is ignored. */
export function decodeResponse(bytes: Uint8Array): IppResponse {
  if (bytes.byteLength < 9) throw new IppDecodeError(`${bytes.byteLength} bytes are too short for an IPP message`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let offset = 8;
  const need = (count: number) => {
    if (offset + count > bytes.byteLength) throw new IppDecodeError(`the message ends early at byte ${offset}`);
  };
  const groups: Array<{ tag: number; attributes: Map<string, IppValue[]> }> = [];
  let current: Map<string, IppValue[]> | undefined;
  let lastName = "";
  // Collections nest: each open one collects its members until its endCollection.
  const stack: Array<{ members: Record<string, IppValue[]>; member: string }> = [];

  const add = (name: string, value: IppValue) => {
    const open = stack.at(-1);
    if (open !== undefined) {
      (open.members[open.member] ??= []).push(value);
      return;
    }
    if (current === undefined) throw new IppDecodeError(`attribute '${name}' comes before any group`);
    if (name !== "") {
      lastName = name;
      current.set(name, [value]);
    } else {
      current.get(lastName)?.push(value);
    }
  };

  for (;;) {
    need(1);
    const tag = view.getUint8(offset);
    offset += 1;
    if (tag === TAG.end) break;
    if (tag < 0x10) {
      if (stack.length > 0) throw new IppDecodeError("a group starts inside a collection");
      current = new Map();
      groups.push({ tag, attributes: current });
      continue;
    }
    need(2);
    const nameLength = view.getUint16(offset);
    offset += 2;
    need(nameLength + 2);
    const name = decoder.decode(bytes.subarray(offset, offset + nameLength));
    offset += nameLength;
    const valueLength = view.getUint16(offset);
    offset += 2;
    need(valueLength);
    const raw = bytes.subarray(offset, offset + valueLength);
    offset += valueLength;
    const at = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);

    if (tag === TAG.begCollection) {
      const members: Record<string, IppValue[]> = {};
      const open = stack.at(-1);
      if (open !== undefined) (open.members[open.member] ??= []).push(members);
      else add(name, members);
      stack.push({ members, member: "" });
      continue;
    }
    if (tag === TAG.endCollection) {
      if (stack.pop() === undefined) throw new IppDecodeError("a collection ends that never began");
      continue;
    }
    if (tag === TAG.memberAttrName) {
      const open = stack.at(-1);
      if (open === undefined) throw new IppDecodeError("a collection member outside a collection");
      open.member = decoder.decode(raw);
      continue;
    }
    add(name, decodeValue(tag, raw, at));
  }
  if (stack.length > 0) throw new IppDecodeError("a collection is not closed");
  return {
    version: `${view.getUint8(0)}.${view.getUint8(1)}`,
    status: view.getUint16(2),
    requestId: view.getUint32(4),
    groups,
  };
}

function decodeValue(tag: number, raw: Uint8Array, at: DataView): IppValue {
  switch (tag) {
    case TAG.integer:
    case TAG.enum:
      return raw.byteLength === 4 ? at.getInt32(0) : 0;
    case TAG.boolean:
      return raw.byteLength === 1 && at.getUint8(0) !== 0;
    case TAG.rangeOfInteger:
      return raw.byteLength === 8 ? { lower: at.getInt32(0), upper: at.getInt32(4) } : { lower: 0, upper: 0 };
    case TAG.resolution:
      return raw.byteLength === 9
        ? { xres: at.getInt32(0), yres: at.getInt32(4), units: at.getUint8(8) }
        : { xres: 0, yres: 0, units: 0 };
    case TAG.textWithLanguage:
    case TAG.nameWithLanguage: {
      if (raw.byteLength < 4) return "";
      const languageLength = at.getUint16(0);
      const textAt = 2 + languageLength;
      if (textAt + 2 > raw.byteLength) return "";
      const textLength = at.getUint16(textAt);
      return decoder.decode(raw.subarray(textAt + 2, textAt + 2 + textLength));
    }
    case TAG.octetString:
    case TAG.dateTime:
      return raw.slice();
    case TAG.unsupported:
    case TAG.unknown:
    case TAG.noValue:
      return "";
    default:
      return decoder.decode(raw);
  }
}

/** The first value of an attribute in the first group of the given tag, if any. */
export function firstValue(response: IppResponse, groupTag: number, name: string): IppValue | undefined {
  return response.groups.find((group) => group.tag === groupTag)?.attributes.get(name)?.[0];
}
