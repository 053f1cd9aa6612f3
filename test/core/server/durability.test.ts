import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { GatehouseClient } from '../../../core/client/gatehouse-client.ts';
import { SEED_ROLES_YAML } from '../../support/test-server.ts';
import { startServerProcess } from '../../support/server-process.ts';

describe('an acknowledged write survives kill -9 of the server', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'gatehouse-durability-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps every acknowledged request, review and the event log across SIGKILL and restart', async () => {
    const first = await startServerProcess(dir);
    const port = Number(first.addr.split(':')[1]);
    const admin = new GatehouseClient({ addr: first.addr, identity: first.adminIdentity });
    await admin.applyRoles(SEED_ROLES_YAML, 'roles.yaml');
    await admin.upsertUser({ user: { name: 'alice', roles: ['sres'] } });
    const ids: string[] = [];
    // Concurrent creates share group commits; every acknowledged one must survive.
    const created = await Promise.all(Array.from({ length: 30 }, (_, i) => admin.createAccessRequest({ user: 'alice', roles: ['prodaccess'], reason: `durable ${i}` })));
    ids.push(...created.map((r) => r.id));
    const approved = await admin.setAccessRequestState({ requestId: ids[0] ?? '', state: 'APPROVED', reason: 'before crash' });
    expect(approved.state).toBe('APPROVED');
    await admin.updatePluginData({ requestId: ids[1] ?? '', plugin: 'slack', set: { ts: '1.2' }, expect: {} });
    const position = await new Promise<number>((resolve, reject) => {
      const s = admin.watchEvents({});
      s.on('data', (e: { type: string; position: number }) => {
        if (e.type === 'INIT') {
          s.cancel();
          resolve(e.position);
        }
      });
      s.on('error', (err: Error & { code?: number }) => (err.code === 1 ? undefined : reject(err)));
    });
    admin.close();
    first.child.kill('SIGKILL');
    await new Promise((resolve) => first.child.once('exit', resolve));

    const second = await startServerProcess(dir, [], port);
    const again = new GatehouseClient({ addr: second.addr, identity: second.adminIdentity });
    try {
      const all = await again.listAllAccessRequests({ users: ['alice'] });
      expect(all.map((r) => r.id).sort()).toEqual([...ids].sort());
      expect((await again.getAccessRequest(ids[0] ?? '')).state).toBe('APPROVED');
      expect((await again.getPluginData(ids[1] ?? '', 'slack')).entries.slack?.data).toEqual({ ts: '1.2' });
      // The log reaches back: a watcher can resume from before the crash.
      const replay = await new Promise<number>((resolve, reject) => {
        const s = again.watchEvents({ since: position - 5 });
        let puts = 0;
        s.on('data', (e: { type: string }) => {
          if (e.type === 'PUT' && ++puts === 5) {
            s.cancel();
            resolve(puts);
          }
        });
        s.on('error', (err: Error & { code?: number }) => (err.code === 1 ? undefined : reject(err)));
      });
      expect(replay).toBe(5);
    } finally {
      again.close();
      await second.stop();
    }
  }, 60_000);

  it('keeps every request acknowledged before a SIGKILL that lands in the middle of a write burst', async () => {
    const burstDir = mkdtempSync(path.join(tmpdir(), 'gatehouse-durability-burst-'));
    try {
      const first = await startServerProcess(burstDir);
      const port = Number(first.addr.split(':')[1]);
      const admin = new GatehouseClient({ addr: first.addr, identity: first.adminIdentity });
      await admin.applyRoles(SEED_ROLES_YAML, 'roles.yaml');
      await admin.upsertUser({ user: { name: 'alice', roles: ['sres'] } });
      // 16 loops keep creating, so commits are batched and synced off the event loop, until
      // the server is killed under them; only answers received before the kill count.
      const acknowledged: string[] = [];
      let killed = false;
      const loops = Array.from({ length: 16 }, async (_, loop) => {
        for (let i = 0; !killed; i++) {
          try {
            const r = await admin.createAccessRequest({ user: 'alice', roles: ['prodaccess'], reason: `burst ${loop}.${i}` });
            if (!killed) acknowledged.push(r.id);
          } catch {
            return;
          }
        }
      });
      while (acknowledged.length < 300) await new Promise((resolve) => setTimeout(resolve, 10));
      killed = true;
      first.child.kill('SIGKILL');
      await Promise.all(loops);
      admin.close();
      await new Promise((resolve) => first.child.once('exit', resolve));

      const second = await startServerProcess(burstDir, [], port);
      const again = new GatehouseClient({ addr: second.addr, identity: second.adminIdentity });
      try {
        const stored = new Set((await again.listAllAccessRequests({ users: ['alice'] })).map((r) => r.id));
        expect(acknowledged.filter((id) => !stored.has(id))).toEqual([]);
      } finally {
        again.close();
        await second.stop();
      }
    } finally {
      rmSync(burstDir, { recursive: true, force: true });
    }
  }, 60_000);
});
