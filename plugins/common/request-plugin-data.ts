import type { Logger } from 'pino';
import type { GatehouseClient } from '../../core/client/gatehouse-client.ts';
import { GatehouseError } from '../../core/client/client-error.ts';
import { encodeClaim, parseClaim, type EffectClaim } from './effect-claim.ts';
import { encodeValue, PluginDataError, type PluginDataKey } from './plugin-data-key.ts';
import { PermanentError } from './permanent-error.ts';
import { withRetry } from './with-retry.ts';

/*
 * THE EFFECT PROTOCOL: how every plugin does each side effect (a Slack post, a PagerDuty
 * incident, a Jira comment, an email) exactly once across restarts, crashes and replicas.
 *
 * Each effect is guarded by one plugin-data key of the request. The key holds either
 *   - a VALUE: what the last recorded effect left (e.g. the posted message's channel and ts),
 *     or nothing yet; or
 *   - a CLAIM {by, op, at, prev}: process `by` started effect `op` at time `at`; `prev` is the
 *     value before it, which still stands if the effect turns out not to have happened.
 *
 * effect(key, op, perform, { findInDoubt }) runs:
 *   1. claim:   compare-and-swap VALUE(prev) -> CLAIM(me). One writer wins; a loser gets
 *               CasConflict, re-reads and re-runs the handler, and sees the claim or the result.
 *   2. perform: call the service.
 *   3. record:  compare-and-swap CLAIM(me) -> VALUE(result), waiting out a brief server outage.
 *      If the service refused the call (an error the plugin classifies as "not performed"), the
 *      claim is released instead: CLAIM(me) -> VALUE(prev). Any other failure (a timeout, a lost
 *      connection, the event deadline) leaves the claim: the effect is in doubt.
 *
 * A CLAIM found when a handler runs is one of:
 *   - BUSY: held by this process for an effect still running here, or by another process less
 *     than `takeoverMs` ago. Never taken as done: EffectBusy makes the runtime look again later
 *     (for another process's claim, when its window ends).
 *   - IN DOUBT: our own claim whose effect is no longer running, or another process's claim
 *     older than the window (that process died, or was cut off). Its effect may or may not have
 *     happened. The plugin's `findInDoubt(claim)` asks the service (Slack: the bot's message by
 *     the marker in its metadata; PagerDuty: the incident by its dedup key; Jira: the issue by
 *     its label). Found: CLAIM -> VALUE(found), recorded, not repeated. Not found: the claim is
 *     taken over (CLAIM(them) -> CLAIM(me), same `prev`) and the effect performed. Effects that
 *     are safe to repeat (updating a message to show the outcome) declare `idempotent` instead.
 *
 * What each crash point leaves, and what happens next:
 *   - before the claim lands: nothing; the next run claims and performs.
 *   - after the claim, before the service got the call: a claim; once in doubt, findInDoubt
 *     finds nothing and the effect is performed, once.
 *   - after the service did it, before the record: a claim; once in doubt, findInDoubt finds it
 *     and it is recorded, not performed again.
 *   - after the record: done.
 * No duplicate: performing requires winning a compare-and-swap on the value it starts from, and
 * a claim is taken over only once its owner cannot still be performing it (its own process knows;
 * another process's effect is aborted by the per-event deadline, which is shorter than the
 * window), and then only after the service was asked. No loss: a claim never counts as done,
 * BUSY schedules another look, IN DOUBT is resolved on the next run, and every request is
 * reconciled when a plugin starts. Claims of another host are judged by its clock: the window
 * must exceed the event deadline plus any clock skew between the plugin's hosts.
 */

/**
 * Thrown when a compare-and-swap on plugin data lost (another replica, or a replayed event,
 * changed the entry first), or the entry changed under the handler: re-read and run again.
 */
export class CasConflict extends Error {
  constructor(requestId: string, keys: readonly string[]) {
    super(`plugin data of request ${requestId} changed concurrently (keys ${keys.join(', ')})`);
    this.name = 'CasConflict';
  }
}

/** Thrown when another process (or an effect still running here) holds the key's claim: look again at `retryAt`. */
export class EffectBusy extends Error {
  readonly retryAt: number;
  constructor(requestId: string, key: string, claim: EffectClaim, retryAt: number) {
    super(`request ${requestId}: "${key}" is claimed by ${claim.by} (${claim.op}); will look again`);
    this.name = 'EffectBusy';
    this.retryAt = retryAt;
  }
}

/** An effect left in doubt, as `findInDoubt` sees it. */
export interface InDoubt<T> {
  /** The effect that was started: the claim's op (not necessarily the op being started now). */
  readonly op: string;
  /** When it was started (the claimer's clock). */
  readonly at: number;
  readonly by: string;
  /** The value before it. */
  readonly prev: T | undefined;
  readonly signal: AbortSignal;
}

interface CommonEffectOptions {
  /**
   * Whether a failure of `perform` means the service did not do it (it answered with a refusal:
   * a 4xx, a rate limit): the claim is then released. Other failures leave the effect in doubt.
   * @default only PermanentError
   */
  readonly notPerformed?: (err: unknown) => boolean;
}

/** How an effect left in doubt is settled: looked up at the service, or simply redone. */
export type EffectOptions<T> = CommonEffectOptions &
  (
    | {
        /** The outcome of the effect in doubt if the service has it (the value to record), else undefined. */
        readonly findInDoubt: (doubt: InDoubt<T>) => Promise<T | undefined>;
      }
    | {
        /** Doing it twice leaves the same result (e.g. setting a message's content): redo it. */
        readonly idempotent: true;
      }
  );

/** The process-wide part of the protocol, shared by every request's view (see PluginDataStore). */
export interface EffectScope {
  readonly client: () => GatehouseClient;
  readonly plugin: string;
  /** Identifies this process in claims. */
  readonly owner: string;
  readonly now: () => number;
  /** After this long another process's claim is in doubt. */
  readonly takeoverMs: number;
  /** `<request id>/<key>` of the effects running in this process. */
  readonly running: Set<string>;
  readonly log: Logger;
}

/** How long recording an effect's outcome waits for an unreachable server. */
const SETTLE_BUDGET_MS = 60_000;
/** When our own effect of the key is still running, look again this soon. */
const OWN_BUSY_RETRY_MS = 2000;

/**
 * One request's plugin-data entry as a handler sees it: typed reads of the values last read,
 * compare-and-swap writes, and `effect()` (the protocol above). Made by PluginDataStore.
 */
export class RequestPluginData {
  readonly requestId: string;
  /** Aborted when the event's deadline passes or the plugin stops: pass it to service calls. */
  readonly signal: AbortSignal;
  readonly #scope: EffectScope;
  #values: Record<string, string>;

  constructor(scope: EffectScope, requestId: string, values: Readonly<Record<string, string>>, signal: AbortSignal) {
    this.#scope = scope;
    this.requestId = requestId;
    this.signal = signal;
    this.#values = { ...values };
  }

  /** Every raw value, as last read (for logs and tests). */
  get raw(): Readonly<Record<string, string>> {
    return this.#values;
  }

  /**
   * The key's recorded value; while an effect on it is claimed, the value before the claim.
   * @throws PluginDataError when the stored text is not a value of the key.
   */
  get<T>(key: PluginDataKey<T>): T | undefined {
    const text = this.#recorded(key.name);
    if (text === '') return undefined;
    try {
      return key.codec.decode(text);
    } catch (err) {
      throw new PluginDataError(this.requestId, key.name, text, err instanceof Error ? err.message : String(err));
    }
  }

  /** The op of an effect on the key that was started and not recorded (running elsewhere, or in doubt). */
  pending(key: PluginDataKey<unknown>): string | undefined {
    return this.#claim(key.name)?.op;
  }

  /**
   * Records a decision that changes nothing outside (e.g. "skip: no such user"), if the key still
   * holds the value last read; `undefined` removes it.
   * @throws CasConflict when another writer got there first; EffectBusy when an effect holds the key.
   */
  async set<T>(key: PluginDataKey<T>, value: T | undefined): Promise<void> {
    const claim = this.#claim(key.name);
    if (claim !== undefined) throw new EffectBusy(this.requestId, key.name, claim, this.#scope.now() + OWN_BUSY_RETRY_MS);
    const text = value === undefined ? '' : encodeValue(key, value);
    await this.#cas({ [key.name]: text }, { [key.name]: this.#values[key.name] ?? '' });
  }

  /**
   * Performs `perform` exactly once across processes for this key (the protocol above) and
   * returns the recorded value: the result of `perform`, or of the effect in doubt when
   * `findInDoubt` finds it under the same op.
   * @throws CasConflict (re-run the handler), EffectBusy (look again later), or what `perform` threw.
   */
  async effect<T>(key: PluginDataKey<T>, op: string, perform: (signal: AbortSignal) => Promise<T>, options: EffectOptions<T>): Promise<T> {
    const { requestId } = this;
    const name = key.name;
    const current = this.#values[name] ?? '';
    const held = this.#claim(name);
    let prev = current;
    if (held !== undefined) {
      this.#throwIfBusy(name, held);
      prev = held.prev;
      const log = { requestId, key: name, op: held.op, by: held.by, claimedAt: new Date(held.at).toISOString() };
      if ('findInDoubt' in options) {
        const found = await options.findInDoubt({ op: held.op, at: held.at, by: held.by, prev: this.get(key), signal: this.signal });
        if (found !== undefined) {
          await this.#settle(name, encodeValue(key, found), current);
          this.#scope.log.warn(log, 'the effect left in doubt was done; recorded it');
          if (held.op === op) return found;
          // It was another step than the one asked for: let the handler decide again from here.
          throw new CasConflict(requestId, [name]);
        }
        this.#scope.log.warn(log, 'the effect left in doubt was not done; doing it now');
      } else {
        this.#scope.log.warn(log, 'redoing an effect left in doubt (it is idempotent)');
      }
    }
    const claim = encodeClaim({ by: this.#scope.owner, op, at: this.#scope.now(), prev });
    await this.#cas({ [name]: claim }, { [name]: current });
    const id = `${requestId}/${name}`;
    this.#scope.running.add(id);
    try {
      let result: T;
      try {
        result = await perform(this.signal);
      } catch (err) {
        if (err instanceof PermanentError || options.notPerformed?.(err) === true) await this.#release(name, prev, claim);
        throw err;
      }
      await this.#settle(name, encodeValue(key, result), claim);
      return result;
    } finally {
      this.#scope.running.delete(id);
    }
  }

  #recorded(name: string): string {
    const text = this.#values[name] ?? '';
    return this.#claim(name)?.prev ?? text;
  }

  #claim(name: string): EffectClaim | undefined {
    const text = this.#values[name];
    try {
      return parseClaim(text);
    } catch (err) {
      throw new PluginDataError(this.requestId, name, text ?? '', err instanceof Error ? err.message : String(err));
    }
  }

  #throwIfBusy(name: string, claim: EffectClaim): void {
    const { owner, now, takeoverMs, running } = this.#scope;
    if (claim.by === owner) {
      if (running.has(`${this.requestId}/${name}`)) throw new EffectBusy(this.requestId, name, claim, now() + OWN_BUSY_RETRY_MS);
      return;
    }
    const retryAt = claim.at + takeoverMs;
    if (now() < retryAt) throw new EffectBusy(this.requestId, name, claim, retryAt);
  }

  /** Gives the key back its value before a refused effect; if that fails, the claim stays in doubt. */
  async #release(name: string, prev: string, claim: string): Promise<void> {
    try {
      await this.#cas({ [name]: prev }, { [name]: claim });
    } catch (err) {
      this.#scope.log.warn({ requestId: this.requestId, key: name, err: err instanceof Error ? err.message : String(err) }, 'could not release the claim of a refused effect; it is settled on the next run');
    }
  }

  /**
   * Records the outcome of an effect that already happened. Losing this write would leave the
   * claim in doubt (costing a look-up later), so a server that is briefly away is waited for.
   */
  async #settle(name: string, text: string, expect: string): Promise<void> {
    await withRetry(() => this.#cas({ [name]: text }, { [name]: expect }), {
      retries: 30,
      maxElapsedMs: SETTLE_BUDGET_MS,
      initialDelayMs: 100,
      maxDelayMs: 2000,
      isRetryable: (err) => GatehouseError.is(err) && err.transient,
    });
  }

  async #cas(set: Record<string, string>, expect: Record<string, string>): Promise<void> {
    try {
      this.#values = await this.#scope.client().updatePluginData({ requestId: this.requestId, plugin: this.#scope.plugin, set, expect });
    } catch (err) {
      if (GatehouseError.is(err, 'ABORTED')) throw new CasConflict(this.requestId, Object.keys(set));
      throw err;
    }
  }
}
