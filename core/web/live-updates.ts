import type { Logger } from 'pino';
import type { AccessRequests } from '../api/access-requests.ts';
import type { Caller } from '../api/authenticate.ts';
import { canSee } from '../api/authorize.ts';
import type { AccessRequest, AuditEvent, StoredEvent } from '../domain/types.ts';
import type { EventHub, EventSink } from '../server/event-hub.ts';
import { renderRequestLive } from './pages/request-page.ts';
import { awaitsReviewBy, matchesFilters, type ListFilters } from './requests-listing.ts';
import { requestRow } from './views.ts';
import type { WebContext } from './web-context.ts';

/** What an open page shows, so that only what concerns it is sent. */
export type LiveView = { kind: 'list'; filters: ListFilters } | { kind: 'request'; id: string };

export interface LiveStreamOptions {
  hub: EventHub;
  requests: AccessRequests;
  log: Logger;
  /**
   * Resolves the session's caller again (roles changed, or now and then): undefined when the
   * session or the user has ended, which ends the stream.
   */
  recheck: () => Promise<Caller | undefined>;
  /** The audit entries of a request for the request page's timeline, if the caller may read them. */
  auditOf: (caller: Caller, id: string) => Promise<AuditEvent[] | undefined>;
  /** Comment lines that keep proxies from closing an idle stream; also when the session is rechecked. @default 25000 */
  heartbeatMs?: number;
}

/** A slow reader that lets this much pile up is cut off; its browser reconnects and reloads. */
const MAX_BUFFERED_BYTES = 1024 * 1024;

/**
 * Serves `/web/events`: a server-sent event stream fed by the event hub. Each access-request
 * event the caller may see (the same `canSee` as the API) becomes one message holding the
 * rendered row for each list section it belongs in (null: remove it from that section), or
 * the rendered live part of the request page. Nothing is sent about requests the caller may not
 * see; deletions go only to callers who may list every request.
 */
export function openLiveStream(ctx: WebContext, initial: Caller, view: LiveView, options: LiveStreamOptions): void {
  const { hub, requests, log } = options;
  const { res } = ctx;
  let caller = initial;
  let closed = false;
  let chain: Promise<void> = Promise.resolve();

  res.writeHead(200, { 'Content-Type': 'text/event-stream; charset=utf-8', 'X-Accel-Buffering': 'no' });
  res.write('retry: 3000\n\n');

  const send = (event: string, data: unknown): void => {
    if (closed) return;
    res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    if (res.writableLength > MAX_BUFFERED_BYTES) close();
  };

  const recheck = async (): Promise<void> => {
    const next = await options.recheck();
    if (next === undefined) {
      send('ended', { reason: 'signed out' });
      close();
    } else caller = next;
  };

  const handle = async (event: StoredEvent): Promise<void> => {
    if (closed) return;
    if (event.kind === 'role' || (event.kind === 'user' && event.name === caller.name)) return recheck();
    if (event.kind !== 'access_request') return;
    if (event.type === 'DELETE') {
      if (requests.listsAll(caller)) send('deleted', { id: event.name });
      return;
    }
    const request = event.request;
    if (request === undefined || !(requests.listsAll(caller) || canSee(caller, request))) return;
    if (view.kind === 'list') send('request', listMessage(caller, request, view.filters));
    else if (request.id === view.id) {
      const audit = await options.auditOf(caller, request.id);
      send('request', { id: request.id, state: request.state, html: renderRequestLive(request, audit).value });
    }
  };

  const sink: EventSink = {
    cursor: hub.position,
    deliver: (event) => {
      if (event.kind === 'access_request' || event.kind === 'role' || event.kind === 'user') {
        chain = chain.then(() => handle(event)).catch((err: unknown) => {
          log.error({ err, user: caller.name }, 'live update failed; closing the stream');
          close();
        });
      }
    },
    close: () => close(),
  };
  hub.subscribe(sink);

  const heartbeat = setInterval(() => {
    if (closed) return;
    res.write(': ping\n\n');
    chain = chain.then(recheck).catch(() => close());
  }, options.heartbeatMs ?? 25_000);
  heartbeat.unref();

  function close(): void {
    if (closed) return;
    closed = true;
    clearInterval(heartbeat);
    hub.remove(sink);
    res.end();
  }
  ctx.req.on('close', close);
  res.on('error', close);
}

function listMessage(caller: Caller, request: AccessRequest, filters: ListFilters): { id: string; sections: Record<string, string | null> } {
  const row = requestRow(request).value;
  return {
    id: request.id,
    sections: {
      review: awaitsReviewBy(caller, request) ? row : null,
      mine: request.user === caller.name ? row : null,
      all: matchesFilters(request, filters) ? row : null,
    },
  };
}
