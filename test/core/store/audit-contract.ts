import { describe, expect, it } from 'vitest';
import type { AuditEvent } from '../../../core/domain/types.ts';
import type { Store } from '../../../core/store/store.ts';
import type { StoreContractContext } from './store-contract-context.ts';
import { audit, expectAppError } from './store-fixtures.ts';

/** The Store contract for the audit log: standalone entries and search. */
export function describeAuditContract(ctx: StoreContractContext): void {
  const { allAudit } = ctx;

  describe('audit', () => {
    it('appendAudit records a standalone entry with id and store time', async () => {
      ctx.clock = 42_000;
      const entry = await ctx.store.appendAudit(audit('cert.create', '', 'alice', { ttl: '1h', roles: ['dba'] }));
      expect(entry).toEqual({ id: expect.any(Number), timeMs: 42_000, type: 'cert.create', actor: 'alice', requestId: '', details: { ttl: '1h', roles: ['dba'] } });
      expect(await allAudit()).toEqual([entry]);
      expect(await ctx.store.lastPosition()).toBe(0);
    });

    it('searchAudit filters by type, request, actor and time and pages in id order', async () => {
      const entries: AuditEvent[] = [];
      for (let i = 0; i < 10; i++) {
        ctx.clock = 10_000 + i * 1_000;
        entries.push(await ctx.store.appendAudit(audit(i % 2 === 0 ? 'user.login' : 'cert.create', i < 5 ? 'r1' : 'r2', i % 3 === 0 ? 'alice' : 'bob')));
      }
      const ids = async (query: Omit<Parameters<Store['searchAudit']>[0], 'pageSize'>) =>
        (await ctx.store.searchAudit({ pageSize: 100, ...query })).items.map((e) => entries.findIndex((x) => x.id === e.id));
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
        const page = await ctx.store.searchAudit({ pageSize: 3, pageToken, type: 'user.login' });
        seen.push(...page.items.map((e) => e.id));
        pageToken = page.nextPageToken;
      } while (pageToken !== '');
      expect(seen).toEqual([0, 2, 4, 6, 8].map((i) => entries[i]?.id));
      const newest: number[] = [];
      do {
        const page = await ctx.store.searchAudit({ pageSize: 2, pageToken, actor: 'bob', newestFirst: true });
        newest.push(...page.items.map((e) => e.id));
        pageToken = page.nextPageToken;
      } while (pageToken !== '');
      expect(newest).toEqual([8, 7, 5, 4, 2, 1].map((i) => entries[i]?.id));
      await expectAppError(ctx.store.searchAudit({ pageSize: 0 }), 'invalid_argument');
      await expectAppError(ctx.store.searchAudit({ pageSize: 5, pageToken: Buffer.from('{"k":"x"}').toString('base64url') }), 'invalid_argument');
    });
  });
}
