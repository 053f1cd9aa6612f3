import { status } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileWireSchemas, requestSchemaOf, type MessageSchema } from '../../../core/api/wire-schema.ts';
import { createKeyAndCsr } from '../../../core/auth/csr.ts';
import type { Page } from '../../../core/store/store.ts';
import { loadGatehousePackageDefinition } from '../../../proto/load-proto.ts';
import { openRawChannel, type RawAnswer, type RawChannel } from '../../support/raw-grpc.ts';
import { createRandom, fuzzSeed } from '../../support/seeded-random.ts';
import { SEED_ROLES_YAML, startTestServer, type TestServer } from '../../support/test-server.ts';
import { MUTATIONS, mutate, randomMessage, type Mutation } from '../../support/wire-fuzz.ts';

/** At least 10,000 calls (the bar); GATEHOUSE_FUZZ_SEED replays a run. */
const CALLS = 10_000;
const CONCURRENCY = 16;
/** Every call must answer within this; a hang shows up as DEADLINE_EXCEEDED. */
const CALL_TIMEOUT_MS = 10_000;
/** Codes that would mean the server failed rather than refused. */
const FAILURES: ReadonlySet<status> = new Set([status.INTERNAL, status.UNKNOWN, status.DEADLINE_EXCEEDED, status.UNAVAILABLE, status.DATA_LOSS]);

interface Method {
  service: 'AccessService' | 'EnrollService';
  name: string;
  stream: boolean;
  schema: MessageSchema;
  /** protobufjs's encoder for the request (camelCase fields). */
  encode: (value: object) => Buffer;
}

interface Case {
  index: number;
  method: Method;
  mutation: Mutation | 'well-formed';
  payload: Buffer;
}

function listMethods(): Method[] {
  const pkg = loadGatehousePackageDefinition();
  const schemas = compileWireSchemas(pkg);
  const methods: Method[] = [];
  for (const service of ['AccessService', 'EnrollService'] as const) {
    for (const [name, def] of Object.entries(pkg[`gatehouse.v1.${service}`] ?? {})) {
      if (!('requestSerialize' in def) || typeof def.requestSerialize !== 'function') throw new Error(`${name} is not a method`);
      methods.push({ service, name, stream: def.responseStream, schema: requestSchemaOf(name, def, schemas), encode: def.requestSerialize });
    }
  }
  return methods;
}

const ROLE_YAML = 'kind: role\nversion: v4\nmetadata: {name: fuzzed}\nspec: {allow: {logins: [x]}}\n';

/** A request per method that succeeds as it is, so that its mutations reach the store. */
function templates(requestId: string, csrPem: string): Record<string, object> {
  return {
    CreateAccessRequest: { user: 'alice', roles: ['prodaccess'], reason: 'needs prod', suggestedReviewers: ['bob'] },
    GetAccessRequest: { id: requestId },
    ListAccessRequests: { users: ['alice'], states: ['PENDING'], pageSize: 10 },
    SubmitAccessReview: { requestId, proposedState: 'DENIED', reason: 'not now', author: 'bob' },
    SetAccessRequestState: { requestId, state: 'DENIED', reason: 'not now' },
    DeleteAccessRequest: { id: '018f0000-0000-7000-8000-000000000000' },
    WatchEvents: { kinds: ['access_request', 'user'], states: ['PENDING'], user: 'alice' },
    GetPluginData: { requestId, plugin: 'slack' },
    UpdatePluginData: { requestId, plugin: 'slack', set: { channel: 'C123', ts: '1.2' } },
    UpsertUser: { user: { name: 'carol', roles: ['sres'], traits: { team: { values: ['db', 'ops'] } } } },
    GetUser: { name: 'alice' },
    DeleteUser: { name: 'dave' },
    ApplyRoles: { yaml: ROLE_YAML, source: 'fuzz.yaml' },
    GetRole: { name: 'sres' },
    DeleteRole: { name: 'fuzzed' },
    GenerateUserCerts: { csrPem, user: 'alice', ttlMs: 60_000 },
    SearchAuditEvents: { actor: 'admin', pageSize: 5 },
    RedeemInvite: { token: 'not-a-token', csrPem },
  };
}

async function readAll<T>(read: (pageToken: string) => Promise<Page<T>>): Promise<T[]> {
  const out: T[] = [];
  let token = '';
  do {
    const page = await read(token);
    out.push(...page.items);
    token = page.nextPageToken;
  } while (token !== '');
  return out;
}

/** Every string in a value, keys included. */
function stringsIn(value: unknown, out: string[] = []): string[] {
  if (typeof value === 'string') out.push(value);
  else if (Array.isArray(value)) for (const v of value) stringsIn(v, out);
  else if (typeof value === 'object' && value !== null) {
    for (const [k, v] of Object.entries(value)) {
      out.push(k);
      stringsIn(v, out);
    }
  }
  return out;
}

describe('fuzz: random and mutated messages on every RPC of both services', () => {
  let t: TestServer;
  let channels: Record<Method['service'], RawChannel>;
  let dictionary: string[];
  let seeds: Record<string, Buffer>;

  beforeAll(async () => {
    t = await startTestServer();
    await t.admin.applyRoles(SEED_ROLES_YAML, 'roles.yaml');
    await t.admin.upsertUser({ user: { name: 'alice', roles: ['sres'], traits: { team: { values: ['db'] } } } });
    await t.admin.upsertUser({ user: { name: 'bob', roles: ['access-reviewer'] } });
    const request = await t.admin.createAccessRequest({ user: 'alice', roles: ['prodaccess'], reason: 'fuzz seed request' });
    const { csrPem } = await createKeyAndCsr('alice');
    // Real names, ids and documents, so that some mutated messages get past the field checks
    // and reach the store. No "admin": a fuzzed UpsertUser could take the caller's rights away.
    dictionary = [
      '', 'alice', 'bob', 'carol', 'prodaccess', 'sres', 'access-reviewer', 'access_request', 'role', 'user',
      'slack', 'team', request.id, '018f0000-0000-7000-8000-000000000000', csrPem, 'x'.repeat(300), ROLE_YAML,
    ];
    const byName = new Map(listMethods().map((m) => [m.name, m]));
    seeds = Object.fromEntries(Object.entries(templates(request.id, csrPem)).map(([name, value]) => [name, byName.get(name)!.encode(value)]));
    channels = { AccessService: openRawChannel(t, 'AccessService'), EnrollService: openRawChannel(t, 'EnrollService') };
  });
  afterAll(async () => {
    channels.AccessService.close();
    channels.EnrollService.close();
    await t.close();
  });

  it(`answers ${CALLS} fuzzed calls without INTERNAL or a hang, then serves normally and has stored nothing malformed`, { timeout: 180_000 }, async () => {
    const seed = fuzzSeed(process.env.GATEHOUSE_FUZZ_SEED);
    console.log(`request fuzz seed ${seed} (set GATEHOUSE_FUZZ_SEED to replay)`);
    const rng = createRandom(seed);
    const methods = listMethods();
    expect(methods.filter((m) => m.service === 'EnrollService')).toHaveLength(2);
    expect(methods.some((m) => m.stream)).toBe(true);

    // Generated up front, in order, so a seed replays the same calls whatever order they finish in.
    const cases: Case[] = [];
    for (let index = 0; index < CALLS; index++) {
      const method = rng.pick(methods);
      const template = seeds[method.name];
      const valid = template !== undefined && rng.chance(0.5) ? template : randomMessage(rng, method.schema, { dictionary });
      const mutation = rng.chance(0.2) ? 'well-formed' : rng.pick(MUTATIONS);
      const payload = mutation === 'well-formed' ? valid : mutate(rng, valid, method.schema, mutation);
      cases.push({ index, method, mutation, payload });
    }

    const failures: string[] = [];
    const codes = new Map<string, number>();
    const started = performance.now();
    let next = 0;
    const worker = async (): Promise<void> => {
      for (let c = cases[next++]; c !== undefined; c = cases[next++]) {
        const channel = channels[c.method.service];
        const options = { timeoutMs: CALL_TIMEOUT_MS, firstOnly: true };
        const answer: RawAnswer = c.method.stream ? await channel.serverStream(c.method.name, c.payload, options) : await channel.unary(c.method.name, c.payload, options);
        const code = status[answer.code] ?? String(answer.code);
        codes.set(code, (codes.get(code) ?? 0) + 1);
        if (FAILURES.has(answer.code) || answer.trailerBytes >= 4096) {
          failures.push(`#${c.index} ${c.method.name} ${c.mutation}: ${code} ${answer.details.slice(0, 200)} (${answer.trailerBytes} trailer bytes) payload ${c.payload.toString('hex').slice(0, 200)}`);
        }
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    const seconds = (performance.now() - started) / 1000;
    console.log(`${CALLS} calls in ${seconds.toFixed(1)} s; codes ${JSON.stringify(Object.fromEntries(codes))}`);
    expect(failures.slice(0, 10), `seed ${seed}: ${failures.length} failures`).toEqual([]);
    // The fuzz reached past the decoder: some calls succeeded, some failed the field checks.
    expect(codes.get('OK') ?? 0).toBeGreaterThan(100);

    // The server still answers a normal call on a fresh connection.
    expect((await t.admin.ping()).user).toBe('admin');
    // (The fuzz may have deleted alice or the roles: it is an admin.)
    await t.admin.applyRoles(SEED_ROLES_YAML, 'roles.yaml');
    await t.admin.upsertUser({ user: { name: 'after-fuzz', roles: ['sres'] } });
    const created = await t.admin.createAccessRequest({ user: 'after-fuzz', roles: ['prodaccess'], reason: 'after the fuzz' });
    expect(created).toMatchObject({ roles: ['prodaccess'], reason: 'after the fuzz', state: 'PENDING' });

    // Everything stored is readable and holds no replacement character.
    const store = t.server.store;
    const requests = await readAll((pageToken) => store.listRequests({ pageSize: 1000, pageToken }));
    const audit = await readAll((pageToken) => store.searchAudit({ pageSize: 1000, pageToken }));
    const users = await store.listUsers();
    const roles = await store.listRoles();
    const plugins = await Promise.all(requests.map((r) => store.getPluginData(r.id)));
    expect(requests.length).toBeGreaterThan(0);
    for (const [label, stored] of Object.entries({ requests, audit, users, roles, plugins })) {
      const bad = stringsIn(stored).filter((s) => s.includes('\uFFFD'));
      expect(bad.slice(0, 3), `stored ${label} with U+FFFD`).toEqual([]);
    }
    await expect(t.admin.listAccessRequests({ pageSize: 1000 })).resolves.toBeDefined();
    await expect(t.admin.listUsers()).resolves.toBeDefined();
    await expect(t.admin.listRoles()).resolves.toBeDefined();
  });
});
