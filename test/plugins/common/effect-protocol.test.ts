/**
 * The one effect protocol (plugins/common/request-plugin-data.ts) against a real server's plugin
 * data: two "processes" are two PluginDataStores with their own owner ids, sharing the server.
 */
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { GatehouseClient } from '../../../core/client/gatehouse-client.ts';
import { encodeClaim, parseClaim } from '../../../plugins/common/effect-claim.ts';
import { classifyFailure } from '../../../plugins/common/classify-failure.ts';
import { PermanentError } from '../../../plugins/common/permanent-error.ts';
import { countCodec, dataKey, jsonCodec, PluginDataError, skippable } from '../../../plugins/common/plugin-data-key.ts';
import { PluginDataStore } from '../../../plugins/common/plugin-data-store.ts';
import { CasConflict, EffectBusy } from '../../../plugins/common/request-plugin-data.ts';
import { SEED_ROLES_YAML, startTestServer, type TestServer } from '../../support/test-server.ts';

const POSTED = dataKey('r:ops', skippable(jsonCodec(z.object({ channel: z.string(), ts: z.string() }).strict())));
const NOTES = dataKey('notes', countCodec);
const TAKEOVER_MS = 400;

let server: TestServer;
let plugin: GatehouseClient;
let alice: GatehouseClient;
const lines: Array<Record<string, unknown>> = [];
const log = pino(
  { level: 'debug' },
  new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      done();
    },
  }),
);

beforeAll(async () => {
  server = await startTestServer();
  await server.admin.applyRoles(SEED_ROLES_YAML);
  plugin = await server.userClient('effects-plugin', ['access-plugin']);
  alice = await server.userClient('alice', ['sres']);
});
afterAll(async () => {
  await server?.close();
});

let clock = Date.now();
const now = (): number => clock;
const process = (name: string): PluginDataStore => new PluginDataStore({ client: () => plugin, plugin: 'test', owner: name, takeoverMs: TAKEOVER_MS, log, now });
const never = new AbortController().signal;

async function newRequest(): Promise<string> {
  return (await alice.createAccessRequest({ roles: ['prodaccess'], reason: 'effects' })).id;
}

async function stored(requestId: string): Promise<Record<string, string>> {
  return (await server.admin.getPluginData(requestId, 'test')).entries['test']?.data ?? {};
}

async function seed(requestId: string, key: string, value: string): Promise<void> {
  const current = (await stored(requestId))[key] ?? '';
  await plugin.updatePluginData({ requestId, plugin: 'test', set: { [key]: value }, expect: { [key]: current } });
}

const message = { channel: 'C1', ts: '1.0001' };

describe('the effect protocol', () => {
  it('claims, performs once and records the result', async () => {
    const id = await newRequest();
    const data = await process('p1').read(id, never);
    let calls = 0;
    const result = await data.effect(POSTED, 'post', async () => {
      calls++;
      const during = await stored(id);
      expect(parseClaim(during[POSTED.name])).toMatchObject({ by: 'p1', op: 'post', prev: '' });
      return message;
    }, { findInDoubt: async () => undefined });
    expect(result).toEqual(message);
    expect(calls).toBe(1);
    expect((await stored(id))[POSTED.name]).toBe(JSON.stringify(message));
    const again = await process('p2').read(id, never);
    expect(again.get(POSTED)).toEqual(message);
  });

  it('lets one of two racing processes perform; the other loses the claim and sees the result', async () => {
    const id = await newRequest();
    const [a, b] = await Promise.all([process('a').read(id, never), process('b').read(id, never)]);
    let calls = 0;
    const perform = async () => {
      calls++;
      return message;
    };
    const outcomes = await Promise.allSettled([a.effect(POSTED, 'post', perform, { idempotent: true }), b.effect(POSTED, 'post', perform, { idempotent: true })]);
    expect(calls).toBe(1);
    expect(outcomes.filter((o) => o.status === 'rejected').map((o) => (o as PromiseRejectedResult).reason)).toEqual([expect.any(CasConflict)]);
  });

  it('treats a fresh claim of another process as busy (never as done), and one past the window as in doubt', async () => {
    const id = await newRequest();
    await seed(id, POSTED.name, encodeClaim({ by: 'dead', op: 'post', at: clock, prev: '' }));
    const data = await process('p1').read(id, never);
    expect(data.pending(POSTED)).toBe('post');
    expect(data.get(POSTED)).toBeUndefined();
    let calls = 0;
    const perform = async () => {
      calls++;
      return message;
    };
    const busy = await data.effect(POSTED, 'post', perform, { findInDoubt: async () => undefined }).catch((err: unknown) => err);
    expect(busy).toBeInstanceOf(EffectBusy);
    expect((busy as EffectBusy).retryAt).toBe(clock + TAKEOVER_MS);
    expect(classifyFailure(new AggregateError([busy]))).toMatchObject({ kind: 'busy', retryAt: clock + TAKEOVER_MS });
    expect(calls).toBe(0);

    clock += TAKEOVER_MS;
    const looked: string[] = [];
    const result = await data.effect(POSTED, 'post', perform, {
      findInDoubt: async (doubt) => {
        looked.push(`${doubt.op} by ${doubt.by}`);
        return undefined;
      },
    });
    expect(looked).toEqual(['post by dead']);
    expect(calls).toBe(1);
    expect(result).toEqual(message);
    expect(lines.some((l) => l['msg'] === 'the effect left in doubt was not done; doing it now' && l['requestId'] === id)).toBe(true);
  });

  it('records an effect in doubt that the service has, without performing it again', async () => {
    const id = await newRequest();
    await seed(id, POSTED.name, encodeClaim({ by: 'dead', op: 'post', at: clock - TAKEOVER_MS, prev: '' }));
    const data = await process('p1').read(id, never);
    const result = await data.effect(POSTED, 'post', async () => {
      throw new Error('must not post again');
    }, { findInDoubt: async () => message });
    expect(result).toEqual(message);
    expect((await stored(id))[POSTED.name]).toBe(JSON.stringify(message));
  });

  it('re-runs the handler when the effect found in doubt was another step than the one asked for', async () => {
    const id = await newRequest();
    await seed(id, NOTES.name, encodeClaim({ by: 'dead', op: 'note:0', at: clock - TAKEOVER_MS, prev: '' }));
    const data = await process('p1').read(id, never);
    const err = await data.effect(NOTES, 'note:1', async () => 2, { findInDoubt: async () => 1 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CasConflict);
    expect((await stored(id))[NOTES.name]).toBe('1');
  });

  it('releases the claim when the service refused the call, and keeps it in doubt otherwise', async () => {
    const id = await newRequest();
    const p1 = process('p1');
    const refused = await p1.read(id, never);
    await expect(refused.effect(NOTES, 'note:0', async () => {
      throw new PermanentError('channel_not_found');
    }, { idempotent: true })).rejects.toThrow('channel_not_found');
    expect((await stored(id))[NOTES.name] ?? '').toBe('');

    const timedOut = await p1.read(id, never);
    await expect(timedOut.effect(NOTES, 'note:0', async () => {
      throw new Error('socket hang up');
    }, { idempotent: true })).rejects.toThrow('socket hang up');
    const left = parseClaim((await stored(id))[NOTES.name]);
    expect(left).toMatchObject({ by: 'p1', op: 'note:0' });

    // Our own claim, no longer running here: in doubt at once, not after the window.
    const retry = await p1.read(id, never);
    const found: string[] = [];
    expect(await retry.effect(NOTES, 'note:0', async () => 1, { findInDoubt: async (d) => void found.push(d.op) })).toBe(1);
    expect(found).toEqual(['note:0']);
  });

  it('says an effect still running in this process is busy', async () => {
    const id = await newRequest();
    const p1 = process('p1');
    const first = await p1.read(id, never);
    let release: () => void = () => undefined;
    const running = first.effect(NOTES, 'note:0', () => new Promise<number>((resolve) => (release = () => resolve(1))), { idempotent: true });
    await new Promise((r) => setTimeout(r, 100));
    const second = await p1.read(id, never);
    await expect(second.effect(NOTES, 'note:0', async () => 1, { idempotent: true })).rejects.toBeInstanceOf(EffectBusy);
    release();
    expect(await running).toBe(1);
  });

  it('refuses a stored value that is not a value of its key, naming the key (permanently)', async () => {
    const id = await newRequest();
    await seed(id, NOTES.name, 'three');
    const data = await process('p1').read(id, never);
    expect(() => data.get(NOTES)).toThrow(PluginDataError);
    expect(() => data.get(NOTES)).toThrow(/plugin data "notes" of request .* holds "three"/);
    expect(classifyFailure(new PluginDataError(id, 'notes', 'three', 'not a count')).kind).toBe('failed_permanently');
    await seed(id, POSTED.name, 'claim:{oops');
    const broken = await process('p1').read(id, never);
    expect(() => broken.pending(POSTED)).toThrow(/claim that is not JSON/);
  });

  it('records decisions with set, refusing to overwrite a claim', async () => {
    const id = await newRequest();
    const data = await process('p1').read(id, never);
    await data.set(POSTED, { skipped: 'no Slack user' });
    expect((await stored(id))[POSTED.name]).toBe('skip:no Slack user');
    expect((await process('p2').read(id, never)).get(POSTED)).toEqual({ skipped: 'no Slack user' });
    await seed(id, NOTES.name, encodeClaim({ by: 'other', op: 'note:0', at: clock, prev: '' }));
    const claimed = await process('p1').read(id, never);
    await expect(claimed.set(NOTES, 1)).rejects.toBeInstanceOf(EffectBusy);
  });
});
