import { existsSync, readFileSync } from 'node:fs';
import type { Logger } from 'pino';
import type { ClusterCA } from '../auth/cluster-ca.ts';
import { createKeyAndCsr, parseCsr } from '../auth/csr.ts';
import { readIdentityFile, writeIdentityFile } from '../auth/identity-file.ts';
import { incarnationMismatch } from '../auth/incarnation-mismatch.ts';
import { issueClientCert } from '../auth/issue-client-cert.ts';
import { parseRoles } from '../domain/role-yaml.ts';
import type { User, UserDraft } from '../domain/types.ts';
import type { Store } from '../store/store.ts';
import type { RoleRegistry } from './role-registry.ts';
import type { BootstrapIdentity, ServerConfig } from './server-config.ts';

const DAY = 24 * 3600_000;
const ADMIN: BootstrapIdentity = { user: 'admin', roles: ['admin'], out: '', ttlMs: 90 * DAY };

export interface BootstrapOptions {
  config: ServerConfig;
  store: Store;
  roles: RoleRegistry;
  ca: ClusterCA;
  log: Logger;
  now: () => number;
}

/**
 * First start and every start: applies the configured roles file, makes sure the `admin` user
 * and every configured identity exist, and (re)issues their identity files when missing, signed
 * by another CA, issued to an earlier user of the same name (deleted and created again), or past
 * two thirds of their lifetime. The server holds the CA, so it can; this is how the admin gets a
 * first identity and how docker-compose plugins get theirs.
 */
export async function bootstrapIdentities(options: BootstrapOptions): Promise<void> {
  const { config, store, roles, log } = options;
  if (config.rolesFile) {
    const parsed = parseRoles(readFileSync(config.rolesFile, 'utf8'), config.rolesFile);
    if (parsed.length > 0) {
      await store.putRoles(parsed, { type: 'role.apply', actor: 'system', requestId: '', details: { roles: parsed.map((r) => r.name), source: config.rolesFile } });
      await roles.reload();
    }
  }
  const wanted = [{ ...ADMIN, out: config.adminIdentityPath }, ...config.identities];
  for (const identity of wanted) {
    const user = await ensureUser(options, identity);
    await ensureIdentityFile(options, identity, user);
  }
  log.debug({ identities: wanted.map((i) => i.out) }, 'bootstrap identities ready');
}

async function ensureUser(options: BootstrapOptions, wanted: BootstrapIdentity): Promise<User> {
  const { store, roles, now } = options;
  for (const role of wanted.roles) {
    if (!roles.get(role)) throw new Error(`bootstrap identity for "${wanted.user}": unknown role "${role}"`);
  }
  const existing = await store.getUser(wanted.user);
  const sorted = [...wanted.roles].sort();
  if (existing && existing.roles.join(',') === sorted.join(',')) return existing;
  const user: UserDraft = { name: wanted.user, roles: sorted, traits: existing?.traits ?? {}, createdMs: existing?.createdMs ?? now() };
  const committed = await store.putUser(user, { type: existing ? 'user.update' : 'user.create', actor: 'system', requestId: '', details: { user: user.name, roles: sorted, bootstrap: true } });
  return committed.value;
}

async function ensureIdentityFile(options: BootstrapOptions, wanted: BootstrapIdentity, user: User): Promise<void> {
  const { ca, log, now } = options;
  if (existsSync(wanted.out)) {
    try {
      const current = await readIdentityFile(wanted.out);
      const fresh = current.identity.expiresMs - now() > wanted.ttlMs / 3;
      const sameCa = current.caPems.some((pem) => pem.trim() === ca.certPem.trim());
      const sameRoles = current.identity.roles.join(',') === [...wanted.roles].sort().join(',');
      // A user deleted and created again (by an admin) refuses the file's certificate: issue one
      // for the user as it is now.
      const sameUser = current.identity.user === wanted.user && incarnationMismatch(current.identity, user) === undefined;
      if (fresh && sameCa && sameRoles && sameUser) return;
    } catch (err) {
      log.warn({ err, file: wanted.out }, 'existing identity file unreadable; issuing a new one');
    }
  }
  const { keyPem, csrPem } = await createKeyAndCsr(wanted.user);
  const { publicKey } = await parseCsr(csrPem);
  const cert = await issueClientCert(ca, {
    publicKey,
    user: wanted.user,
    incarnation: user.incarnation,
    roles: [...wanted.roles].sort(),
    accessRequestIds: [],
    ttlMs: wanted.ttlMs,
    nowMs: now(),
  });
  await writeIdentityFile(wanted.out, { keyPem, certPem: cert.certPem, caPems: [ca.certPem] });
  await options.store.appendAudit({
    type: 'cert.create',
    actor: 'system',
    requestId: '',
    details: { user: wanted.user, roles: wanted.roles, expires_ms: cert.expiresMs, bootstrap: true, out: wanted.out },
  });
  log.info({ user: wanted.user, file: wanted.out, expires: new Date(cert.expiresMs).toISOString() }, 'issued identity file');
}
