import { afterEach, beforeEach } from 'vitest';
import type { AccessRequest, AuditEvent, StoredEvent } from '../../../core/domain/types.ts';
import type { Committed, Store, StoreObserver } from '../../../core/store/store.ts';
import { audit, makeRequest, requestId } from './store-fixtures.ts';

export interface ContractStoreOptions {
  /** The clock the store must use for event and audit times and `updatedMs`. */
  now: () => number;
  /** The observer the store must report its commits (and syncs) to. */
  observe: StoreObserver;
}

export type MakeStore = (options: ContractStoreOptions) => Promise<{ store: Store; cleanup: () => Promise<void> }>;

/**
 * What each part of the Store contract works with. `store` and `clock` change from test to
 * test, so read them through the context inside a test, never once at describe time.
 */
export interface StoreContractContext {
  /** The current test's fresh, empty store. */
  readonly store: Store;
  /** The store's clock (starts each test at 1,000,000); set it to control event and audit times. */
  clock: number;
  /** What the store told its observer during this test. */
  readonly observed: Array<{ stage: 'commit' | 'sync'; seconds: number; writes: number }>;
  /** Every event in the log. */
  allEvents(): Promise<StoredEvent[]>;
  /** Every audit entry. */
  allAudit(): Promise<AuditEvent[]>;
  /** Creates `makeRequest(n, overrides)` as alice. */
  create(n: number, overrides?: Partial<AccessRequest>): Promise<Committed<AccessRequest>>;
}

/**
 * Registers hooks in the enclosing describe block that give each test a fresh store from
 * `makeStore` and run its `cleanup` afterwards; returns the context the tests use.
 */
export function useFreshStore(makeStore: MakeStore): StoreContractContext {
  let store: Store;
  // Unset when makeStore failed, so the test reports that failure rather than a TypeError here.
  let cleanup: (() => Promise<void>) | undefined;

  const context = {
    clock: 0,
    observed: [] as Array<{ stage: 'commit' | 'sync'; seconds: number; writes: number }>,
    get store(): Store {
      return store;
    },
    allEvents: () => store.readEvents(0, 10_000),
    allAudit: async () => (await store.searchAudit({ pageSize: 1000 })).items,
    create: (n: number, overrides: Partial<AccessRequest> = {}) =>
      store.createRequest(makeRequest(n, overrides), audit('access_request.create', requestId(n), 'alice')),
  };

  beforeEach(async () => {
    context.clock = 1_000_000;
    context.observed.length = 0;
    cleanup = undefined;
    ({ store, cleanup } = await makeStore({ now: () => context.clock, observe: (stage, seconds, writes) => context.observed.push({ stage, seconds, writes }) }));
  });

  afterEach(async () => {
    await cleanup?.();
  });

  return context;
}
