import type { PackageDefinition } from '@grpc/proto-loader';
import { z } from 'zod';

/**
 * What the strict wire check (`checkWire`) needs to know about one message type, compiled once
 * at start from the descriptors that proto-loader already built from the .proto file, so the
 * .proto stays the one source of truth for field numbers and types.
 */
export interface MessageSchema {
  /** Fully qualified name, e.g. `gatehouse.v1.CreateAccessRequestRequest`. */
  readonly name: string;
  /** Known fields by number; a number missing here is an unknown field (skipped if well-formed). */
  readonly fields: ReadonlyMap<number, FieldRule>;
  /** The same rules indexed by number, up to the highest below 256: the check's fast lookup. */
  readonly byNumber: readonly (FieldRule | undefined)[];
  /**
   * A field that must be present, 0 for none. Set on map entries whose value is a message:
   * protobufjs decodes a missing value as null and then fails converting it to an object.
   */
  readonly requiredField: number;
}

/** How a value is laid out on the wire, after the tag. */
export type WireKind = 'varint32' | 'varint64' | 'fixed32' | 'fixed64' | 'string' | 'bytes' | 'message';

export interface FieldRule {
  /** The field's name as written in the .proto (snake_case), for error messages. */
  readonly name: string;
  readonly number: number;
  readonly kind: WireKind;
  /** The wire type of one value of `kind` (0, 1, 2 or 5). */
  readonly wireType: number;
  readonly repeated: boolean;
  /** A repeated scalar number: proto3 sends it packed (wire type 2), but unpacked is legal too. */
  readonly packable: boolean;
  /** Set when `kind` is `message` (map entries are messages too). */
  readonly message: MessageSchema | undefined;
}

// The subset of google.protobuf.DescriptorProto (as proto-loader renders it to JSON) that the
// check depends on; parsed rather than cast, so a change in proto-loader's output fails at start.
const fieldDescriptor = z.object({
  name: z.string().min(1),
  number: z.number().int().min(1).max(2 ** 29 - 1),
  label: z.string(),
  type: z.string(),
  typeName: z.string(),
});
interface MessageDescriptor {
  name: string;
  field: z.infer<typeof fieldDescriptor>[];
  nestedType: MessageDescriptor[];
  options?: { mapEntry?: boolean | undefined } | null | undefined;
}
const messageDescriptor: z.ZodType<MessageDescriptor> = z.lazy(() =>
  z.object({
    name: z.string().min(1),
    field: z.array(fieldDescriptor),
    nestedType: z.array(messageDescriptor),
    options: z.object({ mapEntry: z.boolean().optional() }).nullish(),
  }),
);

const KIND_BY_TYPE: Readonly<Record<string, WireKind>> = {
  TYPE_INT32: 'varint32',
  TYPE_UINT32: 'varint32',
  TYPE_SINT32: 'varint32',
  TYPE_BOOL: 'varint32',
  TYPE_ENUM: 'varint32',
  TYPE_INT64: 'varint64',
  TYPE_UINT64: 'varint64',
  TYPE_SINT64: 'varint64',
  TYPE_FIXED32: 'fixed32',
  TYPE_SFIXED32: 'fixed32',
  TYPE_FLOAT: 'fixed32',
  TYPE_FIXED64: 'fixed64',
  TYPE_SFIXED64: 'fixed64',
  TYPE_DOUBLE: 'fixed64',
  TYPE_STRING: 'string',
  TYPE_BYTES: 'bytes',
  TYPE_MESSAGE: 'message',
};

interface MutableSchema {
  name: string;
  fields: Map<number, FieldRule>;
  byNumber: (FieldRule | undefined)[];
  requiredField: number;
}

const WIRE_TYPE_OF_KIND: Readonly<Record<WireKind, number>> = {
  varint32: 0,
  varint64: 0,
  fixed64: 1,
  string: 2,
  bytes: 2,
  message: 2,
  fixed32: 5,
};

/** Field numbers below this get a slot in `byNumber`. */
const DENSE_LIMIT = 256;

/**
 * Compiles every message type of a proto-loader package definition (nested types and map
 * entries included) into wire schemas, keyed by fully qualified name.
 *
 * @throws Error when a descriptor has an unexpected shape, a field type the check does not
 *   support (groups), or a type name that resolves to no message: a programming error, found
 *   at server start.
 */
export function compileWireSchemas(pkg: PackageDefinition): ReadonlyMap<string, MessageSchema> {
  const descriptors = new Map<string, MessageDescriptor>();
  const collect = (fullName: string, d: MessageDescriptor): void => {
    descriptors.set(fullName, d);
    for (const nested of d.nestedType) collect(`${fullName}.${nested.name}`, nested);
  };
  for (const [fullName, def] of Object.entries(pkg)) {
    if (!('format' in def) || def.format !== 'Protocol Buffer 3 DescriptorProto') continue;
    const parsed = messageDescriptor.safeParse(def.type);
    if (!parsed.success) throw new Error(`descriptor of ${fullName} has an unexpected shape: ${parsed.error.message}`);
    collect(fullName, parsed.data);
  }

  // Two passes so that recursive and mutually referencing messages link to the same objects.
  const schemas = new Map<string, MutableSchema>();
  for (const fullName of descriptors.keys()) schemas.set(fullName, { name: fullName, fields: new Map(), byNumber: [], requiredField: 0 });
  for (const [fullName, d] of descriptors) {
    const schema = schemas.get(fullName);
    if (!schema) continue;
    for (const f of d.field) {
      const kind = KIND_BY_TYPE[f.type];
      if (kind === undefined) throw new Error(`${fullName}.${f.name}: field type ${f.type} is not supported`);
      const message = kind === 'message' ? schemas.get(resolveTypeName(descriptors, fullName, f.typeName)) : undefined;
      const repeated = f.label === 'LABEL_REPEATED';
      const rule: FieldRule = {
        name: snakeCase(f.name),
        number: f.number,
        kind,
        wireType: WIRE_TYPE_OF_KIND[kind],
        repeated,
        packable: repeated && kind !== 'string' && kind !== 'bytes' && kind !== 'message',
        message,
      };
      schema.fields.set(f.number, rule);
      if (f.number < DENSE_LIMIT) {
        while (schema.byNumber.length <= f.number) schema.byNumber.push(undefined);
        schema.byNumber[f.number] = rule;
      }
    }
    const value = schema.fields.get(2);
    if (d.options?.mapEntry === true && value?.kind === 'message') schema.requiredField = 2;
  }
  return schemas;
}

/**
 * Resolves a (possibly relative) type name the way protoc scopes it: innermost scope first,
 * then each enclosing one. proto-loader writes names relative to the referring message.
 */
function resolveTypeName(known: ReadonlyMap<string, unknown>, scope: string, typeName: string): string {
  if (typeName.startsWith('.')) {
    const absolute = typeName.slice(1);
    if (known.has(absolute)) return absolute;
  } else {
    for (let s = scope; ; s = s.slice(0, Math.max(0, s.lastIndexOf('.')))) {
      const candidate = s === '' ? typeName : `${s}.${typeName}`;
      if (known.has(candidate)) return candidate;
      if (s === '') break;
    }
  }
  throw new Error(`${scope}: message type ${typeName} not found`);
}

// proto-loader's method definitions carry the request's descriptor; grpc-js's types drop it.
const withRequestType = z.object({ path: z.string(), requestType: z.object({ type: z.object({ name: z.string() }) }) });

/**
 * The schema of a method's request message. `method` is one entry of a service definition made
 * by proto-loader (grpc-js passes those through, typed without the descriptor).
 *
 * @throws Error when the method carries no descriptor or its type has no schema.
 */
export function requestSchemaOf(name: string, method: unknown, schemas: ReadonlyMap<string, MessageSchema>): MessageSchema {
  const parsed = withRequestType.safeParse(method);
  if (!parsed.success) throw new Error(`method ${name}: no request descriptor (was the service loaded with proto-loader?)`);
  // The descriptor holds the short name; the message lives in the service's package
  // (path "/gatehouse.v1.AccessService/Ping" -> "gatehouse.v1").
  const service = parsed.data.path.slice(1, parsed.data.path.lastIndexOf('/'));
  const fullName = `${service.slice(0, service.lastIndexOf('.'))}.${parsed.data.requestType.type.name}`;
  const schema = schemas.get(fullName);
  if (schema === undefined) throw new Error(`method ${name}: no wire schema for request type ${fullName}`);
  return schema;
}

/** proto-loader camelCases field names (keepCase: false); errors use the .proto spelling. */
function snakeCase(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}
