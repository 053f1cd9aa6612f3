import { Backoff, sleep } from './backoff.ts';

export interface RetryOptions {
  /** Retries after the first attempt. @default 5 */
  retries?: number;
  /** Give up when the next wait would pass this much time since the first attempt. @default 30000 */
  maxElapsedMs?: number;
  /** @default 250 */
  initialDelayMs?: number;
  /** @default 8000 */
  maxDelayMs?: number;
  /** Whether the error is worth another attempt. @default every error */
  isRetryable?: (err: unknown) => boolean;
  /** The wait the service asked for (a `Retry-After`), in ms, if any; it replaces the backoff delay. */
  retryAfterMs?: (err: unknown) => number | undefined;
  /** Called before each wait (metrics, debug logs). */
  onRetry?: (info: { attempt: number; delayMs: number; err: unknown }) => void;
  signal?: AbortSignal;
  /** @default Date.now */
  now?: () => number;
  /** @default sleep (unref'd timer) */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  random?: () => number;
}

/**
 * Runs `fn` until it succeeds, retrying retryable errors with exponential backoff and jitter,
 * or exactly the service's `Retry-After` when it gave one. Bounded by both `retries` and
 * `maxElapsedMs`: when the next wait would overrun the time budget, the last error is thrown
 * at once, so the caller can re-queue the work instead of holding a slot for minutes.
 * @throws the last error of `fn`.
 */
export async function withRetry<T>(fn: (attempt: number) => Promise<T>, options: RetryOptions = {}): Promise<T> {
  const retries = options.retries ?? 5;
  const maxElapsedMs = options.maxElapsedMs ?? 30_000;
  const now = options.now ?? Date.now;
  const wait = options.sleep ?? sleep;
  const backoff = new Backoff({ initialMs: options.initialDelayMs ?? 250, maxMs: options.maxDelayMs ?? 8000, ...(options.random ? { random: options.random } : {}) });
  const started = now();
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (err) {
      if (attempt >= retries || options.isRetryable?.(err) === false || options.signal?.aborted === true) throw err;
      const asked = options.retryAfterMs?.(err);
      const delayMs = asked !== undefined ? asked + Math.round((options.random ?? Math.random)() * 100) : backoff.next();
      if (now() - started + delayMs > maxElapsedMs) throw err;
      options.onRetry?.({ attempt: attempt + 1, delayMs, err });
      await wait(delayMs, options.signal);
    }
  }
}
