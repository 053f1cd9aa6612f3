import type { User } from '../domain/types.ts';
import type { Store } from '../store/store.ts';
import type { EventHub } from './event-hub.ts';

/**
 * Users by name for the authentication every call does, held in memory and kept in step with
 * user events from the hub: this replica's writes are applied before the writing RPC returns,
 * other replicas' (PostgreSQL) as soon as the hub reads them, as for roles (RoleRegistry).
 * Misses read the store; at most `maxEntries` users are kept (the oldest entry goes first).
 */
export class UserDirectory {
  readonly #store: Store;
  readonly #maxEntries: number;
  readonly #users = new Map<string, User>();
  /** Bumped by every user event: a store read that started before one must not be cached. */
  #generation = 0;

  constructor(store: Store, maxEntries = 10_000) {
    this.#store = store;
    this.#maxEntries = maxEntries;
  }

  async get(name: string): Promise<User | undefined> {
    const cached = this.#users.get(name);
    if (cached) return cached;
    const generation = this.#generation;
    const user = await this.#store.getUser(name);
    if (user && generation === this.#generation) {
      if (this.#users.size >= this.#maxEntries) {
        const oldest = this.#users.keys().next();
        if (!oldest.done) this.#users.delete(oldest.value);
      }
      this.#users.set(name, user);
    }
    return user;
  }

  /** Drops a user on every user event from the hub; everything if the hub skipped events. */
  follow(hub: EventHub): void {
    hub.subscribe({
      cursor: hub.position,
      deliver: (event) => {
        if (event.kind !== 'user') return;
        this.#generation++;
        this.#users.delete(event.name);
      },
      skipped: () => {
        this.#generation++;
        this.#users.clear();
      },
    });
  }
}
