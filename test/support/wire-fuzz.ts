import type { FieldRule, MessageSchema } from '../../core/api/wire-schema.ts';
import { lengthDelimited, tag, varint } from './proto-bytes.ts';
import type { Random } from './seeded-random.ts';

/**
 * Random protobuf messages for fuzz tests, driven by the same wire schemas as the server's
 * strict check: well-formed ones built field by field, and mutations of them that break the
 * encoding in the ways a hostile or buggy client would.
 */

/** Ill-formed UTF-8: lone bytes, overlong forms, surrogates, above U+10FFFF, cut sequences. */
export const BAD_UTF8: readonly Buffer[] = [
  [0xff],
  [0xfe],
  [0x80],
  [0xc0, 0xaf],
  [0xe0, 0x80, 0xaf],
  [0xed, 0xa0, 0x80],
  [0xf4, 0x90, 0x80, 0x80],
  [0xe2, 0x82],
  [0xf0, 0x9f, 0x98],
].map((b) => Buffer.from(b));

/** Sequences invalid whatever bytes surround them (no continuation byte first, none cut short). */
const BAD_ANYWHERE: readonly Buffer[] = [[0xff], [0xfe], [0xc1, 0xbf], [0xe0, 0x9f, 0xbf], [0xed, 0xbf, 0xbf], [0xf4, 0x90, 0x80, 0x80]].map((b) => Buffer.from(b));

export interface FuzzOptions {
  /** Strings to draw from besides random text: names, ids, YAML, PEM that reach deeper code. */
  dictionary: readonly string[];
  /** How deep nested messages go. @default 4 */
  maxDepth?: number;
}

const UNICODE_SAMPLES = ['é', '✓', '😀', '\u0000', '\u2028', 'ß', '中'];

function randomText(rng: Random, options: FuzzOptions): string {
  if (rng.chance(0.7)) return rng.pick(options.dictionary);
  let s = '';
  const n = rng.int(24);
  for (let i = 0; i < n; i++) s += rng.chance(0.8) ? String.fromCharCode(0x20 + rng.int(95)) : rng.pick(UNICODE_SAMPLES);
  return s;
}

/** A varint value as protobufjs would write it for the field's kind (10 bytes when negative). */
function randomVarint(rng: Random, rule: FieldRule): Buffer {
  switch (rng.int(4)) {
    case 0:
      return varint(rng.int(8)); // enum values, booleans, small numbers
    case 1:
      return varint(rng.int(2 ** 31));
    case 2:
      // A negative number: ten bytes, the last holding bit 63.
      return Buffer.from([...Array.from({ length: 9 }, () => 0x80 | rng.int(128)), 1]);
    default:
      return varint(rule.kind === 'varint64' ? rng.int(2 ** 52) : rng.int(2 ** 32));
  }
}

function randomValue(rng: Random, rule: FieldRule, options: FuzzOptions, depth: number): Buffer {
  switch (rule.kind) {
    case 'varint32':
    case 'varint64':
      return Buffer.concat([tag(rule.number, 0), randomVarint(rng, rule)]);
    case 'fixed32':
      return Buffer.concat([tag(rule.number, 5), rng.bytes(4)]);
    case 'fixed64':
      return Buffer.concat([tag(rule.number, 1), rng.bytes(8)]);
    case 'string':
      return lengthDelimited(rule.number, randomText(rng, options));
    case 'bytes':
      return lengthDelimited(rule.number, rng.bytes(rng.int(16)));
    case 'message':
      if (rule.message === undefined || depth >= (options.maxDepth ?? 4)) return lengthDelimited(rule.number, Buffer.alloc(0));
      return lengthDelimited(rule.number, randomMessage(rng, rule.message, options, depth + 1));
  }
}

/** A well-formed message: each known field present or not, repeated ones 0-3 times, packed or not, maybe an unknown field. */
export function randomMessage(rng: Random, schema: MessageSchema, options: FuzzOptions, depth = 0): Buffer {
  const parts: Buffer[] = [];
  for (const rule of schema.fields.values()) {
    if (rule.number !== schema.requiredField && rng.chance(0.4)) continue;
    const count = rule.repeated ? 1 + rng.int(3) : 1;
    if (rule.packable && rng.chance(0.5)) {
      const values = Array.from({ length: count }, () => (rule.kind === 'fixed32' ? rng.bytes(4) : rule.kind === 'fixed64' ? rng.bytes(8) : randomVarint(rng, rule)));
      parts.push(lengthDelimited(rule.number, Buffer.concat(values)));
      continue;
    }
    for (let i = 0; i < count; i++) parts.push(randomValue(rng, rule, options, depth));
  }
  if (rng.chance(0.1)) parts.push(lengthDelimited(1000 + rng.int(1000), rng.bytes(rng.int(8))));
  return Buffer.concat(parts);
}

/** One string field somewhere in the message tree (path of rules from the top), if any. */
function pickStringPath(rng: Random, schema: MessageSchema, depth = 0): FieldRule[] | undefined {
  const rules = [...schema.fields.values()].filter((r) => r.kind === 'string' || (r.kind === 'message' && depth < 3));
  if (rules.length === 0) return undefined;
  const rule = rng.pick(rules);
  if (rule.kind === 'string') return [rule];
  const inner = rule.message ? pickStringPath(rng, rule.message, depth + 1) : undefined;
  return inner ? [rule, ...inner] : undefined;
}

/** Wraps `leaf` in the length-delimited fields of `path` (outermost first). */
function nest(path: readonly FieldRule[], leaf: Buffer): Buffer {
  return path.reduceRight((inner, rule) => lengthDelimited(rule.number, inner), leaf);
}

/**
 * Where the bytes of each string field lie in a well-formed message, nested ones included:
 * [start, end) pairs. Reads the wire like the strict check, trusting it is well-formed.
 */
export function stringRanges(bytes: Buffer, schema: MessageSchema, start = 0, end = bytes.length, out: Array<[number, number]> = []): Array<[number, number]> {
  let pos = start;
  const readVarint = (): number => {
    let value = 0;
    for (let shift = 1; ; shift *= 128) {
      const b = bytes[pos++]!;
      value += (b & 0x7f) * shift;
      if (b < 0x80) return value;
    }
  };
  while (pos < end) {
    const key = readVarint();
    const rule = schema.fields.get(Math.floor(key / 8));
    switch (key % 8) {
      case 0:
        readVarint();
        break;
      case 1:
        pos += 8;
        break;
      case 5:
        pos += 4;
        break;
      case 2: {
        const length = readVarint();
        if (rule?.kind === 'string') out.push([pos, pos + length]);
        if (rule?.kind === 'message' && rule.message) stringRanges(bytes, rule.message, pos, pos + length, out);
        pos += length;
        break;
      }
      default:
        throw new Error(`stringRanges: not a well-formed message (wire type ${key % 8})`);
    }
  }
  return out;
}

/** The kinds of damage `mutate` does. */
export const MUTATIONS = [
  'truncate',
  'flip-bits',
  'random-byte',
  'insert-byte',
  'delete-byte',
  'bad-wire-type',
  'field-zero',
  'invalid-utf8',
  'huge-length',
  'overlong-varint',
  'random-bytes',
  'duplicate',
  'unknown-field',
] as const;
export type Mutation = (typeof MUTATIONS)[number];

/** Mutations whose result is malformed whatever the message: the strict check must refuse them. */
export const ALWAYS_MALFORMED: ReadonlySet<Mutation> = new Set(['bad-wire-type', 'field-zero', 'invalid-utf8', 'huge-length', 'overlong-varint']);

/**
 * Damages (or, for `duplicate` and `unknown-field`, legally extends) a well-formed message.
 * Returns new bytes; `valid` is never modified.
 */
export function mutate(rng: Random, valid: Buffer, schema: MessageSchema, mutation: Mutation): Buffer {
  const copy = (): Buffer => Buffer.from(valid);
  const at = (n: number): number => rng.int(n + 1);
  switch (mutation) {
    case 'truncate':
      return valid.subarray(0, valid.length === 0 ? 0 : rng.int(valid.length));
    case 'flip-bits': {
      const out = copy();
      for (let i = 0, n = 1 + rng.int(3); i < n && out.length > 0; i++) {
        const k = rng.int(out.length);
        out[k] = out[k]! ^ (1 << rng.int(8));
      }
      return out;
    }
    case 'random-byte': {
      const out = copy();
      if (out.length > 0) out[rng.int(out.length)] = rng.int(256);
      return out;
    }
    case 'insert-byte': {
      const k = at(valid.length);
      return Buffer.concat([valid.subarray(0, k), Buffer.from([rng.int(256)]), valid.subarray(k)]);
    }
    case 'delete-byte': {
      if (valid.length === 0) return valid;
      const k = rng.int(valid.length);
      return Buffer.concat([valid.subarray(0, k), valid.subarray(k + 1)]);
    }
    case 'bad-wire-type': {
      const numbers = [...schema.fields.keys(), 77];
      const bad = Buffer.concat([tag(rng.pick(numbers), rng.pick([3, 4, 6, 7])), varint(rng.int(300)), rng.bytes(rng.int(4))]);
      return rng.chance(0.5) ? Buffer.concat([bad, valid]) : Buffer.concat([valid, bad]);
    }
    case 'field-zero': {
      const zero = Buffer.concat([tag(0, rng.pick([0, 1, 2, 5])), varint(rng.int(8)), rng.bytes(8)]);
      return rng.chance(0.5) ? Buffer.concat([zero, valid]) : Buffer.concat([valid, zero]);
    }
    case 'invalid-utf8': {
      // Mostly in place, as a client sending Latin-1 would: every length stays right, so only
      // the strict UTF-8 check can tell.
      const ranges = stringRanges(valid, schema).filter(([start, end]) => end > start);
      if (ranges.length > 0 && rng.chance(0.7)) {
        const [start, end] = rng.pick(ranges);
        const out = copy();
        const bad = rng.pick(BAD_ANYWHERE.filter((b) => b.length <= end - start));
        bad.copy(out, start + rng.int(end - start - bad.length + 1));
        return out;
      }
      const path = pickStringPath(rng, schema);
      if (!path) return Buffer.concat([valid, tag(0, 0)]);
      const text = Buffer.concat([Buffer.from(randomText(rng, { dictionary: ['x'] })), rng.pick(BAD_UTF8), Buffer.from('y')]);
      const leaf = path[path.length - 1]!;
      return Buffer.concat([valid, nest(path.slice(0, -1), lengthDelimited(leaf.number, text))]);
    }
    case 'huge-length': {
      const numbers = [...schema.fields.keys(), 77];
      const length = rng.pick([2 ** 30, 2 ** 31 - 1, 2 ** 32 - 1, 64, 6]); // all past the 5 bytes that follow
      return Buffer.concat([valid, tag(rng.pick(numbers), 2), varint(length), Buffer.from('alice')]);
    }
    case 'overlong-varint': {
      const numbers = [...schema.fields.keys(), 77];
      // Eleven bytes or more: too long for any varint.
      return Buffer.concat([valid, tag(rng.pick(numbers), 0), Buffer.alloc(10 + rng.int(6), 0x80), Buffer.from([0x01])]);
    }
    case 'random-bytes':
      return rng.bytes(rng.int(96));
    case 'duplicate':
      return Buffer.concat([valid, valid]);
    case 'unknown-field':
      return Buffer.concat([valid, lengthDelimited(2000 + rng.int(1000), rng.bytes(rng.int(16)))]);
  }
}
