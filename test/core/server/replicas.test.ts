import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readIdentityFile } from '../../../core/auth/identity-file.ts';
import { GatehouseClient } from '../../../core/client/gatehouse-client.ts';
import type { Event__Output } from '../../../proto/gen/gatehouse/v1/Event.ts';
import { collectEvents } from '../../support/collect-events.ts';
import { INSTALL_HINT, postgresAvailable, startPostgres, type TestPostgres } from '../../support/postgres.ts';
import { SEED_ROLES_YAML, startTestServer, type TestServer } from '../../support/test-server.ts';

const describeWithPostgres = postgresAvailable() || process.env.CI ? describe : describe.skip;

describeWithPostgres('two server replicas on one PostgreSQL', () => {
  let pg: TestPostgres;
  let a: TestServer;
  let b: TestServer;
  const dirs: string[] = [];

  beforeAll(async () => {
    if (!postgresAvailable()) throw new Error(INSTALL_HINT);
    pg = await startPostgres();
    const db = await pg.createDatabase();
    const dirA = mkdtempSync(path.join(tmpdir(), 'gatehouse-replica-a-'));
    const dirB = mkdtempSync(path.join(tmpdir(), 'gatehouse-replica-b-'));
    dirs.push(dirA, dirB);
    a = await startTestServer({ dataDir: dirA, storage: db.connectionString });
    // Replicas share the cluster CA (in production: the same secret mounted on each).
    mkdirSync(dirB, { recursive: true });
    for (const f of ['ca.key', 'ca.crt']) copyFileSync(path.join(dirA, f), path.join(dirB, f));
    b = await startTestServer({ dataDir: dirB, storage: db.connectionString });
    await a.admin.applyRoles(SEED_ROLES_YAML, 'roles.yaml');
  }, 60_000);
  afterAll(async () => {
    await a?.stop();
    await b?.stop();
    await pg?.stop();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('a request created on one replica reaches a watcher of the other, and a role applied on one applies on the other', async () => {
    const alice = await a.userClient('alice', ['sres']);
    const bobOnB = await b.userClient('bob', ['access-reviewer']);
    const events: Event__Output[] = [];
    const stream = b.admin.watchEvents({});
    stream.on('data', (e: Event__Output) => events.push(e));
    stream.on('error', () => undefined);
    const until = async (p: () => boolean): Promise<void> => {
      const deadline = Date.now() + 10_000;
      while (!p()) {
        if (Date.now() > deadline) throw new Error(`timed out; events: ${events.map((e) => `${e.type}:${e.name}`).join(' ')}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    };
    await until(() => events.some((e) => e.type === 'INIT'));
    const r = await alice.createAccessRequest({ roles: ['prodaccess'], reason: 'across replicas' });
    await until(() => events.some((e) => e.type === 'PUT' && e.name === r.id));
    // Reviewed through replica B, with role definitions B learned from A's event.
    const reviewed = await bobOnB.submitAccessReview({ requestId: r.id, proposedState: 'APPROVED' });
    expect(reviewed.state).toBe('APPROVED');
    await until(() => events.some((e) => e.name === r.id && e.request?.state === 'APPROVED'));
    stream.cancel();
  });

  it('a user changed or deleted on one replica is seen by the other', async () => {
    // Issued through replica A; the certificate works against B too (one CA).
    const file = await readIdentityFile(await a.identityFile('carol', ['sres']));
    const carolOnB = new GatehouseClient({ addr: b.addr, identity: file });
    const until = async (p: () => Promise<boolean>, what: string): Promise<void> => {
      const deadline = Date.now() + 10_000;
      while (!(await p())) {
        if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    };
    expect((await carolOnB.ping()).roles).toEqual(['sres']); // now cached on B
    await a.admin.upsertUser({ user: { name: 'carol', roles: ['access-reviewer'] } });
    await until(async () => (await carolOnB.ping()).roles.join() === 'access-reviewer', "B sees carol's new roles");
    await a.admin.deleteUser('carol');
    await until(() => carolOnB.ping().then(() => false, (err: { code?: string }) => err.code === 'UNAUTHENTICATED'), 'B refuses the deleted carol');
    carolOnB.close();
  });

  it("a watch open on one replica ends when its user is deleted on the other, and others' watches go on", async () => {
    const danOnB = new GatehouseClient({ addr: b.addr, identity: await readIdentityFile(await a.identityFile('dan', ['reviewer'])) });
    const doomed = collectEvents(danOnB.watchEvents({}));
    const other = collectEvents(b.admin.watchEvents({}));
    await doomed.until(() => doomed.events.length >= 1);
    await other.until(() => other.events.length >= 1);
    await a.admin.deleteUser('dan');
    await doomed.until(() => doomed.error !== undefined, 10_000);
    expect(doomed.error).toMatchObject({ code: 16, details: expect.stringMatching(/user "dan" does not exist/) });
    const r = await a.admin.createAccessRequest({ user: 'alice', roles: ['prodaccess'], reason: 'after dan' });
    await other.until(() => other.events.some((e) => e.name === r.id) || other.error !== undefined, 10_000);
    expect(other.error).toBeUndefined();
    danOnB.close();
  });
});
