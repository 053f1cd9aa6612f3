import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AppError } from '../../../core/domain/app-error.ts';
import type { ErrorCode } from '../../../core/domain/app-error.ts';
import type { AccessRequest, AuditEvent, StoredEvent } from '../../../core/domain/types.ts';
import type { Store } from '../../../core/store/store.ts';
import { audit, makeRequest, makeRole, makeUser, requestId } from './store-fixtures.ts';

export interface ContractStoreOptions {
  /** The clock the store must use for event and audit times and `updatedMs`. */
  now: () => number;
}

export type MakeStore = (options: ContractStoreOptions) => Promise<{ store: Store; cleanup: () => Promise<void> }>;

/**
 * The Store contract (core/store/store.ts), run unchanged against every backend. Each test
 * gets a fresh, empty store from `makeStore`; `cleanup` closes it and removes its data.
 */
export function describeStoreContract(name: string, makeStore: MakeStore): void {
  describe(`Store contract: ${name}`, () => {
    let store: Store;
    let cleanup: () => Promise<void>;
    let clock: number;

    beforeEach(async () => {
      clock = 1_000_000;
      ({ store, cleanup } = await makeStore({ now: () => clock }));
    });

    afterEach(async () => {
      await cleanup();
    });

    const allEvents = () => store.readEvents(0, 10_000);
    const allAudit = async () => (await store.searchAudit({ pageSize: 1000 })).items;
    const create = (n: number, overrides: Partial<AccessRequest> = {}) =>
      store.createRequest(makeRequest(n, overrides), audit('access_request.create', requestId(n), 'alice'));

    describe('access requests', () => {
      it('creates with revision 1, the store time, one PUT event and one audit entry', async () => {
        clock = 1_234_567;
        const committed = await create(1);
        expect(committed.value).toEqual({ ...makeRequest(1), revision: 1, updatedMs: 1_234_567 });
        expect(committed.position).toBe(1);
        expect(await store.getRequest(requestId(1))).toEqual(committed.value);
        expect(await store.getRequest(requestId(2))).toBeUndefined();
        expect(await allEvents()).toEqual([
          { position: 1, timeMs: 1_234_567, type: 'PUT', kind: 'access_request', name: requestId(1), request: committed.value },
        ]);
        expect(await allAudit()).toEqual([
          { id: expect.any(Number), timeMs: 1_234_567, type: 'access_request.create', actor: 'alice', requestId: requestId(1), details: {} },
        ]);
      });

      it('refuses a duplicate id with already_exists and writes nothing', async () => {
        await create(1);
        await expectAppError(create(1, { reason: 'again' }), 'already_exists', requestId(1));
        expect((await store.getRequest(requestId(1)))?.reason).toBe('need access 1');
        expect(await allEvents()).toHaveLength(1);
        expect(await allAudit()).toHaveLength(1);
        expect(await store.lastPosition()).toBe(1);
      });

      it('lists by id ascending and pages with opaque tokens', async () => {
        for (const n of [3, 1, 5, 2, 4]) await create(n);
        const seen: string[] = [];
        let pageToken = '';
        let pages = 0;
        do {
          const page = await store.listRequests({ pageSize: 2, pageToken });
          expect(page.items.length).toBeLessThanOrEqual(2);
          seen.push(...page.items.map((r) => r.id));
          pageToken = page.nextPageToken;
          pages++;
        } while (pageToken !== '');
        expect(pages).toBe(3);
        expect(seen).toEqual([1, 2, 3, 4, 5].map(requestId));
        const exact = await store.listRequests({ pageSize: 5 });
        expect(exact.items).toHaveLength(5);
        expect(exact.nextPageToken).toBe('');
        expect(await store.listRequests({ pageSize: 10, ids: ['nope'] })).toEqual({ items: [], nextPageToken: '' });
      });

      it('filters by states, users and ids (empty lists mean no filter)', async () => {
        await create(1, { state: 'PENDING', user: 'alice' });
        await create(2, { state: 'APPROVED', user: 'bob' });
        await create(3, { state: 'DENIED', user: 'alice' });
        await create(4, { state: 'PENDING', user: 'carol' });
        const ids = async (query: Omit<Parameters<Store['listRequests']>[0], 'pageSize'>) =>
          (await store.listRequests({ pageSize: 100, ...query })).items.map((r) => Number(r.id.slice(-2)));
        expect(await ids({ states: ['PENDING'] })).toEqual([1, 4]);
        expect(await ids({ states: ['APPROVED', 'DENIED'] })).toEqual([2, 3]);
        expect(await ids({ users: ['alice'] })).toEqual([1, 3]);
        expect(await ids({ users: ['alice', 'carol'], states: ['PENDING'] })).toEqual([1, 4]);
        expect(await ids({ ids: [requestId(4), requestId(2), 'unknown'] })).toEqual([2, 4]);
        expect(await ids({ ids: [requestId(2)], users: ['alice'] })).toEqual([]);
        expect(await ids({ states: [], users: [], ids: [] })).toEqual([1, 2, 3, 4]);
      });

      it('expiringBeforeMs selects PENDING by pending expiry and APPROVED by access expiry', async () => {
        await create(1, { state: 'PENDING', pendingExpiresMs: 100, accessExpiresMs: 900 });
        await create(2, { state: 'PENDING', pendingExpiresMs: 500, accessExpiresMs: 100 });
        await create(3, { state: 'APPROVED', pendingExpiresMs: 900, accessExpiresMs: 100 });
        await create(4, { state: 'APPROVED', pendingExpiresMs: 100, accessExpiresMs: 500 });
        await create(5, { state: 'DENIED', pendingExpiresMs: 1, accessExpiresMs: 1 });
        await create(6, { state: 'EXPIRED', pendingExpiresMs: 1, accessExpiresMs: 1 });
        const ids = async (expiringBeforeMs: number, states?: AccessRequest['state'][]) =>
          (await store.listRequests({ pageSize: 100, expiringBeforeMs, ...(states ? { states } : {}) })).items.map((r) =>
            Number(r.id.slice(-2)),
          );
        expect(await ids(100)).toEqual([]); // strictly before
        expect(await ids(101)).toEqual([1, 3]);
        expect(await ids(501)).toEqual([1, 2, 3, 4]);
        expect(await ids(501, ['APPROVED'])).toEqual([3, 4]);
      });

      it('rejects a bad page size or page token with invalid_argument', async () => {
        await expectAppError(store.listRequests({ pageSize: 0 }), 'invalid_argument');
        await expectAppError(store.listRequests({ pageSize: 1001 }), 'invalid_argument');
        await expectAppError(store.listRequests({ pageSize: 10, pageToken: 'not a token!' }), 'invalid_argument');
        await expectAppError(store.listRequests({ pageSize: 10, pageToken: Buffer.from('{"k":1}').toString('base64url') }), 'invalid_argument');
      });

      it('updateRequest bumps the revision and appends its event and audit entry together', async () => {
        const created = await create(1);
        clock += 5_000;
        const updated = await store.updateRequest(requestId(1), (current) => {
          expect(current).toEqual(created.value);
          return {
            request: { ...current, state: 'APPROVED', resolvedBy: 'bob', revision: 999, updatedMs: 1 },
            audit: audit('access_request.update', current.id, 'bob', { state: 'APPROVED' }),
          };
        });
        expect(updated.value).toEqual({ ...created.value, state: 'APPROVED', resolvedBy: 'bob', revision: 2, updatedMs: clock });
        expect(updated.position).toBe(2);
        expect(await store.getRequest(requestId(1))).toEqual(updated.value);
        expect((await store.readEvents(1, 10))).toEqual([
          { position: 2, timeMs: clock, type: 'PUT', kind: 'access_request', name: requestId(1), request: updated.value },
        ]);
        const entries = await allAudit();
        expect(entries.at(-1)).toMatchObject({ type: 'access_request.update', actor: 'bob', timeMs: clock, details: { state: 'APPROVED' } });
        expect((await store.listRequests({ pageSize: 10, states: ['APPROVED'] })).items).toHaveLength(1);
      });

      it('a throwing change writes nothing and its error reaches the caller', async () => {
        await create(1);
        const before = { events: await allEvents(), audit: await allAudit(), request: await store.getRequest(requestId(1)) };
        const refusal = new AppError('failed_precondition', 'request is already resolved');
        await expect(store.updateRequest(requestId(1), () => { throw refusal; })).rejects.toBe(refusal);
        expect(await allEvents()).toEqual(before.events);
        expect(await allAudit()).toEqual(before.audit);
        expect(await store.getRequest(requestId(1))).toEqual(before.request);
        expect(await store.lastPosition()).toBe(1);
      });

      it('updateRequest on an unknown id is not_found and never calls change', async () => {
        let called = false;
        await expectAppError(store.updateRequest('missing', (current) => {
          called = true;
          return { request: current, audit: audit('x') };
        }), 'not_found', 'missing');
        expect(called).toBe(false);
      });

      it('loses no update when 20 run concurrently on one request', async () => {
        await create(1);
        const reviewers = Array.from({ length: 20 }, (_, i) => `reviewer-${i}`);
        const results = await Promise.all(reviewers.map((author) =>
          store.updateRequest(requestId(1), (current) => ({
            request: {
              ...current,
              reviews: [...current.reviews, { author, submittedBy: '', proposedState: 'APPROVED', reason: '', createdMs: 1, thresholdIndexes: [0] }],
            },
            audit: audit('access_request.review', current.id, author),
          })),
        ));
        const final = await store.getRequest(requestId(1));
        expect(final?.revision).toBe(21);
        expect(final?.reviews.map((r) => r.author).sort()).toEqual([...reviewers].sort());
        expect(results.map((r) => r.value.revision).sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i + 2));
        expect(new Set(results.map((r) => r.position)).size).toBe(20);
        expect(await allEvents()).toHaveLength(21);
        expect(await allAudit()).toHaveLength(21);
      });

      it('deleteRequest removes the request and its plugin data and appends DELETE', async () => {
        const created = await create(1);
        await create(2);
        await store.updatePluginData(requestId(1), 'slack', { ts: '1.2' }, {});
        await store.updatePluginData(requestId(2), 'slack', { ts: '3.4' }, {});
        const deleted = await store.deleteRequest(requestId(1), audit('access_request.delete', requestId(1), 'admin'));
        expect(deleted.value).toEqual(created.value);
        expect(await store.getRequest(requestId(1))).toBeUndefined();
        expect(await store.getPluginData(requestId(1))).toEqual({});
        expect(await store.getPluginData(requestId(2))).toEqual({ slack: { ts: '3.4' } });
        const last = (await allEvents()).at(-1);
        expect(last).toEqual({ position: deleted.position, timeMs: clock, type: 'DELETE', kind: 'access_request', name: requestId(1) });
        expect((await allAudit()).at(-1)).toMatchObject({ type: 'access_request.delete', requestId: requestId(1) });
        await expectAppError(store.deleteRequest(requestId(1), audit('x')), 'not_found');
        // The id can be reused, and the old plugin data does not come back.
        await create(1);
        expect(await store.getPluginData(requestId(1))).toEqual({});
      });
    });

    describe('plugin data', () => {
      beforeEach(async () => {
        await create(1);
      });

      it('is empty for a new request and holds every plugin\'s entry', async () => {
        expect(await store.getPluginData(requestId(1))).toEqual({});
        expect(await store.getPluginData('unknown')).toEqual({});
        expect(await store.updatePluginData(requestId(1), 'slack', { channel: 'C1', ts: '1.2' }, { ts: '' })).toEqual({ channel: 'C1', ts: '1.2' });
        expect(await store.updatePluginData(requestId(1), 'jira', { issue: 'OPS-1' }, {})).toEqual({ issue: 'OPS-1' });
        expect(await store.getPluginData(requestId(1))).toEqual({ slack: { channel: 'C1', ts: '1.2' }, jira: { issue: 'OPS-1' } });
      });

      it('set "" deletes a key, and an entry left empty disappears', async () => {
        await store.updatePluginData(requestId(1), 'slack', { channel: 'C1', ts: '1.2' }, {});
        expect(await store.updatePluginData(requestId(1), 'slack', { ts: '' }, { ts: '1.2' })).toEqual({ channel: 'C1' });
        expect(await store.updatePluginData(requestId(1), 'slack', { channel: '' }, {})).toEqual({});
        expect(await store.getPluginData(requestId(1))).toEqual({});
      });

      it('a failed expectation is aborted, names the key and changes nothing', async () => {
        await store.updatePluginData(requestId(1), 'slack', { status: 'posted' }, {});
        await expectAppError(
          store.updatePluginData(requestId(1), 'slack', { status: 'updated' }, { status: '' }),
          'aborted',
          'status',
        );
        await expectAppError(
          store.updatePluginData(requestId(1), 'pagerduty', { incident: 'P1' }, { incident: 'P0' }),
          'aborted',
          'incident',
        );
        expect(await store.getPluginData(requestId(1))).toEqual({ slack: { status: 'posted' } });
        expect(await store.updatePluginData(requestId(1), 'slack', { status: 'updated' }, { status: 'posted' })).toEqual({ status: 'updated' });
      });

      it('is not_found for an unknown request', async () => {
        await expectAppError(store.updatePluginData('unknown', 'slack', { a: 'b' }, {}), 'not_found');
      });

      it('lets exactly one of several racers with the same expectation win', async () => {
        const racers = Array.from({ length: 12 }, (_, i) => `racer-${i}`);
        const results = await Promise.allSettled(racers.map((racer) =>
          store.updatePluginData(requestId(1), 'slack', { status: racer }, { status: '' }),
        ));
        const winners = results.flatMap((r, i) => (r.status === 'fulfilled' ? [racers[i]] : []));
        expect(winners).toHaveLength(1);
        for (const r of results) {
          if (r.status === 'rejected') expect(r.reason).toMatchObject({ code: 'aborted' });
        }
        expect(await store.getPluginData(requestId(1))).toEqual({ slack: { status: winners[0] } });
      });

      it('does not append to the event log', async () => {
        await store.updatePluginData(requestId(1), 'slack', { ts: '1' }, {});
        expect(await store.lastPosition()).toBe(1);
      });
    });

    describe('users', () => {
      it('puts, gets, lists by name, replaces, and deletes with events and audit', async () => {
        const bob = await store.putUser(makeUser('bob'), audit('user.create'));
        await store.putUser(makeUser('alice'), audit('user.create'));
        expect(bob).toEqual({ value: makeUser('bob'), position: 1 });
        expect(await store.getUser('bob')).toEqual(makeUser('bob'));
        expect(await store.getUser('nobody')).toBeUndefined();
        expect((await store.listUsers()).map((u) => u.name)).toEqual(['alice', 'bob']);
        await store.putUser(makeUser('bob', { roles: ['admin'] }), audit('user.update'));
        expect((await store.getUser('bob'))?.roles).toEqual(['admin']);
        const deleted = await store.deleteUser('bob', audit('user.delete'));
        expect(deleted.value.roles).toEqual(['admin']);
        expect(await store.getUser('bob')).toBeUndefined();
        const events = await allEvents();
        expect(events.map((e) => [e.type, e.kind, e.name])).toEqual([
          ['PUT', 'user', 'bob'], ['PUT', 'user', 'alice'], ['PUT', 'user', 'bob'], ['DELETE', 'user', 'bob'],
        ]);
        expect(events[0]?.user).toEqual(makeUser('bob'));
        expect((await allAudit()).map((a) => a.type)).toEqual(['user.create', 'user.create', 'user.update', 'user.delete']);
        await expectAppError(store.deleteUser('bob', audit('user.delete')), 'not_found');
      });

      it('createOnly refuses an existing user with already_exists and writes nothing', async () => {
        await store.putUser(makeUser('bob'), audit('user.create'), { createOnly: true });
        await expectAppError(store.putUser(makeUser('bob', { roles: ['admin'] }), audit('user.create'), { createOnly: true }), 'already_exists', 'bob');
        expect(await store.getUser('bob')).toEqual(makeUser('bob'));
        expect(await store.lastPosition()).toBe(1);
        expect(await allAudit()).toHaveLength(1);
      });
    });

    describe('invites', () => {
      const invite = { tokenHash: 'hash-1', user: 'dave', expiresMs: 5_000, createdBy: 'admin' };

      it('is consumed once only', async () => {
        await store.createInvite(invite);
        expect(await store.consumeInvite('hash-1', 4_999)).toEqual(invite);
        expect(await store.consumeInvite('hash-1', 4_999)).toBeUndefined();
        expect(await store.consumeInvite('unknown', 1)).toBeUndefined();
      });

      it('refuses an expired invite', async () => {
        await store.createInvite(invite);
        expect(await store.consumeInvite('hash-1', 5_000)).toBeUndefined();
        expect(await store.consumeInvite('hash-1', 6_000)).toBeUndefined();
      });

      it('refuses a duplicate token hash, and only one concurrent consumer wins', async () => {
        await store.createInvite(invite);
        await expectAppError(store.createInvite({ ...invite, user: 'eve' }), 'already_exists');
        const results = await Promise.all(Array.from({ length: 8 }, () => store.consumeInvite('hash-1', 1)));
        expect(results.filter((r) => r !== undefined)).toEqual([invite]);
      });
    });

    describe('roles', () => {
      it('putRoles upserts several in one commit with one PUT event each', async () => {
        const committed = await store.putRoles([makeRole('dev'), makeRole('admin'), makeRole('auditor')], audit('role.put'));
        expect(committed.position).toBe(3);
        expect(committed.value.map((r) => r.name)).toEqual(['dev', 'admin', 'auditor']);
        expect((await store.listRoles()).map((r) => r.name)).toEqual(['admin', 'auditor', 'dev']);
        expect(await store.getRole('dev')).toEqual(makeRole('dev'));
        expect(await store.getRole('missing')).toBeUndefined();
        const events = await allEvents();
        expect(events.map((e) => [e.position, e.type, e.kind, e.name])).toEqual([
          [1, 'PUT', 'role', 'dev'], [2, 'PUT', 'role', 'admin'], [3, 'PUT', 'role', 'auditor'],
        ]);
        expect(events[0]?.role).toEqual(makeRole('dev'));
        expect(await allAudit()).toHaveLength(1);
        await store.putRoles([makeRole('dev', { preset: true })], audit('role.put'));
        expect((await store.getRole('dev'))?.preset).toBe(true);
      });

      it('deleteRole appends DELETE and is not_found for an unknown role', async () => {
        await store.putRoles([makeRole('dev')], audit('role.put'));
        const deleted = await store.deleteRole('dev', audit('role.delete'));
        expect(deleted).toEqual({ value: makeRole('dev'), position: 2 });
        expect(await store.getRole('dev')).toBeUndefined();
        expect((await allEvents()).at(-1)).toEqual({ position: 2, timeMs: clock, type: 'DELETE', kind: 'role', name: 'dev' });
        await expectAppError(store.deleteRole('dev', audit('role.delete')), 'not_found');
      });
    });

    describe('event log', () => {
      it('starts empty and reads in order from any position, at most limit', async () => {
        expect(await store.lastPosition()).toBe(0);
        expect(await store.readEvents(0, 10)).toEqual([]);
        for (let n = 1; n <= 7; n++) await create(n);
        expect(await store.lastPosition()).toBe(7);
        expect((await store.readEvents(0, 100)).map((e) => e.position)).toEqual([1, 2, 3, 4, 5, 6, 7]);
        expect((await store.readEvents(2, 3)).map((e) => e.name)).toEqual([3, 4, 5].map(requestId));
        expect(await store.readEvents(7, 10)).toEqual([]);
        await expectAppError(store.readEvents(-1, 10), 'invalid_argument');
      });

      it('pruneEvents drops old events, keeps the newest keepAtLeast, then refuses to read before them', async () => {
        for (let n = 1; n <= 6; n++) {
          clock = n * 1_000;
          await create(n);
        }
        // Older than 4000 are 1..3, but the newest 4 (3..6) are kept.
        expect(await store.pruneEvents(4_000, 4)).toBe(2);
        await expectAppError(store.readEvents(0, 10), 'out_of_range');
        await expectAppError(store.readEvents(1, 10), 'out_of_range');
        expect((await store.readEvents(2, 10)).map((e) => e.position)).toEqual([3, 4, 5, 6]);
        expect(await store.pruneEvents(4_000, 0)).toBe(1);
        expect((await store.readEvents(3, 10)).map((e) => e.position)).toEqual([4, 5, 6]);
        expect(await store.pruneEvents(1_000_000, 0)).toBe(3);
        expect(await store.lastPosition()).toBe(6);
        expect(await store.readEvents(6, 10)).toEqual([]);
        await expectAppError(store.readEvents(5, 10), 'out_of_range');
        expect(await store.pruneEvents(1_000_000, 10)).toBe(0);
        const next = await create(7);
        expect(next.position).toBe(7);
        expect((await store.readEvents(6, 10)).map((e) => e.position)).toEqual([7]);
      });

      it('onAppend reports the newest position after each commit until unsubscribed', async () => {
        const seen: number[] = [];
        const unsubscribe = store.onAppend((position) => seen.push(position));
        const throwing = store.onAppend(() => { throw new Error('listener bug'); });
        await create(1);
        await store.putRoles([makeRole('a'), makeRole('b')], audit('role.put'));
        await eventually(() => expect(seen).toEqual([1, 3]));
        await expect(store.updateRequest(requestId(1), () => { throw new AppError('aborted', 'no'); })).rejects.toThrow();
        await store.updatePluginData(requestId(1), 'slack', { a: 'b' }, {});
        unsubscribe();
        unsubscribe();
        throwing();
        await create(2);
        await settle();
        expect(seen).toEqual([1, 3]);
        expect(await store.lastPosition()).toBe(4);
      });

      it('events passed to onAppend, when a backend passes them, are exactly the committed ones', async () => {
        const batches: Array<{ position: number; events: readonly StoredEvent[] | undefined }> = [];
        store.onAppend((position, events) => batches.push({ position, events }));
        // Concurrent writes, one of which fails: it must not appear.
        await Promise.all([
          create(1),
          store.putRoles([makeRole('a'), makeRole('b')], audit('role.put')),
          store.updateRequest(requestId(99), (r) => ({ request: r, audit: audit('x') })).catch(() => undefined),
          create(2),
        ]);
        await eventually(() => expect(batches.at(-1)?.position).toBe(4));
        const passed = batches.flatMap((b) => b.events ?? []);
        if (batches.some((b) => b.events !== undefined)) {
          expect(passed).toEqual(await store.readEvents(0, 100));
          for (const b of batches) expect(b.events?.at(-1)?.position ?? b.position).toBe(b.position);
        }
      });
    });

    describe('audit', () => {
      it('appendAudit records a standalone entry with id and store time', async () => {
        clock = 42_000;
        const entry = await store.appendAudit(audit('cert.create', '', 'alice', { ttl: '1h', roles: ['dba'] }));
        expect(entry).toEqual({ id: expect.any(Number), timeMs: 42_000, type: 'cert.create', actor: 'alice', requestId: '', details: { ttl: '1h', roles: ['dba'] } });
        expect(await allAudit()).toEqual([entry]);
        expect(await store.lastPosition()).toBe(0);
      });

      it('searchAudit filters by type, request, actor and time and pages in id order', async () => {
        const entries: AuditEvent[] = [];
        for (let i = 0; i < 10; i++) {
          clock = 10_000 + i * 1_000;
          entries.push(await store.appendAudit(audit(i % 2 === 0 ? 'user.login' : 'cert.create', i < 5 ? 'r1' : 'r2', i % 3 === 0 ? 'alice' : 'bob')));
        }
        const ids = async (query: Omit<Parameters<Store['searchAudit']>[0], 'pageSize'>) =>
          (await store.searchAudit({ pageSize: 100, ...query })).items.map((e) => entries.findIndex((x) => x.id === e.id));
        expect(await ids({})).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
        expect(await ids({ type: 'user.login' })).toEqual([0, 2, 4, 6, 8]);
        expect(await ids({ requestId: 'r2' })).toEqual([5, 6, 7, 8, 9]);
        expect(await ids({ actor: 'alice' })).toEqual([0, 3, 6, 9]);
        expect(await ids({ sinceMs: 12_000, untilMs: 15_000 })).toEqual([2, 3, 4]);
        expect(await ids({ type: 'cert.create', requestId: 'r1', actor: 'bob', sinceMs: 11_000 })).toEqual([1]);
        expect(await ids({ type: '', requestId: '', actor: '' })).toHaveLength(10);
        const seen: number[] = [];
        let pageToken = '';
        do {
          const page = await store.searchAudit({ pageSize: 3, pageToken, type: 'user.login' });
          seen.push(...page.items.map((e) => e.id));
          pageToken = page.nextPageToken;
        } while (pageToken !== '');
        expect(seen).toEqual([0, 2, 4, 6, 8].map((i) => entries[i]?.id));
        await expectAppError(store.searchAudit({ pageSize: 0 }), 'invalid_argument');
        await expectAppError(store.searchAudit({ pageSize: 5, pageToken: Buffer.from('{"k":"x"}').toString('base64url') }), 'invalid_argument');
      });
    });

    describe('lifecycle', () => {
      it('close is idempotent and later calls fail with an AppError', async () => {
        await create(1);
        await store.close();
        await store.close();
        await expect(store.getRequest(requestId(1))).rejects.toBeInstanceOf(AppError);
      });
    });
  });
}

/** Asserts that `promise` rejects with an AppError of `code` whose message mentions `mentions`. */
export async function expectAppError(promise: Promise<unknown>, code: ErrorCode, mentions?: string): Promise<AppError> {
  const err = await promise.then(
    () => { throw new Error(`expected AppError ${code}, but the call succeeded`); },
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(AppError);
  expect(err).toMatchObject({ code });
  if (mentions !== undefined) expect(String((err as Error).message)).toContain(mentions);
  return err as AppError;
}

/** Retries `check` until it passes (listeners may run in a microtask or after a NOTIFY). */
export async function eventually(check: () => void, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      check();
      return;
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }
}

/** Lets pending microtasks, timers and notifications run. */
export async function settle(ms = 50): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, ms));
}
