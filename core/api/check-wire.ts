import { isUtf8 } from 'node:buffer';
import type { FieldRule, MessageSchema, WireKind } from './wire-schema.ts';

/**
 * Strict protobuf wire-format check, run on every request before protobufjs decodes it.
 *
 * protobufjs is lenient where a conforming parser is not: it trims a length prefix that runs
 * past the end, reads a field by its declared type whatever wire type the tag says, accepts
 * field number 0, and turns invalid UTF-8 into U+FFFD. This walks the bytes once without
 * decoding them (it allocates one cursor per call, a view per string of 64 bytes or more for the
 * native UTF-8 check, and the description of a fault), and accepts only what protobufjs will
 * read exactly as written:
 * - every tag, varint, fixed value and length-delimited field lies within its enclosing bytes;
 * - wire types are 0, 1, 2 or 5 (groups, 3 and 4, do not exist in proto3 and are refused);
 * - field numbers are 1..2^29-1 (a tag is at most 5 bytes);
 * - a known field has the wire type of its declared type (or 2 for a packed repeated number),
 *   and `string` fields, in nested messages and map entries too, are valid UTF-8;
 * - a map entry whose value is a message carries that value (protobufjs fails on it otherwise;
 *   every encoder writes it);
 * - 32-bit varints are 1-5 bytes or the 10 bytes of a negative int32, since protobufjs reads
 *   those and no other lengths correctly; lengths are at most 5 bytes.
 * Unknown fields that are well-formed are accepted (proto3 forward compatibility).
 *
 * @returns undefined when the bytes are acceptable, else a reason naming the field when it is
 *   known, e.g. `field reason (3): invalid UTF-8` or `field user.traits.key (1): ...`.
 */
export function checkWire(bytes: Uint8Array, schema: MessageSchema): string | undefined {
  const cursor: Cursor = { buf: bytes, pos: 0 };
  const fault = checkMessage(cursor, bytes.length, schema, 0);
  if (fault === undefined) return undefined;
  return fault.path === '' ? fault.detail : `field ${fault.path}: ${fault.detail}`;
}

/** Nesting deeper than this is refused (protoc's default recursion limit). */
export const MAX_WIRE_DEPTH = 100;

interface Cursor {
  readonly buf: Uint8Array;
  pos: number;
}

interface Fault {
  /** `name (number)` of the field at fault, dotted through nested messages; "" when unknown. */
  path: string;
  detail: string;
}

const WIRE_VARINT = 0;
const WIRE_FIXED64 = 1;
const WIRE_LEN = 2;
const WIRE_FIXED32 = 5;

// Results of the varint readers below that are not values (values are never negative).
const TRUNCATED = -1;
const TOO_LONG = -2;

const WIRE_NAMES = ['0 (varint)', '1 (64-bit)', '2 (length-delimited)', '3 (group start)', '4 (group end)', '5 (32-bit)', '6', '7'];

function checkMessage(c: Cursor, end: number, schema: MessageSchema, depth: number): Fault | undefined {
  const required = schema.requiredField;
  let seenRequired = required === 0;
  while (c.pos < end) {
    const at = c.pos;
    const tag = readTagOrLength(c, end);
    if (tag < 0) return { path: '', detail: tag === TRUNCATED ? `truncated tag at byte ${at}` : `tag at byte ${at} is longer than 32 bits` };
    const number = tag >>> 3;
    const wireType = tag & 7;
    if (number === 0) return { path: '', detail: `field number 0 at byte ${at}` };
    const rule = number < schema.byNumber.length ? schema.byNumber[number] : schema.fields.get(number);
    if (number === required) seenRequired = true;
    const fault = rule === undefined ? skipUnknown(c, end, wireType, number, at) : checkKnown(c, end, rule, wireType, depth, at);
    if (fault !== undefined) return fault;
  }
  if (!seenRequired) {
    const rule = schema.fields.get(required);
    return { path: rule ? `${rule.name} (${rule.number})` : '', detail: 'missing (a map entry needs its value)' };
  }
  return undefined;
}

function checkKnown(c: Cursor, end: number, rule: FieldRule, wireType: number, depth: number, at: number): Fault | undefined {
  const expected = rule.wireType;
  if (wireType !== expected) {
    if (wireType === WIRE_LEN && rule.packable) return checkPacked(c, end, rule);
    return fieldFault(rule, `wire type ${WIRE_NAMES[wireType]} at byte ${at}, expected ${WIRE_NAMES[expected]}`);
  }
  switch (rule.kind) {
    case 'varint32':
    case 'varint64': {
      const result = skipVarint(c, end, rule.kind);
      return result < 0 ? fieldFault(rule, varintProblem(result, rule.kind)) : undefined;
    }
    case 'fixed32':
    case 'fixed64': {
      const size = rule.kind === 'fixed32' ? 4 : 8;
      if (end - c.pos < size) return fieldFault(rule, `truncated: ${size}-byte value but ${end - c.pos} bytes left`);
      c.pos += size;
      return undefined;
    }
    case 'string':
    case 'bytes':
    case 'message': {
      const stop = readLengthDelimited(c, end);
      if (typeof stop !== 'number') return fieldFault(rule, stop);
      const start = c.pos;
      if (rule.kind === 'string' && !isValidUtf8(c.buf, start, stop)) return fieldFault(rule, 'invalid UTF-8');
      if (rule.kind === 'message' && rule.message !== undefined) {
        if (depth >= MAX_WIRE_DEPTH) return fieldFault(rule, `messages nested deeper than ${MAX_WIRE_DEPTH}`);
        const inner = checkMessage(c, stop, rule.message, depth + 1);
        if (inner !== undefined) {
          return inner.path === '' ? fieldFault(rule, inner.detail) : { path: `${rule.name}.${inner.path}`, detail: inner.detail };
        }
      }
      c.pos = stop;
      return undefined;
    }
  }
}

/** A packed repeated number: a length, then only whole values up to exactly that length. */
function checkPacked(c: Cursor, end: number, rule: FieldRule): Fault | undefined {
  const stop = readLengthDelimited(c, end);
  if (typeof stop !== 'number') return fieldFault(rule, stop);
  const kind = rule.kind;
  if (kind === 'fixed32' || kind === 'fixed64') {
    const size = kind === 'fixed32' ? 4 : 8;
    if ((stop - c.pos) % size !== 0) return fieldFault(rule, `packed length ${stop - c.pos} is not a multiple of ${size}`);
    c.pos = stop;
    return undefined;
  }
  while (c.pos < stop) {
    const result = skipVarint(c, stop, kind);
    if (result < 0) return fieldFault(rule, `packed values: ${varintProblem(result, kind)}`);
  }
  return undefined;
}

function skipUnknown(c: Cursor, end: number, wireType: number, number: number, at: number): Fault | undefined {
  const where = `field ${number} at byte ${at}`;
  switch (wireType) {
    case WIRE_VARINT: {
      const result = skipVarint(c, end, 'varint64');
      return result < 0 ? { path: '', detail: `${where}: ${varintProblem(result, 'varint64')}` } : undefined;
    }
    case WIRE_FIXED64:
    case WIRE_FIXED32: {
      const size = wireType === WIRE_FIXED64 ? 8 : 4;
      if (end - c.pos < size) return { path: '', detail: `${where}: truncated: ${size}-byte value but ${end - c.pos} bytes left` };
      c.pos += size;
      return undefined;
    }
    case WIRE_LEN: {
      const stop = readLengthDelimited(c, end);
      if (typeof stop !== 'number') return { path: '', detail: `${where}: ${stop}` };
      c.pos = stop;
      return undefined;
    }
    case 3:
    case 4:
      return { path: '', detail: `${where}: groups (wire type ${wireType}) are not supported` };
    default:
      return { path: '', detail: `${where}: invalid wire type ${wireType}` };
  }
}

function fieldFault(rule: FieldRule, detail: string): Fault {
  return { path: `${rule.name} (${rule.number})`, detail };
}

/** Reads a length prefix; returns where the field's bytes end, or what is wrong. */
function readLengthDelimited(c: Cursor, end: number): number | string {
  const length = readTagOrLength(c, end);
  if (length === TRUNCATED) return 'truncated length';
  if (length === TOO_LONG) return 'length longer than 32 bits';
  if (length > end - c.pos) return `truncated: length ${length} but ${end - c.pos} bytes left`;
  return c.pos + length;
}

/**
 * A varint of at most 5 bytes holding at most 32 bits (tags and lengths, which protobufjs
 * reads with `uint32()`). Returns the value, TRUNCATED or TOO_LONG.
 */
function readTagOrLength(c: Cursor, end: number): number {
  const buf = c.buf;
  // Fast path: most tags and lengths fit in one byte.
  if (c.pos < end && buf[c.pos]! < 0x80) return buf[c.pos++]!;
  let value = 0;
  for (let i = 0; i < 5; i++) {
    if (c.pos >= end) return TRUNCATED;
    const b = buf[c.pos++]!;
    if (i === 4) {
      // The fifth byte holds bits 28-31 only, and must be the last.
      if (b > 0x0f) return TOO_LONG;
      return value + b * 0x10000000;
    }
    value |= (b & 0x7f) << (7 * i);
    if (b < 0x80) return value;
  }
  return TOO_LONG;
}

/**
 * Skips one varint value. 64-bit kinds take 1-10 bytes; `varint32` (int32, uint32, bool, enum)
 * 1-5 bytes or exactly 10 (a negative int32), the only lengths protobufjs's `uint32()` reads as
 * written. The tenth byte may only hold bit 63. Returns 0, TRUNCATED or TOO_LONG.
 */
function skipVarint(c: Cursor, end: number, kind: WireKind): number {
  const buf = c.buf;
  const start = c.pos;
  for (let i = 0; i < 10; i++) {
    if (c.pos >= end) return TRUNCATED;
    const b = buf[c.pos++]!;
    if (b < 0x80) {
      if (i === 9 && b > 1) return TOO_LONG;
      const size = c.pos - start;
      if (kind === 'varint32' && size > 5 && size < 10) return TOO_LONG;
      return 0;
    }
  }
  return TOO_LONG;
}

function varintProblem(result: number, kind: WireKind): string {
  if (result === TRUNCATED) return 'truncated varint';
  return kind === 'varint32' ? 'varint is not 1-5 or 10 bytes long' : 'varint longer than 64 bits';
}

/** Below this many bytes a plain loop beats the call into native code. */
const NATIVE_UTF8_MIN = 64;

/**
 * Whether bytes [start, end) are well-formed UTF-8 (Unicode table 3-7): no overlong forms,
 * no surrogates, nothing above U+10FFFF, no truncated sequence.
 */
export function isValidUtf8(buf: Uint8Array, start: number, end: number): boolean {
  if (end - start >= NATIVE_UTF8_MIN) return isUtf8(buf.subarray(start, end));
  let i = start;
  while (i < end) {
    const b = buf[i]!;
    if (b < 0x80) {
      i++;
      continue;
    }
    if (b < 0xc2 || b > 0xf4) return false;
    const need = b < 0xe0 ? 1 : b < 0xf0 ? 2 : 3;
    if (end - i <= need) return false;
    const b1 = buf[i + 1]!;
    if ((b1 & 0xc0) !== 0x80) return false;
    if (need >= 2) {
      if ((buf[i + 2]! & 0xc0) !== 0x80) return false;
      if (b === 0xe0 && b1 < 0xa0) return false; // overlong
      if (b === 0xed && b1 > 0x9f) return false; // UTF-16 surrogate
      if (b === 0xf0 && b1 < 0x90) return false; // overlong
      if (b === 0xf4 && b1 > 0x8f) return false; // above U+10FFFF
      if (need === 3 && (buf[i + 3]! & 0xc0) !== 0x80) return false;
    }
    i += need + 1;
  }
  return true;
}
