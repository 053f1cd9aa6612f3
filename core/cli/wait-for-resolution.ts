import type { AccessRequest__Output } from '../../proto/gen/gatehouse/v1/AccessRequest.ts';
import { GatehouseError } from '../client/client-error.ts';
import type { GatehouseClient } from '../client/gatehouse-client.ts';
import { EXIT, type ExitCode } from './exit-codes.ts';

/** How a wait ended: the request left PENDING, or was deleted. */
export type Resolution = { kind: 'resolved'; request: AccessRequest__Output } | { kind: 'deleted' };

/**
 * How often the waiting CLI reads the request itself. A watch of one's own requests does not
 * carry deletions (a DELETE event names no user to filter on), so a deleted request is
 * noticed by this read.
 */
const RECHECK_MS = 3000;

/**
 * Waits until the request leaves PENDING or is deleted: watches the user's requests,
 * re-reading after INIT (to close the race between the create and the watch) and every few
 * seconds (for a deletion, which the watch does not tell).
 */
export async function waitForResolution(client: GatehouseClient, id: string, user: string): Promise<Resolution> {
  const stream = client.watchEvents({ kinds: ['access_request'], user });
  const read = async (): Promise<Resolution | undefined> => {
    try {
      const current = await client.getAccessRequest(id);
      return current.state === 'PENDING' ? undefined : { kind: 'resolved', request: current };
    } catch (err) {
      if (GatehouseError.is(err, 'NOT_FOUND')) return { kind: 'deleted' };
      throw err;
    }
  };
  const watched = (async (): Promise<Resolution> => {
    for await (const event of stream as AsyncIterable<{ type: string; request?: AccessRequest__Output | null }>) {
      if (event.type === 'INIT') {
        const now = await read();
        if (now) return now;
      } else if (event.request?.id === id && event.request.state !== 'PENDING') {
        return { kind: 'resolved', request: event.request };
      }
    }
    throw new GatehouseError('UNAVAILABLE', 'the server closed the event stream while waiting');
  })();
  let timer: NodeJS.Timeout | undefined;
  let done = false;
  const polled = new Promise<Resolution>((resolve, reject) => {
    const tick = (): void => {
      read().then((now) => {
        if (now) resolve(now);
        else if (!done) timer = setTimeout(tick, RECHECK_MS);
      }, reject);
    };
    timer = setTimeout(tick, RECHECK_MS);
  });
  try {
    return await Promise.race([watched, polled]);
  } finally {
    done = true;
    clearTimeout(timer);
    stream.cancel();
    // The loser settles later (the cancelled stream, or a read in flight); nobody needs it.
    void Promise.allSettled([watched, polled]);
  }
}

/** The exit status of `request create --wait` for how the request ended. */
export function exitCodeOf(resolution: Resolution): ExitCode {
  if (resolution.kind === 'deleted') return EXIT.deleted;
  switch (resolution.request.state) {
    case 'APPROVED':
      return EXIT.ok;
    case 'DENIED':
      return EXIT.denied;
    case 'EXPIRED':
      return EXIT.expired;
    default:
      return EXIT.failure;
  }
}
