import type { GatehouseClient } from '../../core/client/gatehouse-client.ts';
import { GatehouseError } from '../../core/client/client-error.ts';
import { TtlCache } from '../common/ttl-cache.ts';
import type { User__Output } from '../../proto/gen/gatehouse/v1/User.ts';
import type { JiraAccount } from './jira-api.ts';

export interface JiraUserMapperOptions {
  /** `[jira.user_mapping]`: accountId or lower-case email -> Gatehouse user. */
  mapping: ReadonlyMap<string, string>;
  client: () => GatehouseClient;
  now: () => number;
  /** How long the user list is trusted. @default 30000 */
  cacheTtlMs?: number;
}

export type MappedAccount = { readonly user: string; readonly how: string } | { readonly unmapped: string };

/**
 * Maps a Jira account to the Gatehouse user it belongs to:
 * 1. `[jira.user_mapping]` by accountId, then by email;
 * 2. the account's email (when the profile shows it) as a user name;
 * 3. the one user whose `email` trait holds that email (several: ambiguous, refused).
 */
export class JiraUserMapper {
  readonly #o: JiraUserMapperOptions;
  #users: { list: readonly User__Output[]; at: number } | undefined;
  readonly #names: TtlCache<boolean>;

  constructor(options: JiraUserMapperOptions) {
    this.#o = options;
    this.#names = new TtlCache(options.now);
  }

  async map(account: JiraAccount): Promise<MappedAccount> {
    const { mapping } = this.#o;
    const byId = mapping.get(account.accountId);
    if (byId !== undefined) return { user: byId, how: 'user_mapping (accountId)' };
    const email = account.emailAddress?.trim().toLowerCase();
    if (email === undefined || email === '') {
      return { unmapped: `Jira does not show the email of ${account.displayName} (profile visibility), and [jira.user_mapping] has no entry for account ${account.accountId}` };
    }
    const byEmail = mapping.get(email);
    if (byEmail !== undefined) return { user: byEmail, how: 'user_mapping (email)' };
    for (const name of new Set([account.emailAddress?.trim() ?? email, email])) {
      if (await this.#exists(name)) return { user: name, how: 'user name = email' };
    }
    let matches = this.#withEmail(await this.#list(false), email);
    if (matches.length === 0) matches = this.#withEmail(await this.#list(true), email);
    if (matches.length === 1 && matches[0] !== undefined) return { user: matches[0], how: 'email trait' };
    if (matches.length > 1) return { unmapped: `several Gatehouse users have the email ${email} (${matches.join(', ')}); add the account ${account.accountId} to [jira.user_mapping]` };
    return { unmapped: `no Gatehouse user has the email ${email} of ${account.displayName} (as name or email trait), and [jira.user_mapping] has no entry for it` };
  }

  #withEmail(users: readonly User__Output[], email: string): string[] {
    return users.filter((u) => (u.traits['email']?.values ?? []).some((v) => v.trim().toLowerCase() === email)).map((u) => u.name);
  }

  /** Whether a user of that name exists; cached like the list (a new user is seen within the TTL). */
  async #exists(name: string): Promise<boolean> {
    const cached = this.#names.get(name);
    if (cached !== undefined) return cached.value;
    let exists: boolean;
    try {
      await this.#o.client().getUser(name);
      exists = true;
    } catch (err) {
      if (!GatehouseError.is(err, 'NOT_FOUND', 'INVALID_ARGUMENT')) throw err;
      exists = false;
    }
    this.#names.set(name, exists, this.#o.cacheTtlMs ?? 30_000);
    return exists;
  }

  /** The user list, cached; `fresh` re-reads it unless it was read within the last 2 s. */
  async #list(fresh: boolean): Promise<readonly User__Output[]> {
    const now = this.#o.now();
    const cached = this.#users;
    const ttl = this.#o.cacheTtlMs ?? 30_000;
    if (cached !== undefined && now - cached.at < (fresh ? 2000 : ttl)) return cached.list;
    const list = await this.#o.client().listUsers();
    this.#users = { list, at: now };
    return list;
  }
}
