import type { Caller } from '../api/authenticate.ts';
import { isAllowed } from '../api/authorize.ts';
import { AppError } from '../domain/app-error.ts';
import { parseDuration } from '../domain/duration.ts';
import { requestCapabilities } from '../domain/request-capabilities.ts';
import { parseRequestId } from '../domain/request-id.ts';
import type { AuditEvent } from '../domain/types.ts';
import { openLiveStream, type LiveView } from './live-updates.ts';
import { renderNewRequestPage } from './pages/new-request-page.ts';
import { renderRequestPage } from './pages/request-page.ts';
import { renderRequestsPage } from './pages/requests-page.ts';
import { awaitsReviewBy, listAwaitingReview, listFiltered, listMine, parseFilters } from './requests-listing.ts';
import type { Route } from './route.ts';
import { readForm, redirect, sendHtml, type WebContext } from './web-context.ts';
import type { WebDeps } from './web-deps.ts';
import { requireCsrf, requireSameOrigin, type SignedIn } from './web-session-guard.ts';

/** A route that needs a session; the dispatcher resolves it first. */
export interface ConsoleRoute extends Omit<Route, 'handle'> {
  handle: (ctx: WebContext, deps: WebDeps, me: SignedIn) => Promise<void>;
  /** Live streams do not count as activity for the idle timeout. */
  passive?: boolean;
}

const MAX_TOKEN_CHARS = 512;
const MAX_REASON_BYTES = 4096;

function requestIdParam(ctx: WebContext): string {
  return parseRequestId(ctx.params.id ?? '');
}

function pageToken(ctx: WebContext, name = 'after'): string {
  const token = ctx.query.get(name) ?? '';
  if (token.length > MAX_TOKEN_CHARS) throw new AppError('invalid_argument', `${name}: page token too long`);
  return token;
}

function reasonOf(form: URLSearchParams): string {
  const reason = form.get('reason') ?? '';
  if (Buffer.byteLength(reason) > MAX_REASON_BYTES) throw new AppError('invalid_argument', `reason: longer than ${MAX_REASON_BYTES} bytes`);
  return reason;
}

/** A state-changing form: same origin, then the CSRF token. */
async function checkedForm(ctx: WebContext, me: SignedIn): Promise<URLSearchParams> {
  requireSameOrigin(ctx);
  const form = await readForm(ctx);
  requireCsrf(me.session, form);
  return form;
}

async function auditOf(deps: WebDeps, caller: Caller, id: string): Promise<AuditEvent[] | undefined> {
  if (!isAllowed(caller, 'audit_event', 'list')) return undefined;
  return (await deps.requests.searchAudit(caller, { requestId: id, pageSize: 200 })).items;
}

async function requestsPage(ctx: WebContext, deps: WebDeps, me: SignedIn): Promise<void> {
  const filters = parseFilters(ctx.query);
  const after = pageToken(ctx);
  const plain = after === '' && filters.state === undefined && filters.user === '' && filters.role === '';
  const [awaiting, mine, listing] = await Promise.all([
    plain ? listAwaitingReview(deps.requests, me.caller) : undefined,
    plain ? listMine(deps.requests, me.caller) : undefined,
    listFiltered(deps.requests, me.caller, filters, after),
  ]);
  sendHtml(ctx, 200, renderRequestsPage({ viewer: me.viewer, filters, awaiting, mine, listing, firstPage: after === '' }));
}

const DONE: Record<string, string> = {
  created: 'Request created. This page follows it until it is resolved.',
  APPROVED: 'You approved this request.',
  DENIED: 'You denied this request.',
  REVOKED: 'Access revoked.',
};

async function requestPage(ctx: WebContext, deps: WebDeps, me: SignedIn): Promise<void> {
  const request = await deps.requests.get(me.caller, requestIdParam(ctx));
  const done = DONE[ctx.query.get('done') ?? ''];
  sendHtml(
    ctx,
    200,
    renderRequestPage({
      viewer: me.viewer,
      request,
      actions: {
        review: awaitsReviewBy(me.caller, request),
        revoke: request.state === 'APPROVED' && isAllowed(me.caller, 'access_request', 'update'),
      },
      audit: await auditOf(deps, me.caller, request.id),
      ...(done ? { notice: { kind: 'ok' as const, text: done } } : {}),
    }),
  );
}

function capabilitiesOf(deps: WebDeps, caller: Caller) {
  return requestCapabilities({ name: caller.name, roles: caller.roles, traits: caller.traits }, deps.allRoles());
}

async function newRequestPage(ctx: WebContext, deps: WebDeps, me: SignedIn): Promise<void> {
  sendHtml(ctx, 200, renderNewRequestPage({ viewer: me.viewer, capabilities: capabilitiesOf(deps, me.caller) }));
}

async function createRequest(ctx: WebContext, deps: WebDeps, me: SignedIn): Promise<void> {
  const form = await checkedForm(ctx, me);
  const roles = form.getAll('roles').slice(0, 33);
  const reason = reasonOf(form);
  const duration = (form.get('duration') ?? '').trim().slice(0, 32);
  try {
    if (roles.length === 0) throw new AppError('invalid_argument', 'choose at least one role');
    const created = await deps.requests.create(me.caller, {
      user: '',
      roles,
      reason,
      suggestedReviewers: [],
      maxDurationMs: duration === '' ? 0 : parseDuration(duration),
      pendingTtlMs: 0,
      dryRun: false,
    });
    redirect(ctx, `/web/requests/${created.id}?done=created`);
  } catch (err) {
    const appErr = AppError.from(err);
    if (appErr.code !== 'invalid_argument' && appErr.code !== 'permission_denied') throw err;
    sendHtml(
      ctx,
      appErr.code === 'invalid_argument' ? 400 : 403,
      renderNewRequestPage({ viewer: me.viewer, capabilities: capabilitiesOf(deps, me.caller), values: { roles, reason, duration }, error: appErr.message }),
    );
  }
}

async function review(ctx: WebContext, deps: WebDeps, me: SignedIn): Promise<void> {
  const id = requestIdParam(ctx);
  const form = await checkedForm(ctx, me);
  const decision = form.get('decision');
  if (decision !== 'APPROVED' && decision !== 'DENIED') throw new AppError('invalid_argument', 'decision: expected APPROVED or DENIED');
  await deps.requests.review(me.caller, { requestId: id, proposedState: decision, reason: reasonOf(form), author: '' });
  redirect(ctx, `/web/requests/${id}?done=${decision}`);
}

async function revoke(ctx: WebContext, deps: WebDeps, me: SignedIn): Promise<void> {
  const id = requestIdParam(ctx);
  const form = await checkedForm(ctx, me);
  await deps.requests.setState(me.caller, { requestId: id, state: 'REVOKED', reason: reasonOf(form) });
  redirect(ctx, `/web/requests/${id}?done=REVOKED`);
}

async function liveEvents(ctx: WebContext, deps: WebDeps, me: SignedIn): Promise<void> {
  const requestId = ctx.query.get('request');
  let view: LiveView;
  if (requestId !== null) {
    // The same check as opening the page: no stream about a request the caller may not see.
    const request = await deps.requests.get(me.caller, parseRequestId(requestId));
    view = { kind: 'request', id: request.id };
  } else view = { kind: 'list', filters: parseFilters(ctx.query) };
  const cookie = me.cookie;
  openLiveStream(ctx, me.caller, view, {
    hub: deps.hub,
    requests: deps.requests,
    log: deps.log,
    auditOf: (caller, id) => auditOf(deps, caller, id),
    recheck: async () => {
      const session = deps.sessions.get(cookie, false);
      if (!session) return undefined;
      try {
        return await deps.resolve(session.identity);
      } catch {
        deps.sessions.end(cookie);
        return undefined;
      }
    },
  });
}

/** The console's pages and actions; each needs a session. */
export const CONSOLE_ROUTES: ConsoleRoute[] = [
  { method: 'GET', path: '/web/requests', handle: requestsPage },
  { method: 'GET', path: '/web/requests/new', handle: newRequestPage },
  { method: 'POST', path: '/web/requests', handle: createRequest },
  { method: 'GET', path: '/web/requests/:id', handle: requestPage },
  { method: 'POST', path: '/web/requests/:id/review', handle: review },
  { method: 'POST', path: '/web/requests/:id/revoke', handle: revoke },
  { method: 'GET', path: '/web/events', handle: liveEvents, passive: true },
];
