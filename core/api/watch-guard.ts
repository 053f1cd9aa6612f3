import type { Logger } from 'pino';
import { AppError } from '../domain/app-error.ts';
import type { StoredEvent } from '../domain/types.ts';
import type { EventHub } from '../server/event-hub.ts';
import type { Caller, CallerIdentity } from './authenticate.ts';

/** A long-lived call (a watch stream) whose authorization the guard keeps current. */
export interface GuardedCall {
  /** Throws an AppError if `caller`, freshly resolved, may no longer make this call. */
  recheck(caller: Caller): void;
  /** Ends the call with `err`; the call then leaves the guard through `remove`. */
  end(err: AppError): void;
}

export interface WatchGuardOptions {
  /** Resolves a certificate's holder again, as a new call would (authenticate.ts). */
  resolve: (identity: CallerIdentity) => Promise<Caller>;
  /** Reloads the live role definitions from the store. */
  reloadRoles: () => Promise<void>;
  now: () => number;
  log: Logger;
}

/** setTimeout's longest delay; a later deadline is re-armed when this one fires. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * The open calls made with one certificate. Calls with the same certificate (one client's
 * streams over one or several connections) share it, so an event re-resolves the holder once
 * for all of them and an idle call costs one set entry.
 */
class Principal {
  readonly identity: CallerIdentity;
  readonly calls = new Set<GuardedCall>();
  /** The roles the holder had when last resolved: the role events that concern them. */
  roleNames: readonly string[] = [];
  readonly certExpiresMs: number;
  readonly accessExpiresMs: number;
  timer: NodeJS.Timeout | undefined;

  constructor(caller: Caller) {
    this.identity = caller.identity;
    this.certExpiresMs = caller.certExpiresMs;
    this.accessExpiresMs = caller.accessExpiresMs;
  }
}

/** Opaque handle of a guarded call's principal, returned by `add` and given back to `remove`. */
export type GuardHandle = Principal;

/**
 * Keeps long-lived calls (watch streams) authorized for as long as they stay open: a call is
 * re-checked, with the same resolution a new call gets, whenever an event can change its
 * answer, and ended with that answer's error when it no longer passes. Driven by the event
 * hub (this replica's writes and, with PostgreSQL, the other replicas'), never by polling:
 *
 * - a user's deletion ends the calls of that user at once (UNAUTHENTICATED); another change
 *   to the user (their roles) re-checks them;
 * - an access request's deletion or final state (revoked, denied, expired) ends at once the
 *   calls whose certificate carries it (PERMISSION_DENIED);
 * - a role event reloads the roles once, then re-checks the calls whose holder has that role;
 * - a timer per certificate ends its calls when the certificate lapses (UNAUTHENTICATED) or,
 *   for a certificate issued for access requests, when their access ends (PERMISSION_DENIED).
 *
 * Calls are indexed by user, request id and role, so the fan-out pays one map lookup per event
 * and only the calls an event can affect are re-checked, in a batch on the next turn.
 */
export class WatchGuard {
  readonly #o: WatchGuardOptions;
  readonly #principals = new Map<CallerIdentity, Principal>();
  readonly #byUser = new Map<string, Set<Principal>>();
  readonly #byRequest = new Map<string, Set<Principal>>();
  readonly #byRole = new Map<string, Set<Principal>>();
  #dirty = new Set<Principal>();
  #rolesStale = false;
  #scheduled = false;
  #flushing = false;
  #epoch = 0;

  constructor(options: WatchGuardOptions) {
    this.#o = { ...options, log: options.log.child({ component: 'watch-guard' }) };
  }

  /**
   * Changes whenever an event that can end access passes. A call reads it before it
   * authenticates and hands it to `add`, which re-checks the call if it changed meanwhile: an
   * event between the two would otherwise be missed.
   */
  get epoch(): number {
    return this.#epoch;
  }

  /** Follows the hub's live events (user, role and access-request changes). */
  follow(hub: EventHub): void {
    hub.subscribe({
      cursor: hub.position,
      deliver: (event) => this.#deliver(event),
      skipped: () => {
        // Events were lost: any of them could have ended some access.
        this.#epoch++;
        this.#rolesStale = true;
        for (const p of this.#principals.values()) this.#dirty.add(p);
        this.#schedule();
      },
    });
  }

  /**
   * Guards an authorized call. `epoch` is what `epoch` read before the call authenticated.
   * Returns the handle to pass to `remove` when the call ends.
   */
  add(call: GuardedCall, caller: Caller, epoch: number): GuardHandle {
    let p = this.#principals.get(caller.identity);
    if (!p) {
      p = new Principal(caller);
      this.#principals.set(p.identity, p);
      addTo(this.#byUser, p.identity.user, p);
      for (const id of p.identity.accessRequestIds) addTo(this.#byRequest, id, p);
      this.#arm(p);
    }
    this.#setRoles(p, caller.roleNames);
    p.calls.add(call);
    if (epoch !== this.#epoch) {
      // Something changed while the call authenticated, perhaps a role the registry was still
      // reloading: reload and re-check it.
      this.#rolesStale = true;
      this.#dirty.add(p);
      this.#schedule();
    }
    return p;
  }

  /** Stops guarding a call (it ended); idempotent. */
  remove(call: GuardedCall, handle: GuardHandle): void {
    const p = handle;
    if (!p.calls.delete(call) || p.calls.size > 0) return;
    if (this.#principals.get(p.identity) === p) this.#principals.delete(p.identity);
    removeFrom(this.#byUser, p.identity.user, p);
    for (const id of p.identity.accessRequestIds) removeFrom(this.#byRequest, id, p);
    for (const role of p.roleNames) removeFrom(this.#byRole, role, p);
    clearTimeout(p.timer);
    p.timer = undefined;
    this.#dirty.delete(p);
  }

  #deliver(event: StoredEvent): void {
    let affected: Set<Principal> | undefined;
    switch (event.kind) {
      case 'user':
        this.#epoch++;
        affected = this.#byUser.get(event.name);
        if (affected && event.type === 'DELETE') {
          // Decided by the event alone, so ended in this turn, before the hub hands any later
          // event (or this one: the guard subscribes before every watcher) to these watches.
          this.#endEach(affected, new AppError('unauthenticated', `user "${event.name}" does not exist (deleted)`));
          return;
        }
        break;
      case 'role':
        this.#epoch++;
        // Also with no call affected: calls authenticating now may have read the old role.
        this.#rolesStale = true;
        this.#schedule();
        affected = this.#byRole.get(event.name);
        break;
      case 'access_request': {
        // Only a deletion or a final state can end the access a request grants.
        const ended = event.type === 'DELETE' ? 'was deleted' : event.request && event.request.state !== 'PENDING' && event.request.state !== 'APPROVED' ? `is ${event.request.state}` : '';
        if (!ended) return;
        this.#epoch++;
        affected = this.#byRequest.get(event.name);
        if (affected) this.#endEach(affected, new AppError('permission_denied', `certificate carries access request ${event.name}, which ${ended}; elevated access has ended`));
        return;
      }
    }
    if (!affected) return;
    for (const p of affected) this.#dirty.add(p);
    this.#schedule();
  }

  #endEach(principals: Set<Principal>, err: AppError): void {
    for (const p of [...principals]) this.#endAll(p, err);
  }

  #schedule(): void {
    if (this.#scheduled || this.#flushing) return;
    this.#scheduled = true;
    // The next turn: the user directory and role registry see the event first, and a burst of
    // events (an ApplyRoles of many roles) becomes one batch.
    setImmediate(() => {
      this.#scheduled = false;
      this.#flush().catch((err: unknown) => this.#o.log.error({ err }, 're-checking open watches failed'));
    });
  }

  async #flush(): Promise<void> {
    this.#flushing = true;
    try {
      while (this.#rolesStale || this.#dirty.size > 0) {
        if (this.#rolesStale) {
          this.#rolesStale = false;
          try {
            await this.#o.reloadRoles();
          } catch (err) {
            // Re-check with the roles held: the registry logs and retries on the next event.
            this.#o.log.error({ err }, 'reloading roles to re-check open watches failed');
          }
          // A call that authenticated before the reload finished is re-checked (see add).
          this.#epoch++;
        }
        const batch = [...this.#dirty];
        this.#dirty = new Set();
        for (const p of batch) {
          if (this.#principals.get(p.identity) === p) await this.#recheck(p);
        }
      }
    } finally {
      this.#flushing = false;
    }
  }

  async #recheck(p: Principal): Promise<void> {
    let caller: Caller;
    try {
      caller = await this.#o.resolve(p.identity);
    } catch (err) {
      // Fail closed: a store error ends the calls too (UNAVAILABLE); clients reconnect.
      this.#endAll(p, AppError.from(err));
      return;
    }
    for (const call of [...p.calls]) {
      try {
        call.recheck(caller);
      } catch (err) {
        call.end(AppError.from(err));
      }
    }
    if (p.calls.size > 0) this.#setRoles(p, caller.roleNames);
  }

  #endAll(p: Principal, err: AppError): void {
    for (const call of [...p.calls]) call.end(err);
  }

  #setRoles(p: Principal, roleNames: readonly string[]): void {
    if (sameList(p.roleNames, roleNames)) return;
    for (const role of p.roleNames) removeFrom(this.#byRole, role, p);
    for (const role of roleNames) addTo(this.#byRole, role, p);
    p.roleNames = roleNames;
  }

  /** Arms the timer for the certificate's end (an unref'd timer, cleared by `remove`). */
  #arm(p: Principal): void {
    const ends = Math.min(p.certExpiresMs, p.accessExpiresMs);
    const delay = Math.min(Math.max(0, ends - this.#o.now()), MAX_TIMER_MS);
    p.timer = setTimeout(() => this.#onDeadline(p), delay);
    p.timer.unref();
  }

  #onDeadline(p: Principal): void {
    p.timer = undefined;
    if (this.#principals.get(p.identity) !== p) return;
    const t = this.#o.now();
    if (t < Math.min(p.certExpiresMs, p.accessExpiresMs)) {
      this.#arm(p);
      return;
    }
    // A certificate carrying access requests is issued to lapse with their access (its
    // notAfter is their expiry, rounded down to the second): then what ended is the elevated
    // access, which is PERMISSION_DENIED as for a revoked request, not an expired login.
    if (p.accessExpiresMs <= t || p.accessExpiresMs - p.certExpiresMs < 1000) {
      const ids = p.identity.accessRequestIds.join(', ');
      this.#endAll(p, new AppError('permission_denied', `certificate carries access request ${ids}, whose access expired; elevated access has ended`));
      return;
    }
    // The certificate lapsed: resolving again answers UNAUTHENTICATED, as for a new call.
    this.#dirty.add(p);
    this.#schedule();
  }
}

function addTo<K>(index: Map<K, Set<Principal>>, key: K, p: Principal): void {
  const set = index.get(key);
  if (set) set.add(p);
  else index.set(key, new Set([p]));
}

function removeFrom<K>(index: Map<K, Set<Principal>>, key: K, p: Principal): void {
  const set = index.get(key);
  if (!set) return;
  set.delete(p);
  if (set.size === 0) index.delete(key);
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}
