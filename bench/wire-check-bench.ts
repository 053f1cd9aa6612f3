/**
 * The cost of the strict wire check (`checkWire`) that runs before every request is decoded,
 * next to the cost of the decode itself (protobufjs decode + toObject, as grpc-js calls it):
 * CPU time and heap bytes allocated per call.
 *   node bench/wire-check-bench.ts
 */
import { getHeapStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { checkWire } from '../core/api/check-wire.ts';
import { compileWireSchemas, requestSchemaOf } from '../core/api/wire-schema.ts';
import { loadGatehousePackageDefinition } from '../proto/load-proto.ts';

interface Sample {
  label: string;
  method: string;
  request: object;
}

function samples(): Sample[] {
  const traits: Record<string, { values: string[] }> = {};
  for (let i = 0; i < 64; i++) traits[`trait-${i}`] = { values: Array.from({ length: 64 }, (_, j) => `valeur-${i}-${j}-é✓`) };
  const yaml = Array.from({ length: 4000 }, (_, i) => `kind: role\nversion: v4\nmetadata: {name: role-${i}}\nspec: {allow: {logins: [ec2-user], node_labels: {env: staging}}}\n`).join('---\n');
  return [
    {
      label: 'CreateAccessRequest, typical',
      method: 'CreateAccessRequest',
      request: { user: 'alice', roles: ['prodaccess'], reason: 'INC-4211: restart the stuck payment workers', suggestedReviewers: ['bob'], maxDurationMs: 3_600_000 },
    },
    { label: 'UpsertUser, 64 traits x 64 values', method: 'UpsertUser', request: { user: { name: 'alice', roles: ['sres'], traits } } },
    { label: `ApplyRoles, ${Math.round(Buffer.byteLength(yaml) / 1024)} KB of YAML`, method: 'ApplyRoles', request: { yaml, source: 'roles.yaml' } },
  ];
}

/**
 * CPU time of one call in ns: the median of 5 rounds of about 200 ms each. CPU time rather than
 * wall time, because the machines this runs on are shared; long rounds, because the CPU clock
 * is coarse.
 */
function time(fn: () => unknown): number {
  let n = 1;
  for (let start = performance.now(); performance.now() - start < 200; n *= 2) for (let i = 0; i < n; i++) fn();
  const results: number[] = [];
  for (let r = 0; r < 5; r++) {
    const start = process.cpuUsage().user;
    for (let i = 0; i < n; i++) fn();
    results.push(((process.cpuUsage().user - start) * 1000) / n);
  }
  return results.sort((a, b) => a - b)[2] ?? 0;
}

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** Heap bytes allocated per call (few enough calls that no collection runs in between). */
function allocated(fn: () => unknown, n: number): number {
  gc();
  const before = getHeapStatistics().used_heap_size;
  for (let i = 0; i < n; i++) fn();
  return Math.max(0, (getHeapStatistics().used_heap_size - before) / n);
}

/** Runs the benchmark; returns the figures by sample. */
export function runWireCheckBench(): Record<string, string | number> {
  const pkg = loadGatehousePackageDefinition();
  const schemas = compileWireSchemas(pkg);
  const service = pkg['gatehouse.v1.AccessService'];
  if (!service || 'format' in service) throw new Error('no AccessService in the package definition');
  const out: Record<string, string | number> = {};
  for (const s of samples()) {
    const method = service[s.method];
    if (!method) throw new Error(`no method ${s.method}`);
    const bytes = method.requestSerialize(s.request);
    const schema = requestSchemaOf(s.method, method, schemas);
    if (checkWire(bytes, schema) !== undefined) throw new Error(`${s.label}: refused`);
    const check = time(() => checkWire(bytes, schema));
    const decode = time(() => method.requestDeserialize(bytes));
    const checkBytes = allocated(() => checkWire(bytes, schema), 200);
    const decodeBytes = allocated(() => method.requestDeserialize(bytes), 5);
    console.log(
      `${s.label} (${bytes.length} bytes): check ${fmt(check)} and ${Math.round(checkBytes)} heap bytes, ` +
        `decode ${fmt(decode)} and ${Math.round(decodeBytes)} heap bytes (check = ${((check / decode) * 100).toFixed(1)}% of decode)`,
    );
    out[`${s.label} check ns`] = Math.round(check);
    out[`${s.label} decode ns`] = Math.round(decode);
    out[`${s.label} check heap bytes`] = Math.round(checkBytes);
  }
  return out;
}

function fmt(ns: number): string {
  return ns >= 1e6 ? `${(ns / 1e6).toFixed(2)} ms` : ns >= 1e3 ? `${(ns / 1e3).toFixed(1)} µs` : `${Math.round(ns)} ns`;
}

if (import.meta.url === `file://${process.argv[1]}`) runWireCheckBench();
