import type { AuditEvent } from '../../domain/types.ts';
import { html, type SafeHtml } from '../html.ts';
import { renderPage, type Viewer } from '../layout.ts';
import { timeView } from '../views.ts';

/** The audit page's search (query `since`, `until` as datetime-local in UTC… or ISO; `actor`, `request`, `type`). */
export interface AuditFilters {
  sinceMs: number | undefined;
  untilMs: number | undefined;
  actor: string;
  requestId: string;
  type: string;
}

export interface AuditPageData {
  viewer: Viewer;
  filters: AuditFilters;
  /** The form's raw values, echoed back. */
  raw: URLSearchParams;
  events: AuditEvent[];
  nextPageToken: string;
}

const KINDS = ['access_request.create', 'access_request.review', 'access_request.update', 'access_request.delete', 'access_request.expire', 'user.create', 'user.update', 'user.delete', 'user.invite', 'user.login', 'role.apply', 'role.delete', 'cert.create'];

/** Newest first, 100 a page; the export link carries the same search. */
export function renderAuditPage(data: AuditPageData): SafeHtml {
  const v = (k: string) => data.raw.get(k) ?? '';
  const search = new URLSearchParams();
  for (const k of ['since', 'until', 'actor', 'request', 'type']) if (v(k)) search.set(k, v(k));
  const older = new URLSearchParams(search);
  older.set('after', data.nextPageToken);
  const body = html`<h1>Audit log</h1>
<form class="filters" method="get" action="/web/audit" role="search" aria-label="Search the audit log">
<div><label for="a-since">From (UTC)</label><input id="a-since" name="since" type="datetime-local" value="${v('since')}"></div>
<div><label for="a-until">Until (UTC)</label><input id="a-until" name="until" type="datetime-local" value="${v('until')}"></div>
<div><label for="a-actor">User</label><input id="a-actor" name="actor" value="${v('actor')}" maxlength="128" autocomplete="off"></div>
<div><label for="a-request">Request ID</label><input id="a-request" name="request" value="${v('request')}" maxlength="64" autocomplete="off"></div>
<div><label for="a-type">Kind</label><input id="a-type" name="type" value="${v('type')}" list="audit-kinds" maxlength="128" autocomplete="off">
<datalist id="audit-kinds">${KINDS.map((k) => html`<option value="${k}"></option>`)}</datalist></div>
<div><button type="submit">Search</button> <a href="/web/audit/export${search.size ? `?${search.toString()}` : ''}" download>Export as JSON lines</a></div>
</form>
${
  data.events.length === 0
    ? html`<p class="empty">No audit entries match.</p>`
    : html`<div class="table-wrap"><table>
<caption class="visually-hidden">Audit entries, newest first</caption>
<thead><tr><th scope="col">Time</th><th scope="col">Kind</th><th scope="col">By</th><th scope="col">Request</th><th scope="col">Details</th></tr></thead>
<tbody>${data.events.map(
        (e) => html`<tr><td>${timeView(e.timeMs)}</td><td><code>${e.type}</code></td><td>${e.actor}</td><td>${e.requestId ? html`<a href="/web/requests/${e.requestId}">${e.requestId.slice(0, 8)}…</a>` : ''}</td><td class="reason"><code>${JSON.stringify(e.details)}</code></td></tr>`,
      )}</tbody>
</table></div>`
}
<nav class="pager" aria-label="Pages">${data.nextPageToken ? html`<a href="/web/audit?${older.toString()}" rel="next">Older</a>` : ''}</nav>`;
  return renderPage({ title: 'Audit', viewer: data.viewer, current: 'audit', body });
}
