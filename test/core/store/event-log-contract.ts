import { describe, expect, it } from 'vitest';
import { AppError } from '../../../core/domain/app-error.ts';
import type { StoredEvent } from '../../../core/domain/types.ts';
import type { StoreContractContext } from './store-contract-context.ts';
import { audit, eventually, expectAppError, makeRole, requestId, settle } from './store-fixtures.ts';

/** The Store contract for the event log: reading, pruning and onAppend notifications. */
export function describeEventLogContract(ctx: StoreContractContext): void {
  const { create } = ctx;

  describe('event log', () => {
    it('starts empty and reads in order from any position, at most limit', async () => {
      expect(await ctx.store.lastPosition()).toBe(0);
      expect(await ctx.store.readEvents(0, 10)).toEqual([]);
      for (let n = 1; n <= 7; n++) await create(n);
      expect(await ctx.store.lastPosition()).toBe(7);
      expect((await ctx.store.readEvents(0, 100)).map((e) => e.position)).toEqual([1, 2, 3, 4, 5, 6, 7]);
      expect((await ctx.store.readEvents(2, 3)).map((e) => e.name)).toEqual([3, 4, 5].map(requestId));
      expect(await ctx.store.readEvents(7, 10)).toEqual([]);
      await expectAppError(ctx.store.readEvents(-1, 10), 'invalid_argument');
    });

    it('pruneEvents drops old events, keeps the newest keepAtLeast, then refuses to read before them', async () => {
      for (let n = 1; n <= 6; n++) {
        ctx.clock = n * 1_000;
        await create(n);
      }
      // Older than 4000 are 1..3, but the newest 4 (3..6) are kept.
      expect(await ctx.store.pruneEvents(4_000, 4)).toBe(2);
      await expectAppError(ctx.store.readEvents(0, 10), 'out_of_range');
      await expectAppError(ctx.store.readEvents(1, 10), 'out_of_range');
      expect((await ctx.store.readEvents(2, 10)).map((e) => e.position)).toEqual([3, 4, 5, 6]);
      expect(await ctx.store.pruneEvents(4_000, 0)).toBe(1);
      expect((await ctx.store.readEvents(3, 10)).map((e) => e.position)).toEqual([4, 5, 6]);
      expect(await ctx.store.pruneEvents(1_000_000, 0)).toBe(3);
      expect(await ctx.store.lastPosition()).toBe(6);
      expect(await ctx.store.readEvents(6, 10)).toEqual([]);
      await expectAppError(ctx.store.readEvents(5, 10), 'out_of_range');
      expect(await ctx.store.pruneEvents(1_000_000, 10)).toBe(0);
      const next = await create(7);
      expect(next.position).toBe(7);
      expect((await ctx.store.readEvents(6, 10)).map((e) => e.position)).toEqual([7]);
    });

    it('onAppend reports the newest position after each commit until unsubscribed', async () => {
      const seen: number[] = [];
      const unsubscribe = ctx.store.onAppend((position) => seen.push(position));
      const throwing = ctx.store.onAppend(() => { throw new Error('listener bug'); });
      await create(1);
      await ctx.store.putRoles([makeRole('a'), makeRole('b')], audit('role.put'));
      await eventually(() => expect(seen).toEqual([1, 3]));
      await expect(ctx.store.updateRequest(requestId(1), () => { throw new AppError('aborted', 'no'); })).rejects.toThrow();
      await ctx.store.updatePluginData(requestId(1), 'slack', { a: 'b' }, {});
      unsubscribe();
      unsubscribe();
      throwing();
      await create(2);
      await settle();
      expect(seen).toEqual([1, 3]);
      expect(await ctx.store.lastPosition()).toBe(4);
    });

    it('events passed to onAppend, when a backend passes them, are exactly the committed ones', async () => {
      const batches: Array<{ position: number; events: readonly StoredEvent[] | undefined }> = [];
      ctx.store.onAppend((position, events) => batches.push({ position, events }));
      // Concurrent writes, one of which fails: it must not appear.
      await Promise.all([
        create(1),
        ctx.store.putRoles([makeRole('a'), makeRole('b')], audit('role.put')),
        ctx.store.updateRequest(requestId(99), (r) => ({ request: r, audit: audit('x') })).catch(() => undefined),
        create(2),
      ]);
      await eventually(() => expect(batches.at(-1)?.position).toBe(4));
      const passed = batches.flatMap((b) => b.events ?? []);
      if (batches.some((b) => b.events !== undefined)) {
        expect(passed).toEqual(await ctx.store.readEvents(0, 100));
        for (const b of batches) expect(b.events?.at(-1)?.position ?? b.position).toBe(b.position);
      }
    });
  });
}
