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
import type { GuardedCall, GuardHandle, WatchGuard } from './watch-guard.ts';

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
  // A deletion names its request's owner (events stored before that did not: those are left out).
  if (filter.user && (event.request?.user ?? event.owner) !== filter.user) return false;
  // State filters apply to PUT only: a watcher of PENDING requests still learns of deletions.
  if (event.type === 'PUT' && filter.states && event.request && !filter.states.includes(event.request.state)) return false;
  return true;
}

/**
 * One open WatchEvents stream as a hub sink and a guarded call. A class rather than closures:
 * an idle watcher is one small object plus what grpc-js holds for the stream.
 */
class Watcher implements EventSink, GuardedCall {
  cursor: number;
  open = true;
  /**
   * INIT is written before the first event the hub hands over, or when the watcher joins live
   * delivery: so a `since` the log was pruned past fails before anything is sent.
   */
  #initPending = true;
  readonly #resumed: boolean;
  readonly #call: ServerWritableStream<WatchEventsRequest__Output, Buffer>;
  readonly #filter: WatchFilter;
  readonly #deps: ApiDeps;
  readonly #serialize: (event: ProtoEvent) => Buffer;
  readonly #onClose: (err?: unknown) => void;

  constructor(
    call: ServerWritableStream<WatchEventsRequest__Output, Buffer>,
    filter: WatchFilter,
    since: number,
    resumed: boolean,
    deps: ApiDeps,
    serialize: (event: ProtoEvent) => Buffer,
    onClose: (err?: unknown) => void,
  ) {
    this.#call = call;
    this.#filter = filter;
    this.cursor = since;
    this.#resumed = resumed;
    this.#deps = deps;
    this.#serialize = serialize;
    this.#onClose = onClose;
  }

  deliver(event: StoredEvent, encoded: () => Buffer): void {
    if (!this.open) return;
    if (this.#initPending) this.#writeMarker('INIT', this.cursor);
    if (!matches(this.#filter, event)) return;
    const backlog = this.#call.writableLength;
    if (backlog >= this.#deps.limits.maxWatcherBacklog) {
      this.#onClose(new AppError('resource_exhausted', `watcher fell behind by ${backlog} events; reconnect with since=${this.cursor} to resume`));
      return;
    }
    this.#call.write(encoded());
  }

  caughtUp(position: number): void {
    if (!this.open) return;
    if (this.#initPending) this.#writeMarker('INIT', this.cursor);
    if (this.#resumed) this.#writeMarker('CAUGHT_UP', position);
  }

  recheck(caller: Caller): void {
    authorizeWatch(caller, this.#filter);
  }

  end(err: AppError): void {
    this.#onClose(err);
  }

  close(): void {
    this.#onClose();
  }

  #writeMarker(type: 'INIT' | 'CAUGHT_UP', position: number): void {
    this.#initPending = false;
    this.#call.write(this.#serialize({ type, position, timeMs: this.#deps.now(), kind: '', name: '' }));
  }
}

/**
 * WatchEvents: INIT, then every matching event in log order. With `since`, INIT carries
 * `since`, the events after it are replayed from the store, then CAUGHT_UP says the replay is
 * over (OUT_OF_RANGE, before anything is sent, if the log was pruned past `since`); without,
 * INIT carries the current position. Each event's bytes are encoded once by the hub and shared
 * by all watchers. A watcher whose unsent backlog exceeds the limit is closed with
 * RESOURCE_EXHAUSTED and the position to resume from, so a slow client cannot grow server
 * memory without bound. The guard ends the stream when its caller loses the access it needs.
 */
export function createWatchHandler(
  deps: ApiDeps,
  rt: RpcRuntime,
  serializeEvent: (event: ProtoEvent) => Buffer,
  guard: WatchGuard,
): handleServerStreamingCall<WatchEventsRequest__Output, Buffer> {
  return (call) => {
    const started = performance.now();
    let user = '';
    let watcher: Watcher | undefined;
    let guarded: GuardHandle | undefined;
    let done = false;
    const detach = (): void => {
      done = true;
      if (!watcher) return;
      watcher.open = false;
      deps.hub.remove(watcher);
      if (guarded) guard.remove(watcher, guarded);
    };
    const close = (err?: unknown): void => {
      if (done) return;
      detach();
      if (err === undefined) {
        call.end();
        finish(rt, 'WatchEvents', 'OK', started, call.getPeer(), user);
        return;
      }
      const st = toStatus(err);
      call.emit('error', { code: st.code, details: st.details });
      finish(rt, 'WatchEvents', grpcStatus[st.code], started, call.getPeer(), user, st.appError);
    };
    call.on('cancelled', detach);
    call.on('error', detach);

    const run = async (): Promise<void> => {
      rejectMalformed('WatchEvents', call.request);
      const epoch = guard.epoch;
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
      const w = new Watcher(call, filter, since, hasSince, deps, serializeEvent, close);
      watcher = w;
      guarded = guard.add(w, caller, epoch);
      await deps.hub.attach(w, () => w.open);
    };
    run().catch((err: unknown) => close(err));
  };
}
