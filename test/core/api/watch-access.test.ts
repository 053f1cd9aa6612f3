import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKeyAndCsr } from '../../../core/auth/csr.ts';
import { GatehouseClient } from '../../../core/client/gatehouse-client.ts';
import { collectEvents, type CollectedEvents } from '../../support/collect-events.ts';
import { SEED_ROLES_YAML, startTestServer, type TestServer } from '../../support/test-server.ts';

const UNAUTHENTICATED = 16;
const PERMISSION_DENIED = 7;

/** A role that may watch every access request, under a given name. */
function watcherRole(name: string, verbs = 'list, read, watch'): string {
  return `kind: role
version: v4
metadata:
  name: ${name}
spec:
  allow:
    rules:
      - resources: [access_request]
        verbs: [${verbs}]
`;
}

const ROLES = [
  SEED_ROLES_YAML,
  watcherRole('request-watcher'),
  `kind: role
version: v4
metadata:
  name: watch-requester
spec:
  allow:
    request:
      roles: [request-watcher]
`,
].join('---\n');

/** Opens a watch of every access request and waits for its INIT. */
async function watchAll(client: GatehouseClient): Promise<CollectedEvents> {
  const w = collectEvents(client.watchEvents({}));
  await w.until(() => w.events.length >= 1 || w.error !== undefined);
  expect(w.error).toBeUndefined();
  return w;
}

describe('WatchEvents: an open watch ends when its access does', () => {
  let t: TestServer;
  let alice: GatehouseClient;
  /** A watcher no test takes anything from: it must see every later event. */
  let bystander: CollectedEvents;

  beforeAll(async () => {
    t = await startTestServer();
    await t.admin.applyRoles(ROLES, 'roles.yaml');
    alice = await t.userClient('alice', ['sres']);
    bystander = await watchAll(await t.userClient('bystander', ['request-watcher']));
  });
  afterAll(async () => {
    await t.close();
  });

  /** A client whose certificate carries the approved request `requestId` of `user`. */
  async function clientWithRequest(client: GatehouseClient, user: string, requestId: string): Promise<GatehouseClient> {
    const { keyPem, csrPem } = await createKeyAndCsr(user);
    const certs = await client.generateUserCerts({ csrPem, accessRequestIds: [requestId] });
    return new GatehouseClient({ addr: t.addr, identity: { keyPem, certPem: certs.certPem, caPems: certs.caPems } });
  }

  /** A watcher unaffected by what just happened still streams: it hears of a new request. */
  async function expectStillStreaming(w: CollectedEvents): Promise<void> {
    const r = await alice.createAccessRequest({ roles: ['prodaccess'], reason: 'still there?' });
    await w.until(() => w.events.some((e) => e.name === r.id) || w.error !== undefined);
    expect(w.error).toBeUndefined();
  }

  it('ends a deleted user’s watch with UNAUTHENTICATED; other watchers keep streaming', async () => {
    const doomed = await watchAll(await t.userClient('carol', ['request-watcher']));
    const other = await watchAll(await t.userClient('dave', ['request-watcher']));
    await t.admin.deleteUser('carol');
    await doomed.until(() => doomed.error !== undefined);
    expect(doomed.error).toMatchObject({ code: UNAUTHENTICATED, details: expect.stringMatching(/user "carol" does not exist/) });
    await expectStillStreaming(other);
    await expectStillStreaming(bystander);
  });

  it('ends a watch granted by an access request when the request is revoked, deleted or expires', async () => {
    const erin = await t.userClient('erin', ['watch-requester']);
    // Erin's own watch, on her base certificate, is untouched by what happens to her requests.
    const own = collectEvents(erin.watchEvents({ user: 'erin' }));
    await own.until(() => own.events.length >= 1);
    for (const end of ['revoke', 'delete', 'expire'] as const) {
      const r = await erin.createAccessRequest({ roles: ['request-watcher'], reason: end, maxDurationMs: end === 'expire' ? 3000 : 0 });
      await t.admin.setAccessRequestState({ requestId: r.id, state: 'APPROVED', reason: 'ok' });
      const elevated = await clientWithRequest(erin, 'erin', r.id);
      try {
        const w = await watchAll(elevated);
        if (end === 'revoke') await t.admin.setAccessRequestState({ requestId: r.id, state: 'REVOKED', reason: 'enough' });
        if (end === 'delete') await t.admin.deleteAccessRequest(r.id);
        await w.until(() => w.error !== undefined, 8000);
        expect(w.error, end).toMatchObject({ code: PERMISSION_DENIED, details: expect.stringContaining(r.id) });
        // Cut at once: not even the event that ended the access reached the stream.
        expect(w.events.filter((e) => e.name === r.id && e.request?.state !== 'APPROVED')).toEqual([]);
      } finally {
        elevated.close();
      }
    }
    const mine = await erin.createAccessRequest({ roles: ['request-watcher'], reason: 'after all that' });
    await own.until(() => own.events.some((e) => e.name === mine.id) || own.error !== undefined);
    expect(own.error).toBeUndefined();
    await expectStillStreaming(bystander);
  });

  it('ends a watch with PERMISSION_DENIED when a role edit, a role deletion or new user roles remove the right', async () => {
    const deleteRequester = `kind: role
version: v4
metadata:
  name: delete-requester
spec:
  allow:
    request:
      roles: [watcher-delete]
`;
    await t.admin.applyRoles([watcherRole('watcher-edit'), watcherRole('watcher-delete'), watcherRole('watcher-user'), deleteRequester].join('---\n'));
    const edited = await t.userClient('holder-edit', ['watcher-edit']);
    const changedUser = await t.userClient('holder-user', ['watcher-user']);
    // A role assigned to a user cannot be deleted; one granted by an approved request can.
    const requester = await t.userClient('holder-delete', ['delete-requester']);
    const r = await requester.createAccessRequest({ roles: ['watcher-delete'], reason: 'watch' });
    await t.admin.setAccessRequestState({ requestId: r.id, state: 'APPROVED', reason: 'ok' });
    const cases = [
      { what: 'role edited', client: edited, change: () => t.admin.applyRoles(watcherRole('watcher-edit', 'list, read')) },
      { what: 'role deleted', client: await clientWithRequest(requester, 'holder-delete', r.id), change: () => t.admin.deleteRole('watcher-delete') },
      { what: "user's roles changed", client: changedUser, change: () => t.admin.upsertUser({ user: { name: 'holder-user', roles: ['sres'] } }) },
    ];
    for (const { what, client, change } of cases) {
      const w = await watchAll(client);
      await change();
      await w.until(() => w.error !== undefined);
      expect(w.error, what).toMatchObject({ code: PERMISSION_DENIED, details: expect.stringMatching(/may not watch/) });
    }
    await expectStillStreaming(bystander);
  });

  it('ends a watch with UNAUTHENTICATED when its certificate expires', async () => {
    const { keyPem, csrPem } = await createKeyAndCsr('frank');
    await t.admin.upsertUser({ user: { name: 'frank', roles: ['request-watcher'] } });
    const certs = await t.admin.generateUserCerts({ csrPem, user: 'frank', ttlMs: 2500 });
    const frank = new GatehouseClient({ addr: t.addr, identity: { keyPem, certPem: certs.certPem, caPems: certs.caPems } });
    try {
      const w = await watchAll(frank);
      await w.until(() => w.error !== undefined, 6000);
      expect(w.error).toMatchObject({ code: UNAUTHENTICATED, details: expect.stringMatching(/expired/) });
      expect(Date.now()).toBeGreaterThanOrEqual(certs.expiresMs);
    } finally {
      frank.close();
    }
    await expectStillStreaming(bystander);
  });
});
