import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AppError } from '../../../core/domain/app-error.ts';
import { FDATASYNC, type WalSync } from '../../../core/store/sqlite/sqlite-connection.ts';
import { MAX_BATCH } from '../../../core/store/sqlite/sqlite-group-commit.ts';
import { SQLITE_MIGRATIONS } from '../../../core/store/sqlite/sqlite-migrations.ts';
import { openSqliteStore, sqliteExpiring } from '../../../core/store/sqlite/sqlite-store.ts';
import { v1DatabaseSql } from '../../support/schema-v1.ts';
import { expectV1Upgraded, V1_INVITES, V1_USERS } from './schema-v1-upgrade.ts';
import { audit, makeRequest, requestId } from './store-fixtures.ts';
import { describeStoreContract } from './store-contract.ts';

/** Concurrent writes enough for several group commits. */
const BURST = 3 * MAX_BATCH + 5;

describeStoreContract('sqlite', async ({ now, observe }) => {
  const dir = await mkdtemp(join(tmpdir(), 'gatehouse-sqlite-'));
  const store = await openSqliteStore({ path: join(dir, 'gatehouse.db'), now, observe });
  return {
    store,
    cleanup: async () => {
      await store.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
});

describe('SqliteStore durability', () => {
  let dir: string;
  let path: string;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'gatehouse-sqlite-'));
    path = join(dir, 'gatehouse.db');
  });

  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('keeps data, plugin data and the event log across close and reopen', async () => {
    const first = await openSqliteStore({ path });
    await first.createRequest(makeRequest(1), audit('access_request.create', requestId(1)));
    await first.updatePluginData(requestId(1), 'slack', { ts: '1.2' }, {});
    await first.close();

    const second = await openSqliteStore({ path });
    try {
      expect((await second.getRequest(requestId(1)))?.revision).toBe(1);
      expect(await second.getPluginData(requestId(1))).toEqual({ slack: { ts: '1.2' } });
      expect(await second.lastPosition()).toBe(1);
      const next = await second.createRequest(makeRequest(2), audit('access_request.create', requestId(2)));
      expect(next.position).toBe(2);
    } finally {
      await second.close();
    }
  });

  it('keeps a write acknowledged by a process that is then killed with SIGKILL', async () => {
    const script = join(dir, 'writer.ts');
    const storeUrl = pathToFileURL(join(import.meta.dirname, '../../../core/store/sqlite/sqlite-store.ts')).href;
    await writeFile(script, `
      import { openSqliteStore } from ${JSON.stringify(storeUrl)};
      const store = await openSqliteStore({ path: ${JSON.stringify(path)} });
      const request = ${JSON.stringify(makeRequest(7))};
      await store.createRequest(request, { type: 'access_request.create', actor: 'alice', requestId: request.id, details: {} });
      await store.updatePluginData(request.id, 'slack', { ts: '9.9' }, { ts: '' });
      // A burst of concurrent writes: committed in several batches, synced off the event loop.
      const burst = ${JSON.stringify(Array.from({ length: BURST }, (_, i) => makeRequest(100 + i)))};
      await Promise.all(burst.map((r) => store.createRequest(r, { type: 'access_request.create', actor: 'alice', requestId: r.id, details: {} })));
      process.stdout.write('ok\\n');
      setInterval(() => {}, 1_000); // stay alive, store open, until killed
    `);
    const child = spawn(process.execPath, [script], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
    await new Promise<void>((resolve, reject) => {
      let stdout = '';
      child.stdout.on('data', (chunk: Buffer) => {
        stdout += chunk.toString();
        if (stdout.includes('ok\n')) resolve();
      });
      child.on('exit', (code) => reject(new Error(`writer exited (${code}) before acknowledging: ${stderr}`)));
    });
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');

    const store = await openSqliteStore({ path });
    try {
      expect((await store.getRequest(requestId(7)))?.reason).toBe('need access 7');
      expect(await store.getPluginData(requestId(7))).toEqual({ slack: { ts: '9.9' } });
      const burstIds = Array.from({ length: BURST }, (_, i) => requestId(100 + i));
      expect((await store.readEvents(0, 1000)).map((e) => e.name)).toEqual([requestId(7), ...burstIds]);
      expect((await store.listRequests({ pageSize: 1000 })).items.map((r) => r.id)).toEqual([requestId(7), ...burstIds]);
      expect((await store.searchAudit({ pageSize: 1000 })).items).toHaveLength(BURST + 1);
    } finally {
      await store.close();
    }
  });

  it('announces a burst of concurrent writes in order, without gaps, before each writer resumes', async () => {
    const store = await openSqliteStore({ path });
    try {
      const announced: number[] = [];
      store.onAppend((_last, events) => announced.push(...(events ?? []).map((e) => e.position)));
      const writes = Array.from({ length: BURST }, (_, i) =>
        store.createRequest(makeRequest(i + 1), audit('access_request.create', requestId(i + 1))).then((c) => {
          expect(announced).toContain(c.position);
          return c.position;
        }),
      );
      expect(await Promise.all(writes)).toEqual(Array.from({ length: BURST }, (_, i) => i + 1));
      expect(announced).toEqual(Array.from({ length: BURST }, (_, i) => i + 1));
    } finally {
      await store.close();
    }
  });

  it('answers a read that saw a commit still being synced only once that commit is durable and announced', async () => {
    const store = await openSqliteStore({ path });
    try {
      const order: string[] = [];
      store.onAppend((last) => order.push(`announced ${last}`));
      // Two writes in one turn commit together and are synced on the thread pool; the reads
      // below run right after that commit (the next immediate), while the sync is in flight.
      const writes = [1, 2].map((n) => store.createRequest(makeRequest(n), audit('access_request.create', requestId(n))));
      const reads = await new Promise<Array<Promise<unknown>>>((resolve) => setImmediate(() => resolve([
        store.getRequest(requestId(1)).then((r) => order.push(`read ${r?.id === requestId(1) ? 'found' : 'missing'}`)),
        store.lastPosition().then((p) => order.push(`position ${p}`)),
      ])));
      await Promise.all([...writes, ...reads]);
      expect(order).toEqual(['announced 2', 'read found', 'position 2']);
    } finally {
      await store.close();
    }
  });

  it('commits and syncs writes still queued when it is closed', async () => {
    const first = await openSqliteStore({ path });
    const writes = Array.from({ length: BURST }, (_, i) => first.createRequest(makeRequest(i + 1), audit('access_request.create', requestId(i + 1))));
    await first.close();
    await expect(Promise.all(writes)).resolves.toHaveLength(BURST);
    const second = await openSqliteStore({ path });
    try {
      expect((await second.listRequests({ pageSize: 1000 })).items).toHaveLength(BURST);
    } finally {
      await second.close();
    }
  });

  it('finds expiring requests through the partial expiry indexes, not by reading every PENDING and APPROVED row', async () => {
    const store = await openSqliteStore({ path });
    await store.close();
    const { DatabaseSync } = await import('node:sqlite');
    const db = new DatabaseSync(path);
    try {
      const { sql, params } = sqliteExpiring(1_000);
      const plan = db.prepare(`EXPLAIN QUERY PLAN SELECT json FROM requests WHERE id > ? AND ${sql} ORDER BY id LIMIT ?`).all('', ...params, 201);
      const steps = plan.map((row) => String(row.detail));
      expect(steps).toEqual(expect.arrayContaining([
        expect.stringContaining('USING INDEX requests_pending_expiry'),
        expect.stringContaining('USING INDEX requests_access_expiry'),
      ]));
      expect(steps.filter((step) => step.includes('requests_state') || step.startsWith('SCAN requests'))).toEqual([]);
    } finally {
      db.close();
    }
  });

  it('refuses a database whose schema is newer than this code', async () => {
    const store = await openSqliteStore({ path });
    await store.close();
    const { DatabaseSync } = await import('node:sqlite');
    const db = new DatabaseSync(path);
    db.exec('UPDATE schema_version SET version = 999');
    db.close();
    await expect(openSqliteStore({ path })).rejects.toMatchObject({ code: 'failed_precondition' });
  });

  it('upgrades a version 1 database: users and invites of before get the incarnation ""', async () => {
    const { DatabaseSync } = await import('node:sqlite');
    const db = new DatabaseSync(path);
    db.exec(v1DatabaseSql({ migrations: SQLITE_MIGRATIONS, strict: true, users: V1_USERS, invites: V1_INVITES }));
    db.close();
    const store = await openSqliteStore({ path });
    let recreated;
    try {
      recreated = await expectV1Upgraded(store);
    } finally {
      await store.close();
    }
    // Opening the upgraded file again migrates nothing again.
    const reopened = await openSqliteStore({ path });
    try {
      expect(await reopened.getUser('olga')).toEqual(recreated);
    } finally {
      await reopened.close();
    }
  });

  it('reads a corrupt row back as internal rather than passing it on', async () => {
    const store = await openSqliteStore({ path });
    await store.createRequest(makeRequest(1), audit('access_request.create', requestId(1)));
    const { DatabaseSync } = await import('node:sqlite');
    const db = new DatabaseSync(path);
    db.prepare('UPDATE requests SET json = ? WHERE id = ?').run(JSON.stringify({ ...makeRequest(1), state: 'MAYBE' }), requestId(1));
    db.close();
    try {
      await expect(store.getRequest(requestId(1))).rejects.toMatchObject({ code: 'internal', message: expect.stringContaining('requests.json') });
      await expect(store.updateRequest(requestId(1), (r) => ({ request: r, audit: audit('x') }))).rejects.toMatchObject({ code: 'internal' });
    } finally {
      await store.close();
    }
  });

  it('logs through a pino logger when WAL is unavailable (an in-memory database)', async () => {
    const lines: string[] = [];
    const sink = new Writable({ write(chunk: Buffer, _encoding, done) { lines.push(chunk.toString()); done(); } });
    const store = await openSqliteStore({ path: ':memory:', log: pino({ level: 'debug' }, sink).child({ component: 'store' }) });
    await store.close();
    expect(lines.map((l) => JSON.parse(l))).toEqual([
      expect.objectContaining({ level: 40, component: 'store', msg: 'SQLite WAL mode unavailable; using the default journal' }),
    ]);
  });

  /**
   * A WAL sync that works until `failing` is set, then fails the way fdatasync fails on a
   * failing disk (EIO), on the event loop and on the thread pool alike.
   */
  function breakableSync(): { walSync: WalSync; fail(): void; calls: { now: number; later: number } } {
    let failing = false;
    const calls = { now: 0, later: 0 };
    const eio = (): Error => Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO', errno: -5, syscall: 'fdatasync' });
    return {
      calls,
      fail: () => (failing = true),
      walSync: {
        now: (fd) => {
          calls.now++;
          if (failing) throw eio();
          FDATASYNC.now(fd);
        },
        later: (fd, done) => {
          calls.later++;
          if (failing) setImmediate(() => done(eio()));
          else FDATASYNC.later(fd, done);
        },
      },
    };
  }

  it('stops for good when a sync to disk fails: the write fails, so does every later call, and onFatal is told once', async () => {
    const sync = breakableSync();
    const fatal: AppError[] = [];
    const lines: string[] = [];
    const sink = new Writable({ write(chunk: Buffer, _encoding, done) { lines.push(chunk.toString()); done(); } });
    const store = await openSqliteStore({ path, walSync: sync.walSync, onFatal: (err) => fatal.push(err), log: pino({ level: 'warn' }, sink) });
    const announced: number[] = [];
    store.onAppend((last) => announced.push(last));
    await store.createRequest(makeRequest(1), audit('access_request.create', requestId(1)));
    expect(sync.calls.now).toBe(1);

    sync.fail();
    const stopped = { code: 'unavailable', message: 'the SQLite store stopped after a failed sync to disk; restart the server' };
    await expect(store.createRequest(makeRequest(2), audit('access_request.create', requestId(2)))).rejects.toMatchObject(stopped);
    // Nothing is acknowledged or read any more: the kernel may have dropped what was not synced.
    await expect(store.createRequest(makeRequest(3), audit('access_request.create', requestId(3)))).rejects.toMatchObject(stopped);
    await expect(store.getRequest(requestId(1))).rejects.toMatchObject(stopped);
    await expect(store.listRequests({ pageSize: 10 })).rejects.toMatchObject(stopped);
    await expect(store.lastPosition()).rejects.toMatchObject(stopped);
    expect(announced).toEqual([1]);
    expect(fatal).toEqual([expect.objectContaining(stopped)]);
    expect(fatal[0]?.cause).toMatchObject({ message: 'cannot make SQLite commits durable: fdatasync of the WAL file failed', cause: { code: 'EIO' } });
    expect(lines.map((l) => JSON.parse(l))).toContainEqual(expect.objectContaining({ level: 50, msg: 'SQLite sync failed; the store refuses further reads and writes' }));
    await store.close();

    // A restart recovers from the disk: the acknowledged write is there.
    const reopened = await openSqliteStore({ path });
    try {
      expect((await reopened.getRequest(requestId(1)))?.id).toBe(requestId(1));
    } finally {
      await reopened.close();
    }
  });

  it('fails every write of a burst whose sync on the thread pool fails, and announces none of them', async () => {
    const sync = breakableSync();
    const fatal: AppError[] = [];
    const store = await openSqliteStore({ path, walSync: sync.walSync, onFatal: (err) => fatal.push(err) });
    try {
      const announced: number[] = [];
      store.onAppend((last) => announced.push(last));
      sync.fail();
      const outcomes = await Promise.allSettled(
        Array.from({ length: BURST }, (_, i) => store.createRequest(makeRequest(i + 1), audit('access_request.create', requestId(i + 1)))),
      );
      expect(sync.calls).toEqual({ now: 0, later: 1 });
      expect(outcomes.every((o) => o.status === 'rejected' && (o.reason as AppError).code === 'unavailable')).toBe(true);
      expect(announced).toEqual([]);
      expect(fatal).toHaveLength(1);
    } finally {
      await store.close();
    }
  });

  it('reports a file it cannot open as unavailable', async () => {
    await expect(openSqliteStore({ path: join(dir, 'missing-dir', 'x.db') })).rejects.toMatchObject({ code: 'unavailable' });
  });
});
