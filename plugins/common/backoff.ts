export interface BackoffOptions {
  /** First delay. @default 100 */
  initialMs?: number;
  /** Largest delay. @default 10000 */
  maxMs?: number;
  /** Growth per attempt. @default 2 */
  multiplier?: number;
  /** Random source in [0, 1). @default Math.random */
  random?: () => number;
}

/**
 * Exponential backoff with "equal jitter": the n-th delay is uniform in [d/2, d] where
 * d = min(max, initial * multiplier^n), so replicas spread out but never retry instantly.
 */
export class Backoff {
  readonly #initialMs: number;
  readonly #maxMs: number;
  readonly #multiplier: number;
  readonly #random: () => number;
  #attempt = 0;

  constructor(options: BackoffOptions = {}) {
    this.#initialMs = options.initialMs ?? 100;
    this.#maxMs = options.maxMs ?? 10_000;
    this.#multiplier = options.multiplier ?? 2;
    this.#random = options.random ?? Math.random;
  }

  /** The next delay in ms; each call grows the ceiling. */
  next(): number {
    const ceiling = Math.min(this.#maxMs, this.#initialMs * this.#multiplier ** this.#attempt);
    this.#attempt++;
    return Math.round(ceiling / 2 + (this.#random() * ceiling) / 2);
  }

  get attempts(): number {
    return this.#attempt;
  }

  reset(): void {
    this.#attempt = 0;
  }
}

/** Resolves after `ms`; the timer is unref'd so it never keeps the process alive; aborts early on `signal`. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted === true) {
      reject(signal.reason);
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    timer.unref();
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
