import { describe, expect, it } from 'vitest';
import { AppError } from '../../../core/domain/app-error.ts';
import { firstRequestIdAt } from '../../../core/domain/request-id.ts';
import type { AccessRequest } from '../../../core/domain/types.ts';
import type { Store } from '../../../core/store/store.ts';
import type { StoreContractContext } from './store-contract-context.ts';
import { audit, expectAppError, makeRequest, requestId } from './store-fixtures.ts';

/** The Store contract for access requests: create, list and filter, update (reviews), delete. */
export function describeRequestContract(ctx: StoreContractContext): void {
  const { allEvents, allAudit, create } = ctx;

  describe('access requests', () => {
    it('creates with revision 1, the store time, one PUT event and one audit entry', async () => {
      ctx.clock = 1_234_567;
      const committed = await create(1);
      expect(committed.value).toEqual({ ...makeRequest(1), revision: 1, updatedMs: 1_234_567 });
      expect(committed.position).toBe(1);
      expect(await ctx.store.getRequest(requestId(1))).toEqual(committed.value);
      expect(await ctx.store.getRequest(requestId(2))).toBeUndefined();
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
      expect((await ctx.store.getRequest(requestId(1)))?.reason).toBe('need access 1');
      expect(await allEvents()).toHaveLength(1);
      expect(await allAudit()).toHaveLength(1);
      expect(await ctx.store.lastPosition()).toBe(1);
    });

    it('lists by id ascending and pages with opaque tokens', async () => {
      for (const n of [3, 1, 5, 2, 4]) await create(n);
      const seen: string[] = [];
      let pageToken = '';
      let pages = 0;
      do {
        const page = await ctx.store.listRequests({ pageSize: 2, pageToken });
        expect(page.items.length).toBeLessThanOrEqual(2);
        seen.push(...page.items.map((r) => r.id));
        pageToken = page.nextPageToken;
        pages++;
      } while (pageToken !== '');
      expect(pages).toBe(3);
      expect(seen).toEqual([1, 2, 3, 4, 5].map(requestId));
      const exact = await ctx.store.listRequests({ pageSize: 5 });
      expect(exact.items).toHaveLength(5);
      expect(exact.nextPageToken).toBe('');
      expect(await ctx.store.listRequests({ pageSize: 10, ids: ['nope'] })).toEqual({ items: [], nextPageToken: '' });
    });

    it('lists newest first when asked, paging backwards with filters kept', async () => {
      for (const n of [3, 1, 5, 2, 4]) await create(n, { state: n % 2 === 0 ? 'APPROVED' : 'PENDING' });
      const seen: string[] = [];
      let pageToken = '';
      do {
        const page = await ctx.store.listRequests({ pageSize: 2, pageToken, newestFirst: true });
        seen.push(...page.items.map((r) => r.id));
        pageToken = page.nextPageToken;
      } while (pageToken !== '');
      expect(seen).toEqual([5, 4, 3, 2, 1].map(requestId));
      const pending = await ctx.store.listRequests({ pageSize: 1, states: ['PENDING'], newestFirst: true });
      expect(pending.items.map((r) => r.id)).toEqual([requestId(5)]);
      const next = await ctx.store.listRequests({ pageSize: 5, states: ['PENDING'], newestFirst: true, pageToken: pending.nextPageToken });
      expect(next.items.map((r) => r.id)).toEqual([3, 1].map(requestId));
    });

    it('filters by states, users and ids (empty lists mean no filter)', async () => {
      await create(1, { state: 'PENDING', user: 'alice' });
      await create(2, { state: 'APPROVED', user: 'bob' });
      await create(3, { state: 'DENIED', user: 'alice' });
      await create(4, { state: 'PENDING', user: 'carol' });
      const ids = async (query: Omit<Parameters<Store['listRequests']>[0], 'pageSize'>) =>
        (await ctx.store.listRequests({ pageSize: 100, ...query })).items.map((r) => Number(r.id.slice(-2)));
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
        (await ctx.store.listRequests({ pageSize: 100, expiringBeforeMs, ...(states ? { states } : {}) })).items.map((r) =>
          Number(r.id.slice(-2)),
        );
      expect(await ids(100)).toEqual([]); // strictly before
      expect(await ids(101)).toEqual([1, 3]);
      expect(await ids(501)).toEqual([1, 2, 3, 4]);
      expect(await ids(501, ['APPROVED'])).toEqual([3, 4]);
    });

    it('createdSinceMs selects requests created at or after a time, by their UUIDv7 ids', async () => {
      // Ids made at three times, as newRequestId would: the time, in hex, leads the id.
      const madeAt = (ms: number, n: number): string => `${firstRequestIdAt(ms).slice(0, 24)}${String(n).padStart(12, '0')}`;
      const t = Date.UTC(2026, 11, 1);
      for (const [n, ms, state] of [[1, t - 1, 'DENIED'], [2, t, 'DENIED'], [3, t, 'PENDING'], [4, t + 86_400_000, 'EXPIRED']] as const) {
        await ctx.store.createRequest(makeRequest(n, { id: madeAt(ms, n), state }), audit('access_request.create', madeAt(ms, n)));
      }
      const ns = async (query: Omit<Parameters<Store['listRequests']>[0], 'pageSize'>, pageSize = 100) =>
        (await ctx.store.listRequests({ pageSize, ...query })).items.map((r) => Number(r.id.slice(-2)));
      expect(await ns({ createdSinceMs: t })).toEqual([2, 3, 4]);
      expect(await ns({ createdSinceMs: t + 1 })).toEqual([4]);
      expect(await ns({ createdSinceMs: 0 })).toEqual([1, 2, 3, 4]);
      expect(await ns({ createdSinceMs: t, states: ['DENIED', 'EXPIRED'] })).toEqual([2, 4]);
      const first = await ctx.store.listRequests({ pageSize: 1, createdSinceMs: t });
      expect(first.items.map((r) => Number(r.id.slice(-2)))).toEqual([2]);
      expect(await ns({ createdSinceMs: t, pageToken: first.nextPageToken })).toEqual([3, 4]);
    });

    it('rejects a bad page size or page token with invalid_argument', async () => {
      await expectAppError(ctx.store.listRequests({ pageSize: 0 }), 'invalid_argument');
      await expectAppError(ctx.store.listRequests({ pageSize: 1001 }), 'invalid_argument');
      await expectAppError(ctx.store.listRequests({ pageSize: 10, pageToken: 'not a token!' }), 'invalid_argument');
      await expectAppError(ctx.store.listRequests({ pageSize: 10, pageToken: Buffer.from('{"k":1}').toString('base64url') }), 'invalid_argument');
    });

    it('updateRequest bumps the revision and appends its event and audit entry together', async () => {
      const created = await create(1);
      ctx.clock += 5_000;
      const updated = await ctx.store.updateRequest(requestId(1), (current) => {
        expect(current).toEqual(created.value);
        return {
          request: { ...current, state: 'APPROVED', resolvedBy: 'bob', revision: 999, updatedMs: 1 },
          audit: audit('access_request.update', current.id, 'bob', { state: 'APPROVED' }),
        };
      });
      expect(updated.value).toEqual({ ...created.value, state: 'APPROVED', resolvedBy: 'bob', revision: 2, updatedMs: ctx.clock });
      expect(updated.position).toBe(2);
      expect(await ctx.store.getRequest(requestId(1))).toEqual(updated.value);
      expect((await ctx.store.readEvents(1, 10))).toEqual([
        { position: 2, timeMs: ctx.clock, type: 'PUT', kind: 'access_request', name: requestId(1), request: updated.value },
      ]);
      const entries = await allAudit();
      expect(entries.at(-1)).toMatchObject({ type: 'access_request.update', actor: 'bob', timeMs: ctx.clock, details: { state: 'APPROVED' } });
      expect((await ctx.store.listRequests({ pageSize: 10, states: ['APPROVED'] })).items).toHaveLength(1);
    });

    it('a throwing change writes nothing and its error reaches the caller', async () => {
      await create(1);
      const before = { events: await allEvents(), audit: await allAudit(), request: await ctx.store.getRequest(requestId(1)) };
      const refusal = new AppError('failed_precondition', 'request is already resolved');
      await expect(ctx.store.updateRequest(requestId(1), () => { throw refusal; })).rejects.toBe(refusal);
      expect(await allEvents()).toEqual(before.events);
      expect(await allAudit()).toEqual(before.audit);
      expect(await ctx.store.getRequest(requestId(1))).toEqual(before.request);
      expect(await ctx.store.lastPosition()).toBe(1);
    });

    it('updateRequest on an unknown id is not_found and never calls change', async () => {
      let called = false;
      await expectAppError(ctx.store.updateRequest('missing', (current) => {
        called = true;
        return { request: current, audit: audit('x') };
      }), 'not_found', 'missing');
      expect(called).toBe(false);
    });

    it('loses no update when 20 run concurrently on one request', async () => {
      await create(1);
      const reviewers = Array.from({ length: 20 }, (_, i) => `reviewer-${i}`);
      const results = await Promise.all(reviewers.map((author) =>
        ctx.store.updateRequest(requestId(1), (current) => ({
          request: {
            ...current,
            reviews: [...current.reviews, { author, submittedBy: '', proposedState: 'APPROVED', reason: '', createdMs: 1, thresholdIndexes: [0] }],
          },
          audit: audit('access_request.review', current.id, author),
        })),
      ));
      const final = await ctx.store.getRequest(requestId(1));
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
      await ctx.store.updatePluginData(requestId(1), 'slack', { ts: '1.2' }, {});
      await ctx.store.updatePluginData(requestId(2), 'slack', { ts: '3.4' }, {});
      const deleted = await ctx.store.deleteRequest(requestId(1), audit('access_request.delete', requestId(1), 'admin'));
      expect(deleted.value).toEqual(created.value);
      expect(await ctx.store.getRequest(requestId(1))).toBeUndefined();
      expect(await ctx.store.getPluginData(requestId(1))).toEqual({});
      expect(await ctx.store.getPluginData(requestId(2))).toEqual({ slack: { ts: '3.4' } });
      const last = (await allEvents()).at(-1);
      expect(last).toEqual({ position: deleted.position, timeMs: ctx.clock, type: 'DELETE', kind: 'access_request', name: requestId(1), owner: 'alice' });
      expect((await allAudit()).at(-1)).toMatchObject({ type: 'access_request.delete', requestId: requestId(1) });
      await expectAppError(ctx.store.deleteRequest(requestId(1), audit('x')), 'not_found');
      // The id can be reused, and the old plugin data does not come back.
      await create(1);
      expect(await ctx.store.getPluginData(requestId(1))).toEqual({});
    });
  });
}
