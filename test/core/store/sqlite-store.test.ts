import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openSqliteStore } from '../../../core/store/sqlite/sqlite-store.ts';
import { audit, makeRequest, requestId } from './store-fixtures.ts';
import { describeStoreContract } from './store-contract.ts';

describeStoreContract('sqlite', async ({ now }) => {
  const dir = await mkdtemp(join(tmpdir(), 'gatehouse-sqlite-'));
  const store = await openSqliteStore({ path: join(dir, 'gatehouse.db'), now });
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
      expect((await store.readEvents(0, 10)).map((e) => e.name)).toEqual([requestId(7)]);
      expect((await store.searchAudit({ pageSize: 10 })).items).toHaveLength(1);
    } finally {
      await store.close();
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

  it('reports a file it cannot open as unavailable', async () => {
    await expect(openSqliteStore({ path: join(dir, 'missing-dir', 'x.db') })).rejects.toMatchObject({ code: 'unavailable' });
  });
});
