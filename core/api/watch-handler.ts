import { status as grpcStatus, type handleServerStreamingCall, type ServerWritableStream } from '@grpc/grpc-js';
import type { Event as ProtoEvent } from '../../proto/gen/gatehouse/v1/Event.ts';
import type { WatchEventsRequest__Output } from '../../proto/gen/gatehouse/v1/WatchEventsRequest.ts';
import { AppError } from '../domain/app-error.ts';
import { REQUEST_STATES, type RequestState, type ResourceKind, type StoredEvent } from '../domain/types.ts';
import type { EventSink } from '../server/event-hub.ts';
import type { ApiDeps } from './api-deps.ts';
import type { Caller } from './authenticate.ts';
import { isAllowed } from './authorize.ts';
import { finish, rejectMalformed, toStatus, type RpcRuntime } from './rpc.ts';
import { optionalName, requireList, requireOneOf } from './validate-field.ts';

const KINDS: readonly ResourceKind[] = ['access_request', 'role', 'user'];

/** Compact per-watcher filter: thousands of idle watchers each hold one. */
interface WatchFilter {
  kinds: readonly ResourceKind[];
  /** null = every state. */
  states: readonly RequestState[] | null;
  user: string;
}

function parseFilter(req: WatchEventsRequest__Output): WatchFilter {
  const kinds = requireList('kinds', req.kinds, 3, (f, v) => requireOneOf(f, v, KINDS));
  const states = requireList('states', req.states, 8, (f, v) => requireOneOf(f, v, REQUEST_STATES));
  return {
    kinds: kinds.length ? [...new Set(kinds)] : ['access_request'],
    states: states.length ? [...new Set(states)] : null,
    user: optionalName('user', req.user),
  };
}

function authorizeWatch(caller: Caller, filter: WatchFilter): void {
  if (filter.kinds.includes('access_request') && filter.user !== caller.name && !isAllowed(caller, 'access_request', 'watch')) {
    throw new AppError('permission_denied', `user "${caller.name}" may not watch all access requests (needs verb watch on access_request); set user="${caller.name}" to watch your own`);
  }
  for (const kind of ['role', 'user'] as const) {
    if (filter.kinds.includes(kind) && !isAllowed(caller, kind, 'read')) {
      throw new AppError('permission_denied', `user "${caller.name}" may not watch ${kind} events (needs verb read on ${kind})`);
    }
  }
}

function matches(filter: WatchFilter, event: StoredEvent): boolean {
  if (!filter.kinds.includes(event.kind)) return false;
  if (event.kind !== 'access_request') return true;
  if (filter.user && event.request && event.request.user !== filter.user) return false;
  if (filter.user && !event.request) return false;
  // State filters apply to PUT only: a watcher of PENDING requests still learns of deletions.
  if (event.type === 'PUT' && filter.states && event.request && !filter.states.includes(event.request.state)) return false;
  return true;
}

/**
 * One open WatchEvents stream as a hub sink. A class rather than closures: an idle watcher is
 * one small object plus what grpc-js holds for the stream.
 */
class Watcher implements EventSink {
  cursor: number;
  open = true;
  readonly #call: ServerWritableStream<WatchEventsRequest__Output, Buffer>;
  readonly #filter: WatchFilter;
  readonly #deps: ApiDeps;
  readonly #onClose: (err?: unknown) => void;

  constructor(call: ServerWritableStream<WatchEventsRequest__Output, Buffer>, filter: WatchFilter, since: number, deps: ApiDeps, onClose: (err?: unknown) => void) {
    this.#call = call;
    this.#filter = filter;
    this.cursor = since;
    this.#deps = deps;
    this.#onClose = onClose;
  }

  deliver(event: StoredEvent, encoded: () => Buffer): void {
    if (!this.open || !matches(this.#filter, event)) return;
    const backlog = this.#call.writableLength;
    if (backlog >= this.#deps.limits.maxWatcherBacklog) {
      this.#onClose(new AppError('resource_exhausted', `watcher fell behind by ${backlog} events; reconnect with since=${this.cursor} to resume`));
      return;
    }
    this.#call.write(encoded());
  }

  close(): void {
    this.#onClose();
  }
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
    let user = '';
    let watcher: Watcher | undefined;
    let done = false;
    const close = (err?: unknown): void => {
      if (done) return;
      done = true;
      if (watcher) {
        watcher.open = false;
        deps.hub.remove(watcher);
      }
      if (err === undefined) {
        call.end();
        finish(rt, 'WatchEvents', 'OK', started, call.getPeer(), user);
        return;
      }
      const st = toStatus(err);
      call.emit('error', { code: st.code, details: st.details });
      finish(rt, 'WatchEvents', grpcStatus[st.code], started, call.getPeer(), user, st.appError);
    };
    const gone = (): void => {
      done = true;
      if (watcher) {
        watcher.open = false;
        deps.hub.remove(watcher);
      }
    };
    call.on('cancelled', gone);
    call.on('error', gone);

    const run = async (): Promise<void> => {
      rejectMalformed('WatchEvents', call.request);
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
      if (done) return;
      call.write(serializeEvent({ type: 'INIT', position: deps.hub.position, timeMs: deps.now(), kind: '', name: '' }));
      const w = new Watcher(call, filter, since, deps, close);
      watcher = w;
      await deps.hub.attach(w, () => w.open);
    };
    run().catch((err: unknown) => close(err));
  };
}
