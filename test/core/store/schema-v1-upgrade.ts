import { expect } from 'vitest';
import type { User } from '../../../core/domain/types.ts';
import type { Store } from '../../../core/store/store.ts';
import type { V1Invite, V1User } from '../../support/schema-v1.ts';
import { audit } from './store-fixtures.ts';

/** The rows of the version 1 database both backends' upgrade tests start from. */
export const V1_USERS: readonly V1User[] = [{ name: 'olga', roles: ['sres'], traits: { email: ['olga@example.com'] }, createdMs: 500 }];
export const V1_INVITES: readonly V1Invite[] = [{ tokenHash: 'hash-olga', user: 'olga', expiresMs: 10_000, createdBy: 'admin' }];

/**
 * What every backend must make of the version 1 rows above once migrated: the user and its
 * invite keep their data and get the incarnation `""` (accepting the certificates of before,
 * see core/auth/incarnation-mismatch.ts), an update keeps it, and a delete and re-create gives
 * a real one. Returns that re-created user.
 */
export async function expectV1Upgraded(store: Store): Promise<User> {
  const olga = { name: 'olga', roles: ['sres'], traits: { email: ['olga@example.com'] }, createdMs: 500 };
  expect(await store.getUser('olga')).toEqual({ ...olga, incarnation: '' });
  expect(await store.listUsers()).toEqual([{ ...olga, incarnation: '' }]);
  expect(await store.consumeInvite('hash-olga', 1_000)).toEqual({ tokenHash: 'hash-olga', user: 'olga', incarnation: '', expiresMs: 10_000, createdBy: 'admin' });
  expect((await store.putUser({ ...olga, roles: ['admin'] }, audit('user.update'))).value.incarnation).toBe('');
  expect((await store.getUser('olga'))?.roles).toEqual(['admin']);
  await store.deleteUser('olga', audit('user.delete'));
  const again = await store.putUser(olga, audit('user.create'), { createOnly: true });
  expect(again.value.incarnation).toMatch(/^[0-9a-f-]{36}$/);
  return again.value;
}
