import type { Logger } from 'pino';
import { PRESET_ROLES } from '../domain/presets.ts';
import type { Role } from '../domain/types.ts';
import type { Store } from '../store/store.ts';
import type { EventHub } from './event-hub.ts';

/**
 * The live role definitions: presets plus stored roles, held in memory and reloaded whenever a
 * role event passes through the hub (this replica's writes and, with PostgreSQL, other
 * replicas'). Authorization reads here on every call, so a role change applies at once.
 */
export class RoleRegistry {
  readonly #store: Store;
  readonly #log: Logger;
  #roles = new Map<string, Role>();
  /** #roles by name, sorted once per reload (every create reads it). */
  #sorted: readonly Role[] = [];
  #reloading: Promise<void> | undefined;

  constructor(store: Store, log: Logger) {
    this.#store = store;
    this.#log = log.child({ component: 'roles' });
  }

  get(name: string): Role | undefined {
    return this.#roles.get(name);
  }

  all(): readonly Role[] {
    return this.#sorted;
  }

  /** Reloads every role from the store; concurrent calls share one reload that starts after them. */
  async reload(): Promise<void> {
    const previous = this.#reloading ?? Promise.resolve();
    const next = previous.then(async () => {
      const stored = await this.#store.listRoles();
      const map = new Map<string, Role>();
      for (const role of stored) map.set(role.name, role);
      for (const role of PRESET_ROLES) map.set(role.name, role);
      this.#roles = map;
      this.#sorted = Object.freeze([...map.values()].sort((a, b) => a.name.localeCompare(b.name)));
    });
    this.#reloading = next.finally(() => {
      if (this.#reloading === next) this.#reloading = undefined;
    });
    await next;
  }

  /** Keeps the registry in step with role events from the hub (other replicas' writes). */
  follow(hub: EventHub): void {
    const reload = (): void => {
      this.reload().catch((err: unknown) => this.#log.error({ err }, 'reloading roles failed'));
    };
    hub.subscribe({
      cursor: hub.position,
      deliver: (event) => {
        if (event.kind === 'role') reload();
      },
      skipped: reload,
    });
  }
}
