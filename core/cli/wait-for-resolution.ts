import type { AccessRequest__Output } from '../../proto/gen/gatehouse/v1/AccessRequest.ts';
import { GatehouseError } from '../client/client-error.ts';
import type { GatehouseClient } from '../client/gatehouse-client.ts';
import { EXIT, type ExitCode } from './exit-codes.ts';

/** How a wait ended: the request left PENDING, or was deleted. */
export type Resolution = { kind: 'resolved'; request: AccessRequest__Output } | { kind: 'deleted' };

/**
 * Waits until the request leaves PENDING or is deleted: watches the user's requests (a deletion
 * reaches that watch: its event names the request's owner), re-reading the request after INIT
 * to close the race between the create and the watch.
 */
export async function waitForResolution(client: GatehouseClient, id: string, user: string): Promise<Resolution> {
  const stream = client.watchEvents({ kinds: ['access_request'], user });
  try {
    for await (const event of stream as AsyncIterable<{ type: string; name: string; request?: AccessRequest__Output | null }>) {
      if (event.type === 'INIT') {
        const now = await read(client, id);
        if (now) return now;
      } else if (event.name === id && event.type === 'DELETE') {
        return { kind: 'deleted' };
      } else if (event.request?.id === id && event.request.state !== 'PENDING') {
        return { kind: 'resolved', request: event.request };
      }
    }
    throw new GatehouseError('UNAVAILABLE', 'the server closed the event stream while waiting');
  } finally {
    stream.cancel();
  }
}

/** The request's resolution now, or undefined while it is pending. */
async function read(client: GatehouseClient, id: string): Promise<Resolution | undefined> {
  try {
    const current = await client.getAccessRequest(id);
    return current.state === 'PENDING' ? undefined : { kind: 'resolved', request: current };
  } catch (err) {
    if (GatehouseError.is(err, 'NOT_FOUND')) return { kind: 'deleted' };
    throw err;
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
