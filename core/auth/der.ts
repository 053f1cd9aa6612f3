/**
 * A small, strict DER reader and writer: just enough to encode Gatehouse's private certificate
 * extensions and to walk a certificate's TBSCertificate without a full ASN.1 parse. Identity
 * parsing runs on every gRPC call, so it reads the few fields it needs in place instead of
 * building the object tree `@peculiar/x509` builds (about ten times slower).
 *
 * Strict means: definite lengths only, minimal length encodings, nothing read past the end.
 * Anything else throws a plain `Error`; callers turn it into an `AppError` with context.
 */

/** One type-length-value element inside a buffer. `start`/`end` delimit the value. */
export interface DerElement {
  tag: number;
  start: number;
  end: number;
}

/** DER universal tags used by Gatehouse. */
export const DER_TAG = {
  boolean: 0x01,
  integer: 0x02,
  bitString: 0x03,
  octetString: 0x04,
  oid: 0x06,
  utf8String: 0x0c,
  printableString: 0x13,
  ia5String: 0x16,
  bmpString: 0x1e,
  sequence: 0x30,
  set: 0x31,
} as const;

const utf8Decoder = new TextDecoder('utf-8', { fatal: true });
const utf8Encoder = new TextEncoder();

/**
 * Reads the element that starts at `offset` and must end at or before `limit`.
 * @throws Error on a truncated, indefinite-length, non-minimal or multi-byte-tag element.
 */
export function readDerElement(buf: Uint8Array, offset: number, limit: number = buf.length): DerElement {
  if (offset + 2 > limit) throw new Error('DER element truncated');
  const tag = buf[offset] as number;
  if ((tag & 0x1f) === 0x1f) throw new Error('DER multi-byte tags are not supported');
  const first = buf[offset + 1] as number;
  let pos = offset + 2;
  let length: number;
  if (first < 0x80) {
    length = first;
  } else {
    const count = first & 0x7f;
    if (count === 0) throw new Error('DER indefinite length is not allowed');
    if (count > 4) throw new Error('DER length too large');
    if (pos + count > limit) throw new Error('DER length truncated');
    length = 0;
    for (let i = 0; i < count; i++) length = length * 256 + (buf[pos + i] as number);
    pos += count;
    // Minimal encoding: long form only for lengths >= 128, and no leading zero byte.
    if (length < 0x80 || (buf[pos - count] as number) === 0) throw new Error('DER length not minimal');
  }
  const end = pos + length;
  if (end > limit) throw new Error('DER value truncated');
  return { tag, start: pos, end };
}

/**
 * Reads the children of a constructed element, in order.
 * @throws Error when a child is malformed or they do not exactly fill the parent.
 */
export function readDerChildren(buf: Uint8Array, parent: DerElement): DerElement[] {
  const children: DerElement[] = [];
  let pos = parent.start;
  while (pos < parent.end) {
    const child = readDerElement(buf, pos, parent.end);
    children.push(child);
    pos = child.end;
  }
  return children;
}

/** Reads one element that must span all of `buf` and carry `tag`. */
export function readDerRoot(buf: Uint8Array, tag: number): DerElement {
  const root = readDerElement(buf, 0, buf.length);
  if (root.tag !== tag) throw new Error(`DER expected tag 0x${tag.toString(16)}, got 0x${root.tag.toString(16)}`);
  if (root.end !== buf.length) throw new Error('DER trailing bytes');
  return root;
}

/** Encodes a tag and value as one DER element. */
export function encodeDerElement(tag: number, value: Uint8Array): Uint8Array<ArrayBuffer> {
  const n = value.length;
  let header: number[];
  if (n < 0x80) {
    header = [tag, n];
  } else {
    const lengthBytes: number[] = [];
    for (let v = n; v > 0; v = Math.floor(v / 256)) lengthBytes.unshift(v % 256);
    header = [tag, 0x80 | lengthBytes.length, ...lengthBytes];
  }
  const out = new Uint8Array(header.length + n);
  out.set(header, 0);
  out.set(value, header.length);
  return out;
}

/** Encodes a dotted OID (e.g. `2.5.4.3`) as DER content bytes (without tag and length). */
export function encodeOidContent(oid: string): Uint8Array<ArrayBuffer> {
  const arcs = oid.split('.').map((part) => {
    if (!/^\d+$/.test(part)) throw new Error(`invalid OID ${oid}`);
    return Number(part);
  });
  const [a, b, ...rest] = arcs;
  if (a === undefined || b === undefined || a > 2 || (a < 2 && b > 39)) throw new Error(`invalid OID ${oid}`);
  const bytes: number[] = [];
  for (const arc of [a * 40 + b, ...rest]) {
    if (!Number.isSafeInteger(arc)) throw new Error(`invalid OID ${oid}`);
    const chunk: number[] = [arc % 128];
    for (let v = Math.floor(arc / 128); v > 0; v = Math.floor(v / 128)) chunk.unshift(0x80 | (v % 128));
    bytes.push(...chunk);
  }
  return Uint8Array.from(bytes);
}

/** True when the element's value bytes equal `expected`. */
export function derValueEquals(buf: Uint8Array, el: DerElement, expected: Uint8Array): boolean {
  if (el.end - el.start !== expected.length) return false;
  for (let i = 0; i < expected.length; i++) if (buf[el.start + i] !== expected[i]) return false;
  return true;
}

/**
 * Decodes a directory-string value (UTF8String, PrintableString, IA5String or BMPString).
 * @throws Error for any other tag or invalid UTF-8.
 */
export function decodeDerString(buf: Uint8Array, el: DerElement): string {
  const bytes = buf.subarray(el.start, el.end);
  switch (el.tag) {
    case DER_TAG.utf8String:
      return utf8Decoder.decode(bytes);
    case DER_TAG.printableString:
    case DER_TAG.ia5String:
      for (const byte of bytes) if (byte > 0x7f) throw new Error('DER non-ASCII byte in ASCII string');
      return utf8Decoder.decode(bytes);
    case DER_TAG.bmpString: {
      if (bytes.length % 2 !== 0) throw new Error('DER BMPString has odd length');
      let s = '';
      for (let i = 0; i < bytes.length; i += 2) s += String.fromCharCode(((bytes[i] as number) << 8) | (bytes[i + 1] as number));
      return s;
    }
    default:
      throw new Error(`DER tag 0x${el.tag.toString(16)} is not a string`);
  }
}

/** Encodes `SEQUENCE OF UTF8String`. */
export function encodeUtf8StringSequence(values: readonly string[]): Uint8Array<ArrayBuffer> {
  const items = values.map((v) => encodeDerElement(DER_TAG.utf8String, utf8Encoder.encode(v)));
  const total = items.reduce((sum, item) => sum + item.length, 0);
  const content = new Uint8Array(total);
  let pos = 0;
  for (const item of items) {
    content.set(item, pos);
    pos += item.length;
  }
  return encodeDerElement(DER_TAG.sequence, content);
}

/**
 * Decodes `SEQUENCE OF UTF8String` that must span all of `bytes`.
 * @throws Error on any other shape.
 */
export function decodeUtf8StringSequence(bytes: Uint8Array): string[] {
  const root = readDerRoot(bytes, DER_TAG.sequence);
  return readDerChildren(bytes, root).map((child) => {
    if (child.tag !== DER_TAG.utf8String) throw new Error('DER expected UTF8String in sequence');
    return utf8Decoder.decode(bytes.subarray(child.start, child.end));
  });
}

/** Encodes a single UTF8String. */
export function encodeUtf8String(value: string): Uint8Array<ArrayBuffer> {
  return encodeDerElement(DER_TAG.utf8String, utf8Encoder.encode(value));
}

/** Decodes a single UTF8String that must span all of `bytes`. */
export function decodeUtf8String(bytes: Uint8Array): string {
  const root = readDerRoot(bytes, DER_TAG.utf8String);
  return utf8Decoder.decode(bytes.subarray(root.start, root.end));
}
