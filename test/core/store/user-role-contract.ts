import { describe, expect, it } from 'vitest';
import type { StoreContractContext } from './store-contract-context.ts';
import type { User } from '../../../core/domain/types.ts';
import { audit, expectAppError, makeRole, makeUser } from './store-fixtures.ts';

/** The Store contract for users, their one-time invites, and roles. */
export function describeUserRoleContract(ctx: StoreContractContext): void {
  const { allEvents, allAudit } = ctx;

  describe('users', () => {
    it('puts, gets, lists by name, replaces, and deletes with events and audit', async () => {
      const bob = await ctx.store.putUser(makeUser('bob'), audit('user.create'));
      await ctx.store.putUser(makeUser('alice'), audit('user.create'));
      expect(bob).toEqual({ value: { ...makeUser('bob'), incarnation: expect.stringMatching(/^[0-9a-f-]{36}$/) }, position: 1 });
      expect(await ctx.store.getUser('bob')).toEqual(bob.value);
      expect(await ctx.store.getUser('nobody')).toBeUndefined();
      expect((await ctx.store.listUsers()).map((u) => u.name)).toEqual(['alice', 'bob']);
      await ctx.store.putUser(makeUser('bob', { roles: ['admin'] }), audit('user.update'));
      expect((await ctx.store.getUser('bob'))?.roles).toEqual(['admin']);
      const deleted = await ctx.store.deleteUser('bob', audit('user.delete'));
      expect(deleted.value.roles).toEqual(['admin']);
      expect(await ctx.store.getUser('bob')).toBeUndefined();
      const events = await allEvents();
      expect(events.map((e) => [e.type, e.kind, e.name])).toEqual([
        ['PUT', 'user', 'bob'], ['PUT', 'user', 'alice'], ['PUT', 'user', 'bob'], ['DELETE', 'user', 'bob'],
      ]);
      expect(events[0]?.user).toEqual(bob.value);
      expect((await allAudit()).map((a) => a.type)).toEqual(['user.create', 'user.create', 'user.update', 'user.delete']);
      await expectAppError(ctx.store.deleteUser('bob', audit('user.delete')), 'not_found');
    });

    it('createOnly refuses an existing user with already_exists and writes nothing', async () => {
      const bob = await ctx.store.putUser(makeUser('bob'), audit('user.create'), { createOnly: true });
      await expectAppError(ctx.store.putUser(makeUser('bob', { roles: ['admin'] }), audit('user.create'), { createOnly: true }), 'already_exists', 'bob');
      expect(await ctx.store.getUser('bob')).toEqual(bob.value);
      expect(await ctx.store.lastPosition()).toBe(1);
      expect(await allAudit()).toHaveLength(1);
    });

    it('gives a user an incarnation when created, keeps it through updates, and a new one after a delete', async () => {
      const first = (await ctx.store.putUser(makeUser('bob'), audit('user.create'), { createOnly: true })).value;
      const other = (await ctx.store.putUser(makeUser('alice'), audit('user.create'))).value;
      expect(first.incarnation).not.toBe(other.incarnation);
      const updated = await ctx.store.putUser(makeUser('bob', { roles: ['admin'], traits: {} }), audit('user.update'));
      expect(updated.value).toEqual({ ...makeUser('bob', { roles: ['admin'], traits: {} }), incarnation: first.incarnation });
      // An incarnation the caller passes along (read before a delete and re-create) is ignored.
      const stale: User = { ...makeUser('bob'), incarnation: 'stale' };
      expect((await ctx.store.putUser(stale, audit('user.update'))).value.incarnation).toBe(first.incarnation);
      expect((await ctx.store.listUsers()).map((u) => [u.name, u.incarnation])).toEqual([['alice', other.incarnation], ['bob', first.incarnation]]);

      expect((await ctx.store.deleteUser('bob', audit('user.delete'))).value.incarnation).toBe(first.incarnation);
      const again = (await ctx.store.putUser(makeUser('bob'), audit('user.create'), { createOnly: true })).value;
      expect(again.incarnation).toMatch(/^[0-9a-f-]{36}$/);
      expect(again.incarnation).not.toBe(first.incarnation);
      expect((await ctx.store.getUser('bob'))?.incarnation).toBe(again.incarnation);
      // Re-created through an upsert (no createOnly) too.
      await ctx.store.deleteUser('bob', audit('user.delete'));
      const upserted = (await ctx.store.putUser(stale, audit('user.create'))).value;
      expect([first.incarnation, again.incarnation, 'stale']).not.toContain(upserted.incarnation);
      const puts = (await allEvents()).filter((e) => e.type === 'PUT' && e.name === 'bob').map((e) => e.user?.incarnation);
      expect(puts).toEqual([first.incarnation, first.incarnation, first.incarnation, again.incarnation, upserted.incarnation]);
    });
  });

  describe('invites', () => {
    const invite = { tokenHash: 'hash-1', user: 'dave', incarnation: 'dave-1', expiresMs: 5_000, createdBy: 'admin' };

    it('is consumed once only', async () => {
      await ctx.store.createInvite(invite);
      expect(await ctx.store.consumeInvite('hash-1', 4_999)).toEqual(invite);
      expect(await ctx.store.consumeInvite('hash-1', 4_999)).toBeUndefined();
      expect(await ctx.store.consumeInvite('unknown', 1)).toBeUndefined();
    });

    it('refuses an expired invite', async () => {
      await ctx.store.createInvite(invite);
      expect(await ctx.store.consumeInvite('hash-1', 5_000)).toBeUndefined();
      expect(await ctx.store.consumeInvite('hash-1', 6_000)).toBeUndefined();
    });

    it('refuses a duplicate token hash, and only one concurrent consumer wins', async () => {
      await ctx.store.createInvite(invite);
      await expectAppError(ctx.store.createInvite({ ...invite, user: 'eve' }), 'already_exists');
      const results = await Promise.all(Array.from({ length: 8 }, () => ctx.store.consumeInvite('hash-1', 1)));
      expect(results.filter((r) => r !== undefined)).toEqual([invite]);
    });
  });

  describe('roles', () => {
    it('putRoles upserts several in one commit with one PUT event each', async () => {
      const committed = await ctx.store.putRoles([makeRole('dev'), makeRole('admin'), makeRole('auditor')], audit('role.put'));
      expect(committed.position).toBe(3);
      expect(committed.value.map((r) => r.name)).toEqual(['dev', 'admin', 'auditor']);
      expect((await ctx.store.listRoles()).map((r) => r.name)).toEqual(['admin', 'auditor', 'dev']);
      expect(await ctx.store.getRole('dev')).toEqual(makeRole('dev'));
      expect(await ctx.store.getRole('missing')).toBeUndefined();
      const events = await allEvents();
      expect(events.map((e) => [e.position, e.type, e.kind, e.name])).toEqual([
        [1, 'PUT', 'role', 'dev'], [2, 'PUT', 'role', 'admin'], [3, 'PUT', 'role', 'auditor'],
      ]);
      expect(events[0]?.role).toEqual(makeRole('dev'));
      expect(await allAudit()).toHaveLength(1);
      await ctx.store.putRoles([makeRole('dev', { preset: true })], audit('role.put'));
      expect((await ctx.store.getRole('dev'))?.preset).toBe(true);
    });

    it('deleteRole appends DELETE and is not_found for an unknown role', async () => {
      await ctx.store.putRoles([makeRole('dev')], audit('role.put'));
      const deleted = await ctx.store.deleteRole('dev', audit('role.delete'));
      expect(deleted).toEqual({ value: makeRole('dev'), position: 2 });
      expect(await ctx.store.getRole('dev')).toBeUndefined();
      expect((await allEvents()).at(-1)).toEqual({ position: 2, timeMs: ctx.clock, type: 'DELETE', kind: 'role', name: 'dev' });
      await expectAppError(ctx.store.deleteRole('dev', audit('role.delete')), 'not_found');
    });
  });
}
