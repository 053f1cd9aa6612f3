import type { AccessRequest } from '../../domain/types.ts';
import { REQUEST_STATES } from '../../domain/types.ts';
import { html, type SafeHtml } from '../html.ts';
import { renderPage, type Viewer } from '../layout.ts';
import type { ListFilters, Listing } from '../requests-listing.ts';
import { requestTable } from '../views.ts';

export interface RequestsPageData {
  viewer: Viewer;
  filters: ListFilters;
  /** Shown on the first page only. */
  awaiting: AccessRequest[] | undefined;
  mine: AccessRequest[] | undefined;
  listing: Listing;
  /** The page is the newest one (live updates add rows at the top). */
  firstPage: boolean;
}

function filterQuery(filters: ListFilters): URLSearchParams {
  const q = new URLSearchParams();
  if (filters.state) q.set('state', filters.state.toLowerCase());
  if (filters.user) q.set('user', filters.user);
  if (filters.role) q.set('role', filters.role);
  return q;
}

function filterForm(filters: ListFilters): SafeHtml {
  const option = (value: string, label: string) =>
    html`<option value="${value}"${(filters.state ?? '').toLowerCase() === value ? html` selected` : ''}>${label}</option>`;
  return html`<form class="filters" method="get" action="/web/requests" role="search" aria-label="Filter requests">
<div><label for="f-state">State</label>
<select id="f-state" name="state">${option('', 'Any')}${REQUEST_STATES.map((s) => option(s.toLowerCase(), s[0] + s.slice(1).toLowerCase()))}</select></div>
<div><label for="f-user">User</label><input id="f-user" name="user" value="${filters.user}" autocomplete="off" maxlength="128"></div>
<div><label for="f-role">Role</label><input id="f-role" name="role" value="${filters.role}" autocomplete="off" maxlength="128"></div>
<div><button type="submit">Filter</button> <a href="/web/requests">Clear</a></div>
</form>`;
}

/**
 * The requests page: waiting for my review, then mine, then every request I may see that
 * passes the filters, newest first, with live updates (`data-live` tells the script where to
 * subscribe: /web/events with the same filters).
 */
export function renderRequestsPage(data: RequestsPageData): SafeHtml {
  const q = filterQuery(data.filters);
  const live = new URLSearchParams(q);
  live.set('view', 'list');
  const older = new URLSearchParams(q);
  older.set('after', data.listing.nextPageToken);
  const filtered = q.size > 0;
  const body = html`<div data-live="/web/events?${live.toString()}" data-first-page="${data.firstPage ? 'yes' : 'no'}">
<h1>Access requests</h1>
<p class="live-status" role="status" aria-live="polite" data-live-status></p>
${data.awaiting === undefined ? '' : requestTable('review', 'Waiting for your review', data.awaiting, 'Nothing is waiting for your review.')}
${data.mine === undefined ? '' : requestTable('mine', 'Your requests', data.mine, html`You have made no requests. <a href="/web/requests/new">Request access</a>.`)}
${requestTable(
  'all',
  filtered ? 'Requests matching the filters' : 'All requests you can see',
  data.listing.items,
  filtered ? 'No request matches these filters.' : 'There are no requests yet.',
  {
    before: filterForm(data.filters),
    after: html`<nav class="pager" aria-label="Pages">
${data.firstPage ? '' : html`<a href="/web/requests${q.size ? `?${q.toString()}` : ''}">Newest</a>`}
${data.listing.nextPageToken ? html`<a href="/web/requests?${older.toString()}" rel="next">Older</a>` : ''}
</nav>`,
  },
)}
</div>`;
  return renderPage({ title: 'Requests', viewer: data.viewer, current: 'requests', body });
}
