import { createKeyAndCsr } from '../core/auth/csr.ts';
import type { ClientIdentity, GatehouseClient } from '../core/client/gatehouse-client.ts';

/**
 * Creates (or replaces) user `user` with `roles` and `traits` through `admin`, and returns an
 * identity for it: a fresh key and a certificate signed from its CSR, valid for six hours.
 */
export async function identityFor(admin: GatehouseClient, user: string, roles: string[], traits: Record<string, string[]> = {}): Promise<ClientIdentity> {
  await admin.upsertUser({ user: { name: user, roles, traits: Object.fromEntries(Object.entries(traits).map(([k, v]) => [k, { values: v }])) } });
  const { keyPem, csrPem } = await createKeyAndCsr(user);
  const certs = await admin.generateUserCerts({ csrPem, user, ttlMs: 6 * 3600_000 });
  return { keyPem, certPem: certs.certPem, caPems: certs.caPems };
}
