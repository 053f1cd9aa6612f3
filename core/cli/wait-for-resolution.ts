import type { AccessRequest__Output } from '../../proto/gen/gatehouse/v1/AccessRequest.ts';
import { GatehouseError } from '../client/client-error.ts';
import type { GatehouseClient } from '../client/gatehouse-client.ts';
import { EXIT, type ExitCode } from './exit-codes.ts';

/** How a wait ended: the request left PENDING, or was deleted. */
export type Resolution = { kind: 'resolved'; request: AccessRequest__Output } | { kind: 'deleted' };

/**
 * Waits until the request leaves PENDING: watches the user's requests, re-reading once after
 * INIT to close the race between the create and the watch.
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
  try {
    for await (const event of stream as AsyncIterable<{ type: string; request?: AccessRequest__Output | null }>) {
      if (event.type === 'INIT') {
        const now = await read();
        if (now) return now;
        continue;
      }
      if (event.request?.id === id && event.request.state !== 'PENDING') return { kind: 'resolved', request: event.request };
      if (event.type === 'DELETE') {
        const now = await read();
        if (now) return now;
      }
    }
    throw new GatehouseError('UNAVAILABLE', 'the server closed the event stream while waiting');
  } finally {
    stream.cancel();
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
