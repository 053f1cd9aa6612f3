import { describe, expect, it } from 'vitest';
import { AppError } from '../../../core/domain/app-error.ts';
import { describeAuditContract } from './audit-contract.ts';
import { describeEventLogContract } from './event-log-contract.ts';
import { describePluginDataContract } from './plugin-data-contract.ts';
import { describeRequestContract } from './request-contract.ts';
import { useFreshStore } from './store-contract-context.ts';
import type { MakeStore } from './store-contract-context.ts';
import { requestId } from './store-fixtures.ts';
import { describeUserRoleContract } from './user-role-contract.ts';

export type { ContractStoreOptions, MakeStore } from './store-contract-context.ts';

/**
 * The Store contract (core/store/store.ts), run unchanged against every backend. Each test
 * gets a fresh, empty store from `makeStore`; `cleanup` closes it and removes its data.
 * The parts live in `*-contract.ts` beside this file.
 */
export function describeStoreContract(name: string, makeStore: MakeStore): void {
  describe(`Store contract: ${name}`, () => {
    const ctx = useFreshStore(makeStore);

    describeRequestContract(ctx);
    describePluginDataContract(ctx);
    describeUserRoleContract(ctx);
    describeEventLogContract(ctx);
    describeAuditContract(ctx);

    describe('lifecycle', () => {
      it('tells its observer how long each commit (and sync to disk) took, counting every write once', async () => {
        await ctx.create(1);
        await Promise.all([ctx.create(2), ctx.create(3)]);
        const total = (stage: string): number => ctx.observed.filter((o) => o.stage === stage).reduce((sum, o) => sum + o.writes, 0);
        expect(total('commit')).toBe(3);
        // SQLite syncs its WAL apart from the commit; PostgreSQL's commit includes its WAL flush.
        expect([0, 3]).toContain(total('sync'));
        for (const o of ctx.observed) expect(o.seconds).toBeGreaterThanOrEqual(0);
        for (const o of ctx.observed) expect(o.seconds).toBeLessThan(10);
      });


      it('close is idempotent and later calls fail with an AppError', async () => {
        await ctx.create(1);
        await ctx.store.close();
        await ctx.store.close();
        await expect(ctx.store.getRequest(requestId(1))).rejects.toBeInstanceOf(AppError);
      });
    });
  });
}
