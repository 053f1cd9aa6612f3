import { PermanentError } from './permanent-error.ts';
import { EffectBusy } from './request-plugin-data.ts';

/** Thrown when a handled event passed its deadline: its calls were aborted; it is retried later. */
export class EventTimeout extends Error {
  constructor(timeoutMs: number) {
    super(`handling took longer than ${timeoutMs} ms; aborted, will retry`);
    this.name = 'EventTimeout';
  }
}

/** What a failed handler run means for the request. */
export type Failure =
  /** Only effects claimed elsewhere held it up: look again when the earliest claim can be taken over. */
  | { readonly kind: 'busy'; readonly retryAt: number; readonly err: unknown }
  /** Nothing a retry can fix (PermanentError); logged and dropped until the request changes. */
  | { readonly kind: 'failed_permanently'; readonly err: unknown }
  | { readonly kind: 'timed_out'; readonly err: unknown }
  | { readonly kind: 'retry_scheduled'; readonly err: unknown }
  | { readonly kind: 'stopped'; readonly err: unknown };

/** The errors inside `err` (handlers aggregate one per recipient or step). */
function leaves(err: unknown): unknown[] {
  return err instanceof AggregateError ? err.errors.flatMap(leaves) : [err];
}

/**
 * Classifies a handler's failure: permanent when every error in it is permanent, busy when every
 * error is EffectBusy (retry when the first of those claims can be looked at), timed
 * out, or else a failure to retry with backoff.
 */
export function classifyFailure(err: unknown): Failure {
  const all = leaves(err);
  if (all.some((e) => e instanceof EventTimeout)) return { kind: 'timed_out', err };
  if (all.length > 0 && all.every((e) => e instanceof EffectBusy)) {
    return { kind: 'busy', retryAt: Math.min(...all.map((e) => (e as EffectBusy).retryAt)), err };
  }
  const rest = all.filter((e) => !(e instanceof EffectBusy));
  if (rest.length > 0 && rest.every((e) => e instanceof PermanentError)) {
    // A permanent failure beside a busy claim still needs the look at the claim later.
    return all.length === rest.length ? { kind: 'failed_permanently', err } : { kind: 'retry_scheduled', err };
  }
  return { kind: 'retry_scheduled', err };
}
