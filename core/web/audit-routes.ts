import { requireAllowed } from '../api/authorize.ts';
import { AppError } from '../domain/app-error.ts';
import { parseRequestId } from '../domain/request-id.ts';
import type { AuditQuery } from '../store/store.ts';
import type { ConsoleRoute } from './console-routes.ts';
import { renderAuditPage, type AuditFilters } from './pages/audit-page.ts';
import { sendHtml, type WebContext } from './web-context.ts';
import type { WebDeps } from './web-deps.ts';
import type { SignedIn } from './web-session-guard.ts';

const AUDIT_ROWS = 100;
const EXPORT_BATCH = 1000;

/** `2026-01-02T03:04` (a datetime-local field, read as UTC) or a full ISO time. */
function parseTime(name: string, value: string | null): number | undefined {
  if (value === null || value.trim() === '') return undefined;
  const text = value.trim();
  const ms = Date.parse(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$/.test(text) ? `${text}Z` : text);
  if (!Number.isFinite(ms) || text.length > 40) throw new AppError('invalid_argument', `${name}: expected a date and time like 2026-01-02T15:04, got ${JSON.stringify(text.slice(0, 40))}`);
  return ms;
}

function parseAuditFilters(query: URLSearchParams): AuditFilters {
  const text = (name: string, max: number): string => {
    const value = (query.get(name) ?? '').trim();
    if (value.length > max) throw new AppError('invalid_argument', `${name}: longer than ${max} characters`);
    return value;
  };
  const requestId = text('request', 64);
  return {
    sinceMs: parseTime('since', query.get('since')),
    untilMs: parseTime('until', query.get('until')),
    actor: text('actor', 128),
    requestId: requestId === '' ? '' : parseRequestId(requestId),
    type: text('type', 128),
  };
}

function toQuery(filters: AuditFilters): Omit<AuditQuery, 'pageSize'> {
  return {
    ...(filters.sinceMs !== undefined ? { sinceMs: filters.sinceMs } : {}),
    ...(filters.untilMs !== undefined ? { untilMs: filters.untilMs } : {}),
    ...(filters.actor ? { actor: filters.actor } : {}),
    ...(filters.requestId ? { requestId: filters.requestId } : {}),
    ...(filters.type ? { type: filters.type } : {}),
  };
}

async function auditPage(ctx: WebContext, deps: WebDeps, me: SignedIn): Promise<void> {
  const filters = parseAuditFilters(ctx.query);
  const after = ctx.query.get('after') ?? '';
  if (after.length > 512) throw new AppError('invalid_argument', 'after: page token too long');
  const page = await deps.requests.searchAudit(me.caller, { ...toQuery(filters), newestFirst: true, pageSize: AUDIT_ROWS, ...(after ? { pageToken: after } : {}) });
  sendHtml(ctx, 200, renderAuditPage({ viewer: me.viewer, filters, raw: ctx.query, events: page.items, nextPageToken: page.nextPageToken }));
}

/**
 * The whole search as JSON lines, oldest first, read and written a batch at a time so an
 * export of a long log neither buffers it nor blocks other requests.
 */
async function auditExport(ctx: WebContext, deps: WebDeps, me: SignedIn): Promise<void> {
  requireAllowed(me.caller, 'audit_event', 'list');
  const query = toQuery(parseAuditFilters(ctx.query));
  ctx.res.writeHead(200, {
    'Content-Type': 'application/x-ndjson; charset=utf-8',
    'Content-Disposition': 'attachment; filename="gatehouse-audit.jsonl"',
  });
  let token = '';
  do {
    const page = await deps.requests.searchAudit(me.caller, { ...query, pageSize: EXPORT_BATCH, ...(token ? { pageToken: token } : {}) });
    const lines = page.items.map((e) => `${JSON.stringify({ id: e.id, time: new Date(e.timeMs).toISOString(), type: e.type, actor: e.actor, request_id: e.requestId, details: e.details })}\n`);
    if (lines.length > 0 && !ctx.res.write(lines.join(''))) await new Promise((resolve) => ctx.res.once('drain', resolve));
    if (ctx.res.destroyed) return;
    token = page.nextPageToken;
  } while (token !== '');
  ctx.res.end();
}

/** The audit log: search and export; both need verb list on audit_event (as SearchAuditEvents). */
export const AUDIT_ROUTES: ConsoleRoute[] = [
  { method: 'GET', path: '/web/audit', handle: auditPage },
  { method: 'GET', path: '/web/audit/export', handle: auditExport },
];
