import { status as grpcStatus, type handleServerStreamingCall } from '@grpc/grpc-js';
import type { Event as ProtoEvent } from '../../proto/gen/gatehouse/v1/Event.ts';
import type { WatchEventsRequest__Output } from '../../proto/gen/gatehouse/v1/WatchEventsRequest.ts';
import { AppError } from '../domain/app-error.ts';
import { REQUEST_STATES, type RequestState, type ResourceKind, type StoredEvent } from '../domain/types.ts';
import type { EventSink } from '../server/event-hub.ts';
import type { ApiDeps } from './api-deps.ts';
import type { Caller } from './authenticate.ts';
import { isAllowed } from './authorize.ts';
import { finish, MALFORMED, toStatus, type RpcRuntime } from './rpc.ts';
import { optionalName, requireList, requireOneOf } from './validate-field.ts';

const KINDS: readonly ResourceKind[] = ['access_request', 'role', 'user'];

interface WatchFilter {
  kinds: Set<ResourceKind>;
  states: Set<RequestState>;
  user: string;
}

function parseFilter(req: WatchEventsRequest__Output): WatchFilter {
  const kinds = requireList('kinds', req.kinds, 3, (f, v) => requireOneOf(f, v, KINDS));
  const states = requireList('states', req.states, 8, (f, v) => requireOneOf(f, v, REQUEST_STATES));
  return {
    kinds: new Set(kinds.length ? kinds : ['access_request']),
    states: new Set(states),
    user: optionalName('user', req.user),
  };
}

function authorizeWatch(caller: Caller, filter: WatchFilter): void {
  if (filter.kinds.has('access_request') && filter.user !== caller.name && !isAllowed(caller, 'access_request', 'watch')) {
    throw new AppError('permission_denied', `user "${caller.name}" may not watch all access requests (needs verb watch on access_request); set user="${caller.name}" to watch your own`);
  }
  for (const kind of ['role', 'user'] as const) {
    if (filter.kinds.has(kind) && !isAllowed(caller, kind, 'read')) {
      throw new AppError('permission_denied', `user "${caller.name}" may not watch ${kind} events (needs verb read on ${kind})`);
    }
  }
}

function matches(filter: WatchFilter, event: StoredEvent): boolean {
  if (!filter.kinds.has(event.kind)) return false;
  if (event.kind !== 'access_request') return true;
  if (filter.user && event.request && event.request.user !== filter.user) return false;
  if (filter.user && !event.request) return false;
  // State filters apply to PUT only: a watcher of PENDING requests still learns of deletions.
  if (event.type === 'PUT' && filter.states.size > 0 && event.request && !filter.states.has(event.request.state)) return false;
  return true;
}

/**
 * WatchEvents: INIT with the current position, then every matching event in log order. With
 * `since`, first replays everything after that position (OUT_OF_RANGE if the log was pruned
 * past it). Each event's bytes are encoded once by the hub and shared by all watchers. A
 * watcher whose unsent backlog exceeds the limit is closed with RESOURCE_EXHAUSTED and the
 * position to resume from, so a slow client cannot grow server memory without bound.
 */
export function createWatchHandler(
  deps: ApiDeps,
  rt: RpcRuntime,
  serializeEvent: (event: ProtoEvent) => Buffer,
): handleServerStreamingCall<WatchEventsRequest__Output, Buffer> {
  return (call) => {
    const started = performance.now();
    let open = true;
    let user = '';
    let sink: EventSink | undefined;
    const close = (err?: unknown): void => {
      if (!open) return;
      open = false;
      if (sink) deps.hub.remove(sink);
      if (err === undefined) {
        call.end();
        finish(rt, 'WatchEvents', 'OK', started, call.getPeer(), user);
        return;
      }
      const st = toStatus(err);
      call.emit('error', { code: st.code, details: st.details });
      finish(rt, 'WatchEvents', grpcStatus[st.code], started, call.getPeer(), user, st.appError);
    };
    call.on('cancelled', () => {
      open = false;
      if (sink) deps.hub.remove(sink);
    });
    call.on('error', () => {
      open = false;
      if (sink) deps.hub.remove(sink);
    });

    const run = async (): Promise<void> => {
      if (typeof call.request === 'object' && call.request !== null && MALFORMED in call.request) {
        throw new AppError('invalid_argument', 'malformed WatchEvents request');
      }
      const caller = await rt.authenticate(call);
      user = caller.name;
      const filter = parseFilter(call.request);
      authorizeWatch(caller, filter);
      const hasSince = call.request._since === 'since' && call.request.since !== undefined;
      const since = hasSince ? Number(call.request.since) : deps.hub.position;
      if (!Number.isSafeInteger(since) || since < 0) throw new AppError('invalid_argument', 'since: must be a non-negative position');
      if (since > deps.hub.position) {
        throw new AppError('out_of_range', `since: position ${since} is ahead of the event log (newest is ${deps.hub.position}); re-list and watch from INIT`);
      }
      if (!open) return;
      call.write(serializeEvent({ type: 'INIT', position: deps.hub.position, timeMs: deps.now(), kind: '', name: '' }));
      const maxBacklog = deps.limits.maxWatcherBacklog;
      sink = {
        cursor: since,
        deliver: (event, encoded) => {
          if (!open || !matches(filter, event)) return;
          if (call.writableLength >= maxBacklog) {
            close(new AppError('resource_exhausted', `watcher fell behind by ${call.writableLength} events; reconnect with since=${sink?.cursor ?? since} to resume`));
            return;
          }
          call.write(encoded);
        },
        close: () => close(),
      };
      await deps.hub.attach(sink, () => open);
    };
    run().catch((err: unknown) => close(err));
  };
}
