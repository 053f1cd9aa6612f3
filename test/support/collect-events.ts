import type { EventStream } from '../../core/client/gatehouse-client.ts';
import type { Event__Output } from '../../proto/gen/gatehouse/v1/Event.ts';

/** What `collectEvents` gathers from one watch stream. */
export interface CollectedEvents {
  /** Every event received so far, in arrival order. */
  readonly events: Event__Output[];
  /** The error the stream ended with (grpc-js ServiceError: numeric `code`, `details`). */
  readonly error: (Error & { code?: number; details?: string }) | undefined;
  readonly ended: boolean;
  /** Waits until `predicate()` holds; throws after `timeoutMs` naming what arrived. */
  until(predicate: () => boolean, timeoutMs?: number): Promise<void>;
}

/** Collects the events and the end of a watch stream, woken by each arrival. */
export function collectEvents(stream: EventStream): CollectedEvents {
  const events: Event__Output[] = [];
  let error: (Error & { code?: number; details?: string }) | undefined;
  let ended = false;
  const waiters: Array<() => void> = [];
  const wake = (): void => {
    for (const w of waiters.splice(0)) w();
  };
  stream.on('data', (e: Event__Output) => {
    events.push(e);
    wake();
  });
  stream.on('error', (e: Error & { code?: number; details?: string }) => {
    error = e;
    wake();
  });
  stream.on('end', () => {
    ended = true;
    wake();
  });
  return {
    events,
    get error() {
      return error;
    },
    get ended() {
      return ended;
    },
    async until(predicate: () => boolean, timeoutMs = 5000): Promise<void> {
      const deadline = Date.now() + timeoutMs;
      while (!predicate()) {
        if (Date.now() > deadline) {
          const got = events.map((e) => `${e.type}@${e.position}`).join(' ');
          throw new Error(`timed out; got ${events.length} events (${got}), error ${error?.message ?? 'none'}`);
        }
        await new Promise<void>((resolve) => {
          waiters.push(resolve);
          setTimeout(resolve, 50);
        });
      }
    },
  };
}
