import { beforeEach, describe, expect, it } from 'vitest';
import type { StoreContractContext } from './store-contract-context.ts';
import { expectAppError, requestId } from './store-fixtures.ts';

/** The Store contract for plugin data: per-plugin entries on a request, updated by compare-and-swap. */
export function describePluginDataContract(ctx: StoreContractContext): void {
  const { create } = ctx;

  describe('plugin data', () => {
    beforeEach(async () => {
      await create(1);
    });

    it('is empty for a new request and holds every plugin\'s entry', async () => {
      expect(await ctx.store.getPluginData(requestId(1))).toEqual({});
      expect(await ctx.store.getPluginData('unknown')).toEqual({});
      expect(await ctx.store.updatePluginData(requestId(1), 'slack', { channel: 'C1', ts: '1.2' }, { ts: '' })).toEqual({ channel: 'C1', ts: '1.2' });
      expect(await ctx.store.updatePluginData(requestId(1), 'jira', { issue: 'OPS-1' }, {})).toEqual({ issue: 'OPS-1' });
      expect(await ctx.store.getPluginData(requestId(1))).toEqual({ slack: { channel: 'C1', ts: '1.2' }, jira: { issue: 'OPS-1' } });
    });

    it('set "" deletes a key, and an entry left empty disappears', async () => {
      await ctx.store.updatePluginData(requestId(1), 'slack', { channel: 'C1', ts: '1.2' }, {});
      expect(await ctx.store.updatePluginData(requestId(1), 'slack', { ts: '' }, { ts: '1.2' })).toEqual({ channel: 'C1' });
      expect(await ctx.store.updatePluginData(requestId(1), 'slack', { channel: '' }, {})).toEqual({});
      expect(await ctx.store.getPluginData(requestId(1))).toEqual({});
    });

    it('a failed expectation is aborted, names the key and changes nothing', async () => {
      await ctx.store.updatePluginData(requestId(1), 'slack', { status: 'posted' }, {});
      await expectAppError(
        ctx.store.updatePluginData(requestId(1), 'slack', { status: 'updated' }, { status: '' }),
        'aborted',
        'status',
      );
      await expectAppError(
        ctx.store.updatePluginData(requestId(1), 'pagerduty', { incident: 'P1' }, { incident: 'P0' }),
        'aborted',
        'incident',
      );
      expect(await ctx.store.getPluginData(requestId(1))).toEqual({ slack: { status: 'posted' } });
      expect(await ctx.store.updatePluginData(requestId(1), 'slack', { status: 'updated' }, { status: 'posted' })).toEqual({ status: 'updated' });
    });

    it('is not_found for an unknown request', async () => {
      await expectAppError(ctx.store.updatePluginData('unknown', 'slack', { a: 'b' }, {}), 'not_found');
    });

    it('lets exactly one of several racers with the same expectation win', async () => {
      const racers = Array.from({ length: 12 }, (_, i) => `racer-${i}`);
      const results = await Promise.allSettled(racers.map((racer) =>
        ctx.store.updatePluginData(requestId(1), 'slack', { status: racer }, { status: '' }),
      ));
      const winners = results.flatMap((r, i) => (r.status === 'fulfilled' ? [racers[i]] : []));
      expect(winners).toHaveLength(1);
      for (const r of results) {
        if (r.status === 'rejected') expect(r.reason).toMatchObject({ code: 'aborted' });
      }
      expect(await ctx.store.getPluginData(requestId(1))).toEqual({ slack: { status: winners[0] } });
    });

    it('does not append to the event log', async () => {
      await ctx.store.updatePluginData(requestId(1), 'slack', { ts: '1' }, {});
      expect(await ctx.store.lastPosition()).toBe(1);
    });
  });
}
