import { describe, expect, it } from 'vitest';
import { checkWire, MAX_WIRE_DEPTH } from '../../../core/api/check-wire.ts';
import { compileWireSchemas, requestSchemaOf, type FieldRule, type MessageSchema } from '../../../core/api/wire-schema.ts';
import { loadGatehousePackageDefinition } from '../../../proto/load-proto.ts';
import { lengthDelimited, tag, varint, varintField } from '../../support/proto-bytes.ts';
import { createRandom, fuzzSeed } from '../../support/seeded-random.ts';
import { ALWAYS_MALFORMED, MUTATIONS, mutate, randomMessage } from '../../support/wire-fuzz.ts';

const pkg = loadGatehousePackageDefinition();
const schemas = compileWireSchemas(pkg);

function schema(name: string): MessageSchema {
  const s = schemas.get(`gatehouse.v1.${name}`);
  if (!s) throw new Error(`no schema ${name}`);
  return s;
}

/** protobufjs's decoder for a message type, as the server uses it after the check. */
function decoderOf(fullName: string): (bytes: Buffer) => unknown {
  const def = pkg[fullName];
  if (!def || !('format' in def) || def.format !== 'Protocol Buffer 3 DescriptorProto') throw new Error(`no decoder for ${fullName}`);
  return def.deserialize;
}

function stringsIn(value: unknown, out: string[] = []): string[] {
  if (typeof value === 'string') out.push(value);
  else if (Array.isArray(value)) for (const v of value) stringsIn(v, out);
  else if (typeof value === 'object' && value !== null) for (const [k, v] of Object.entries(value)) stringsIn(v, out.concat(k));
  return out;
}

describe('compileWireSchemas', () => {
  it('compiles every message, with .proto field names, and finds the request type of every method', () => {
    expect(schema('CreateAccessRequestRequest').fields.get(3)).toMatchObject({ name: 'reason', kind: 'string', repeated: false });
    expect(schema('ListAccessRequestsRequest').fields.get(6)).toMatchObject({ name: 'created_since_ms', kind: 'varint64' });
    expect(schema('ListAccessRequestsRequest').fields.get(1)).toMatchObject({ name: 'states', kind: 'varint32', packable: true });
    const traits = schema('User').fields.get(3);
    expect(traits?.message?.name).toBe('gatehouse.v1.User.Traits');
    expect(traits?.message?.fields.get(2)?.message).toBe(schema('StringList'));
    let methods = 0;
    for (const service of ['gatehouse.v1.AccessService', 'gatehouse.v1.EnrollService']) {
      for (const [name, method] of Object.entries(pkg[service] ?? {})) {
        expect(requestSchemaOf(name, method, schemas).name).toMatch(/^gatehouse\.v1\./);
        methods++;
      }
    }
    expect(methods).toBeGreaterThanOrEqual(22);
  });
});

describe('checkWire', () => {
  const create = schema('CreateAccessRequestRequest');
  const list = schema('ListAccessRequestsRequest');

  it('accepts the edge cases a conforming encoder produces', () => {
    const cases: Array<[string, MessageSchema, Buffer]> = [
      ['empty message', create, Buffer.alloc(0)],
      ['negative int32 as 10 bytes', list, Buffer.concat([tag(4, 0), Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01])])],
      ['5-byte uint32', list, Buffer.concat([tag(4, 0), Buffer.from([0xff, 0xff, 0xff, 0xff, 0x0f])])],
      ['largest int64', create, Buffer.concat([tag(5, 0), Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01])])],
      ['packed enums', list, lengthDelimited(1, Buffer.from([1, 2, 3]))],
      ['empty packed', list, lengthDelimited(1, Buffer.alloc(0))],
      ['largest field number', create, Buffer.concat([tag(2 ** 29 - 1, 0), varint(1)])],
      ['length to the last byte', create, lengthDelimited(3, 'hello')],
      ['a field twice', create, Buffer.concat([lengthDelimited(1, 'a'), lengthDelimited(1, 'b')])],
    ];
    for (const [label, s, bytes] of cases) expect(checkWire(bytes, s), label).toBeUndefined();
  });

  it('refuses what protobufjs would misread, naming the field', () => {
    const cases: Array<[string, MessageSchema, Buffer, string]> = [
      ['truncated tag', create, Buffer.from([0x80]), 'truncated tag at byte 0'],
      ['tag over 32 bits', create, Buffer.from([0x80, 0x80, 0x80, 0x80, 0x10]), 'tag at byte 0 is longer than 32 bits'],
      ['6-byte int32', list, Buffer.concat([tag(4, 0), Buffer.from([0x80, 0x80, 0x80, 0x80, 0x80, 0x00])]), 'field page_size (4): varint is not 1-5 or 10 bytes long'],
      ['11-byte varint', create, Buffer.concat([tag(5, 0), Buffer.alloc(10, 0x80), Buffer.from([0])]), 'field max_duration_ms (5): varint longer than 64 bits'],
      ['tenth byte over bit 63', create, Buffer.concat([tag(5, 0), Buffer.alloc(9, 0xff), Buffer.from([0x02])]), 'field max_duration_ms (5): varint longer than 64 bits'],
      ['truncated varint', create, Buffer.concat([tag(5, 0), Buffer.from([0xff])]), 'field max_duration_ms (5): truncated varint'],
      ['truncated fixed64', create, Buffer.concat([tag(99, 1), Buffer.alloc(7)]), 'field 99 at byte 0: truncated: 8-byte value but 7 bytes left'],
      ['truncated length', create, Buffer.concat([tag(3, 2), Buffer.from([0x80])]), 'field reason (3): truncated length'],
      ['packed varint past its end', list, Buffer.concat([tag(1, 2), varint(1), Buffer.from([0x81, 0x01])]), 'field states (1): packed values: truncated varint'],
      ['string as varint', create, varintField(3, 1), 'field reason (3): wire type 0 (varint) at byte 0, expected 2 (length-delimited)'],
      ['group end', create, tag(9, 4), 'field 9 at byte 0: groups (wire type 4) are not supported'],
    ];
    for (const [label, s, bytes, reason] of cases) expect(checkWire(bytes, s), label).toBe(reason);
  });

  it('refuses nesting deeper than the limit', () => {
    const fields = new Map<number, FieldRule>();
    const byNumber: FieldRule[] = [];
    const recursive: MessageSchema = { name: 'Recursive', fields, byNumber, requiredField: 0 };
    const child: FieldRule = { name: 'child', number: 1, kind: 'message', wireType: 2, repeated: false, packable: false, message: recursive };
    fields.set(1, child);
    byNumber[1] = child;
    const nested = (depth: number): Buffer => (depth === 0 ? Buffer.alloc(0) : lengthDelimited(1, nested(depth - 1)));
    expect(checkWire(nested(MAX_WIRE_DEPTH), recursive)).toBeUndefined();
    expect(checkWire(nested(MAX_WIRE_DEPTH + 1), recursive)).toMatch(/^field (child\.){100}child \(1\): messages nested deeper than 100$/);
  });

  it('accepts only what protobufjs decodes as written (differential fuzz over every message type)', () => {
    const seed = fuzzSeed(process.env.GATEHOUSE_FUZZ_SEED);
    console.log(`check-wire fuzz seed ${seed} (set GATEHOUSE_FUZZ_SEED to replay)`);
    const rng = createRandom(seed);
    const options = { dictionary: ['', 'alice', 'prodaccess', 'access_request', 'é✓😀'] };
    const types = [...schemas.keys()].filter((name) => name in pkg);
    let accepted = 0;
    for (let i = 0; i < 20_000; i++) {
      const name = rng.pick(types);
      const s = schemas.get(name)!;
      const valid = randomMessage(rng, s, options);
      expect(checkWire(valid, s), `${name} well-formed, seed ${seed} #${i}`).toBeUndefined();
      const mutation = rng.pick(MUTATIONS);
      const bytes = mutate(rng, valid, s, mutation);
      const fault = checkWire(bytes, s);
      if (ALWAYS_MALFORMED.has(mutation)) expect(fault, `${name} ${mutation}, seed ${seed} #${i}`).toBeDefined();
      if (fault !== undefined) continue;
      accepted++;
      // What the check lets through, protobufjs decodes without error or replacement characters.
      const decoded = decoderOf(name)(bytes);
      expect(stringsIn(decoded).join(''), `${name} ${mutation}, seed ${seed} #${i}`).not.toContain('\uFFFD');
    }
    expect(accepted).toBeGreaterThan(1000);
  });
});
