/**
 * Hand-written protobuf wire encoding for tests that must send what no encoder would: a length
 * prefix longer than the bytes that follow, wire type 7, field number 0, invalid UTF-8.
 */

/** A base-128 varint (non-negative, up to 2^53). */
export function varint(value: number): Buffer {
  const out: number[] = [];
  let v = value;
  while (v >= 0x80) {
    out.push((v % 0x80) | 0x80);
    v = Math.floor(v / 0x80);
  }
  out.push(v);
  return Buffer.from(out);
}

/** A tag: field number and wire type. */
export function tag(field: number, wireType: number): Buffer {
  return varint(field * 8 + wireType);
}

/** A length-delimited field; `length` overrides the true length (to lie about it). */
export function lengthDelimited(field: number, content: Buffer | string, length?: number): Buffer {
  const bytes = typeof content === 'string' ? Buffer.from(content) : content;
  return Buffer.concat([tag(field, 2), varint(length ?? bytes.length), bytes]);
}

/** A varint field. */
export function varintField(field: number, value: number): Buffer {
  return Buffer.concat([tag(field, 0), varint(value)]);
}
