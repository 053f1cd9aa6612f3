import type { Logger } from 'pino';
import { AppError } from '../domain/app-error.ts';
import { expireRequest } from '../domain/transitions.ts';
import type { Store } from '../store/store.ts';

export interface ExpiryServiceOptions {
  store: Store;
  log: Logger;
  now: () => number;
  /** How often to look for expired requests. @default 1000 */
  intervalMs?: number;
  /** Event log retention. @default 7 days, keeping at least 10,000 events */
  eventRetentionMs?: number;
  eventKeepAtLeast?: number;
}

/**
 * Moves PENDING requests past their review deadline and APPROVED requests past their access
 * expiry to EXPIRED (an audited, watched state change: plugins update what they posted), and
 * prunes the event log. Several replicas may run it: the store's read-modify-write makes a
 * second expiry of the same request a no-op.
 */
export class ExpiryService {
  readonly #o: Required<Omit<ExpiryServiceOptions, 'log'>> & { log: Logger };
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;
  #lastPrune = 0;

  constructor(options: ExpiryServiceOptions) {
    this.#o = {
      intervalMs: 1000,
      eventRetentionMs: 7 * 24 * 3600_000,
      eventKeepAtLeast: 10_000,
      ...options,
      log: options.log.child({ component: 'expiry' }),
    };
  }

  start(): void {
    if (this.#timer) return;
    this.#timer = setInterval(() => {
      if (!this.#running) {
        this.#running = this.sweep().then(() => {
          this.#running = undefined;
        });
      }
    }, this.#o.intervalMs);
    this.#timer.unref();
  }

  /** One pass; returns the number of requests expired. */
  async sweep(): Promise<number> {
    const { store, log, now } = this.#o;
    let expired = 0;
    try {
      for (;;) {
        const page = await store.listRequests({ expiringBeforeMs: now(), pageSize: 200 });
        for (const request of page.items) {
          try {
            await store.updateRequest(request.id, (current) => {
              const next = expireRequest(current, now());
              if (next === current) throw new AppError('failed_precondition', 'no longer expirable');
              return {
                request: next,
                audit: {
                  type: 'access_request.expire',
                  actor: 'system',
                  requestId: current.id,
                  details: { user: current.user, roles: current.roles, previous_state: current.state, reason: next.resolveReason },
                },
              };
            });
            expired++;
          } catch (err) {
            const e = AppError.from(err);
            if (e.code !== 'failed_precondition' && e.code !== 'not_found') log.error({ err, requestId: request.id }, 'expiring request failed');
          }
        }
        if (!page.nextPageToken || page.items.length === 0) break;
      }
      if (now() - this.#lastPrune > 60_000) {
        this.#lastPrune = now();
        await store.pruneEvents(now() - this.#o.eventRetentionMs, this.#o.eventKeepAtLeast);
      }
    } catch (err) {
      log.error({ err }, 'expiry sweep failed');
    }
    if (expired > 0) log.info({ expired }, 'expired access requests');
    return expired;
  }

  /** Idempotent; waits for a running sweep. */
  async stop(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#running;
  }
}
