import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GatehouseClient } from '../../../core/client/gatehouse-client.ts';
import { collectEvents } from '../../support/collect-events.ts';
import { SEED_ROLES_YAML, startTestServer, type TestServer } from '../../support/test-server.ts';

describe('WatchEvents: ordered, filtered, resumable', () => {
  let t: TestServer;
  let alice: GatehouseClient;
  let bob: GatehouseClient;
  let plugin: GatehouseClient;

  beforeAll(async () => {
    t = await startTestServer();
    await t.admin.applyRoles(SEED_ROLES_YAML, 'roles.yaml');
    alice = await t.userClient('alice', ['sres']);
    bob = await t.userClient('bob', ['access-reviewer']);
    plugin = await t.userClient('slack-plugin', ['access-plugin']);
  });
  afterAll(async () => {
    await t.close();
  });

  it('sends INIT with the position, then every event in order', async () => {
    const w = collectEvents(plugin.watchEvents({}));
    await w.until(() => w.events.length >= 1);
    const init = w.events[0];
    expect(init?.type).toBe('INIT');
    const r = await alice.createAccessRequest({ roles: ['prodaccess'], reason: 'watch me' });
    await bob.submitAccessReview({ requestId: r.id, proposedState: 'APPROVED' });
    await t.admin.deleteAccessRequest(r.id);
    await w.until(() => w.events.length >= 4);
    const [, created, approved, deleted] = w.events;
    expect(created).toMatchObject({ type: 'PUT', kind: 'access_request', name: r.id });
    expect(created?.request?.state).toBe('PENDING');
    expect(approved?.request?.state).toBe('APPROVED');
    expect(deleted).toMatchObject({ type: 'DELETE', name: r.id });
    const positions = w.events.slice(1).map((e) => e.position);
    expect(positions).toEqual([...positions].sort((a, b) => a - b));
    expect(positions[0]).toBeGreaterThan(init?.position ?? Infinity);
    w.events.length = 0;
  });

  it('resumes after a position: the missed events in order, then CAUGHT_UP, then live ones', async () => {
    const first = plugin.watchEvents({});
    const seen = collectEvents(first);
    await seen.until(() => seen.events.length >= 1);
    const since = seen.events[0]?.position ?? 0;
    first.cancel();
    // Events happen while nobody watches.
    const a = await alice.createAccessRequest({ roles: ['prodaccess'], reason: 'while away 1' });
    const b = await alice.createAccessRequest({ roles: ['prodaccess'], reason: 'while away 2' });
    const resumed = collectEvents(plugin.watchEvents({ since }));
    await resumed.until(() => resumed.events.some((e) => e.type === 'CAUGHT_UP'));
    const live = await alice.createAccessRequest({ roles: ['prodaccess'], reason: 'back' });
    await resumed.until(() => resumed.events.some((e) => e.name === live.id));
    expect(resumed.events.map((e) => (e.type === 'PUT' ? e.name : e.type))).toEqual(['INIT', a.id, b.id, 'CAUGHT_UP', live.id]);
    // INIT says where the stream starts, CAUGHT_UP how far the replay went; positions never
    // go back, so the last one received is always a safe place to resume from.
    const [init, , replayedB, caughtUp] = resumed.events;
    expect(init?.position).toBe(since);
    expect(caughtUp?.position).toBe(replayedB?.position);
    const positions = resumed.events.map((e) => e.position);
    expect(positions).toEqual([...positions].sort((x, y) => x - y));
  });

  it('sends CAUGHT_UP at once when resuming from the newest position, and never without since', async () => {
    const fresh = collectEvents(plugin.watchEvents({}));
    await fresh.until(() => fresh.events.length >= 1);
    const position = fresh.events[0]?.position ?? 0;
    const resumed = collectEvents(plugin.watchEvents({ since: position }));
    await resumed.until(() => resumed.events.length >= 2);
    expect(resumed.events.map((e) => [e.type, e.position])).toEqual([
      ['INIT', position],
      ['CAUGHT_UP', position],
    ]);
    const r = await alice.createAccessRequest({ roles: ['prodaccess'], reason: 'after both' });
    await fresh.until(() => fresh.events.some((e) => e.name === r.id));
    expect(fresh.events.map((e) => e.type)).toEqual(['INIT', 'PUT']);
  });

  it('filters by state (PUT only) and lets a user watch only their own requests', async () => {
    const pending = collectEvents(plugin.watchEvents({ states: ['APPROVED'] }));
    await pending.until(() => pending.events.length >= 1);
    const r = await alice.createAccessRequest({ roles: ['prodaccess'], reason: 'filter' });
    await bob.submitAccessReview({ requestId: r.id, proposedState: 'APPROVED' });
    await pending.until(() => pending.events.length >= 2);
    expect(pending.events[1]?.request?.state).toBe('APPROVED');
    expect(pending.events.some((e) => e.request?.state === 'PENDING')).toBe(false);

    const denied = collectEvents(alice.watchEvents({}));
    await denied.until(() => denied.error !== undefined);
    expect(denied.error?.message).toMatch(/PERMISSION_DENIED.*watch/);
    const own = collectEvents(alice.watchEvents({ user: 'alice' }));
    await own.until(() => own.events.length >= 1);
    await bob.createAccessRequest({ roles: ['prodaccess'], reason: 'not alice' }).catch(() => undefined);
    const mine = await alice.createAccessRequest({ roles: ['prodaccess'], reason: 'mine' });
    await own.until(() => own.events.some((e) => e.name === mine.id));
    expect(own.events.every((e) => e.type === 'INIT' || e.request?.user === 'alice')).toBe(true);

    // A deletion reaches the owner's own watch (it names the owner), and no one else's.
    const carol = await t.userClient('carol', ['sres']);
    const carols = await carol.createAccessRequest({ roles: ['prodaccess'], reason: 'not alice either' });
    await t.admin.deleteAccessRequest(carols.id);
    await t.admin.deleteAccessRequest(mine.id);
    await own.until(() => own.events.some((e) => e.type === 'DELETE'));
    expect(own.events.filter((e) => e.type === 'DELETE').map((e) => e.name)).toEqual([mine.id]);
    // Resumed from the store, the deletion still names its owner.
    const replay = collectEvents(alice.watchEvents({ user: 'alice', since: own.events[0]?.position ?? 0 }));
    await replay.until(() => replay.events.some((e) => e.type === 'CAUGHT_UP'));
    expect(replay.events.filter((e) => e.type === 'DELETE').map((e) => e.name)).toEqual([mine.id]);
  });

  it('answers OUT_OF_RANGE for a position ahead of the log or pruned away', async () => {
    const ahead = collectEvents(plugin.watchEvents({ since: 10_000_000 }));
    await ahead.until(() => ahead.error !== undefined);
    expect(ahead.error?.message).toMatch(/OUT_OF_RANGE/);
    await alice.createAccessRequest({ roles: ['prodaccess'], reason: 'before prune' });
    await t.server.store.pruneEvents(Date.now() + 1000, 1);
    const pruned = collectEvents(plugin.watchEvents({ since: 1 }));
    await pruned.until(() => pruned.error !== undefined);
    expect(pruned.error?.message).toMatch(/OUT_OF_RANGE.*pruned/);
    // Refused before anything is sent: a client never takes the INIT of a stream that fails.
    expect(pruned.events).toEqual([]);
  });

  it('garbage in filters is INVALID_ARGUMENT', async () => {
    const bad = collectEvents(plugin.watchEvents({ kinds: ['nonsense'] }));
    await bad.until(() => bad.error !== undefined);
    expect(bad.error?.message).toMatch(/INVALID_ARGUMENT.*kinds\[0\]/);
  });
});

describe('WatchEvents: a watcher that cannot keep up is closed, not buffered without bound', () => {
  it('closes a stalled watcher with RESOURCE_EXHAUSTED and the position to resume from', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'gatehouse-backlog-'));
    const configFile = path.join(dir, 'server.yaml');
    writeFileSync(configFile, 'limits:\n  max_watcher_backlog: 50\n');
    const logLines: string[] = [];
    const log = pino({ level: 'info' }, { write: (line: string) => logLines.push(line) });
    const t = await startTestServer({ configFile, log });
    const child = spawn(process.execPath, [path.resolve('test/support/watch-child.ts'), t.addr, t.adminIdentityPath], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    try {
      await t.admin.applyRoles(SEED_ROLES_YAML, 'roles.yaml');
      const alice = await t.userClient('alice', ['sres']);
      const deadline = Date.now() + 15_000;
      while (!out.includes('ready') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      expect(out).toContain('ready');
      // A stuck client: it reads nothing, so the HTTP/2 window closes and the server's queue grows.
      child.kill('SIGSTOP');
      const big = 'x'.repeat(4000);
      const closed = (): boolean => logLines.some((l) => l.includes('"method":"WatchEvents"') && l.includes('RESOURCE_EXHAUSTED'));
      for (let i = 0; i < 400 && !closed(); i++) await alice.createAccessRequest({ roles: ['prodaccess'], reason: big });
      expect(closed()).toBe(true);
      child.kill('SIGCONT');
      while (!out.includes('error') && Date.now() < deadline + 15_000) await new Promise((r) => setTimeout(r, 50));
      expect(out).toMatch(/error 8 watcher fell behind .*since=\d+/);
    } finally {
      child.kill('SIGKILL');
      await t.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
