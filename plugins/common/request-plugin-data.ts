import type { GatehouseClient } from '../../core/client/gatehouse-client.ts';
import { GatehouseError } from '../../core/client/client-error.ts';
import { isConnectionError } from './server-connection.ts';
import { withRetry } from './with-retry.ts';

/**
 * Thrown when a compare-and-swap on plugin data lost (another replica, or a replayed event,
 * changed the entry first). The runtime re-reads the plugin data and runs the handler again.
 */
export class CasConflict extends Error {
  constructor(requestId: string, keys: readonly string[]) {
    super(`plugin data of request ${requestId} changed concurrently (keys ${keys.join(', ')})`);
    this.name = 'CasConflict';
  }
}

/** A claim on an effect, stored as the key's value while the effect runs. */
export interface EffectClaim {
  /** The process that claimed it (RequestPluginData.owner). */
  readonly by: string;
  /** What is being done, e.g. `post`, `update:APPROVED`. */
  readonly op: string;
  /** When it was claimed (ms). */
  readonly at: number;
  /** The key's value before the claim; restored when the effect fails. */
  readonly prev: string;
}

const CLAIM_PREFIX = 'claim:';
/** How long recording an effect's outcome waits for an unreachable server. */
const SETTLE_BUDGET_MS = 60_000;

/** The claim a value holds, if it is one. */
export function parseClaim(value: string | undefined): EffectClaim | undefined {
  if (value === undefined || !value.startsWith(CLAIM_PREFIX)) return undefined;
  try {
    const parsed: unknown = JSON.parse(value.slice(CLAIM_PREFIX.length));
    if (typeof parsed !== 'object' || parsed === null) return undefined;
    const { by, op, at, prev } = parsed as Record<string, unknown>;
    if (typeof by !== 'string' || typeof op !== 'string' || typeof at !== 'number' || typeof prev !== 'string') return undefined;
    return { by, op, at, prev };
  } catch {
    return undefined;
  }
}

export interface RequestPluginDataOptions {
  client: GatehouseClient;
  plugin: string;
  requestId: string;
  /** The entry as last read. */
  values: Readonly<Record<string, string>>;
  /** Identifies this process in claims. */
  owner: string;
  now?: () => number;
}

/**
 * One request's plugin-data entry, as a plugin handler sees it: the values last read, and
 * compare-and-swap writes. Every side effect goes through `effect()`:
 *
 *   1. claim: CAS the key from its current value to a claim naming this process;
 *   2. perform the effect;
 *   3. record: CAS the claim to the result (or, if the effect threw, back to the old value,
 *      so it is retried later).
 *
 * Whoever loses step 1 gets CasConflict and re-reads; it then sees the claim or the result and
 * does nothing. So a replayed event, a restart or a second replica never repeats an effect.
 * The one window left is a process killed between 1 and 3: its claim stays. A handler that finds
 * such a claim stale takes it over with `effect()` (the stale claim is the value it expects), and
 * its `perform` first looks in the service for the effect's outcome (an incident by its dedup key,
 * a message by its marker) and does the effect only if it is not there.
 */
export class RequestPluginData {
  readonly requestId: string;
  readonly owner: string;
  readonly #client: GatehouseClient;
  readonly #plugin: string;
  readonly #now: () => number;
  #values: Record<string, string>;

  constructor(options: RequestPluginDataOptions) {
    this.requestId = options.requestId;
    this.owner = options.owner;
    this.#client = options.client;
    this.#plugin = options.plugin;
    this.#now = options.now ?? Date.now;
    this.#values = { ...options.values };
  }

  get values(): Readonly<Record<string, string>> {
    return this.#values;
  }

  get(key: string): string | undefined {
    return this.#values[key];
  }

  /**
   * Writes `set` if every key it touches still holds the value last read ("" deletes a key).
   * @throws CasConflict when another writer got there first.
   */
  async set(set: Readonly<Record<string, string>>): Promise<void> {
    const expect: Record<string, string> = {};
    for (const key of Object.keys(set)) expect[key] = this.#values[key] ?? '';
    await this.#cas(set, expect);
  }

  /**
   * Runs `perform` at most once across processes, guarded by `key` (see the class comment).
   * `perform` returns the key's new value (what was created, e.g. `C123/1700000000.000100`).
   * @throws CasConflict if the key changed since it was read; whatever `perform` threw.
   */
  async effect(key: string, op: string, perform: () => Promise<string>): Promise<string> {
    const prev = this.#values[key] ?? '';
    const claim = `${CLAIM_PREFIX}${JSON.stringify({ by: this.owner, op, at: this.#now(), prev } satisfies EffectClaim)}`;
    await this.#cas({ [key]: claim }, { [key]: prev });
    let result: string;
    try {
      result = await perform();
    } catch (err) {
      try {
        await this.#settle({ [key]: prev }, { [key]: claim });
      } catch (releaseErr) {
        throw new AggregateError([err, releaseErr], `effect ${op} failed and its claim could not be released`);
      }
      throw err;
    }
    await this.#settle({ [key]: result }, { [key]: claim });
    return result;
  }

  /**
   * Records the outcome of an effect that already happened. Losing this write would leave the
   * claim in doubt forever, so a server that is briefly away (a restart) is waited for.
   */
  async #settle(set: Record<string, string>, expect: Record<string, string>): Promise<void> {
    await withRetry(() => this.#cas(set, expect), { retries: 30, maxElapsedMs: SETTLE_BUDGET_MS, initialDelayMs: 100, maxDelayMs: 2000, isRetryable: isConnectionError });
  }

  async #cas(set: Record<string, string>, expect: Record<string, string>): Promise<void> {
    try {
      this.#values = await this.#client.updatePluginData({ requestId: this.requestId, plugin: this.#plugin, set, expect });
    } catch (err) {
      if (err instanceof GatehouseError && err.code === 'ABORTED') throw new CasConflict(this.requestId, Object.keys(set));
      throw err;
    }
  }
}
