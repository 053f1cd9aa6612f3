import type { AccessRequest, RequestState } from '../domain/types.ts';
import { html, type SafeHtml } from './html.ts';

/**
 * A time in UTC, which the console script rewrites into the viewer's time zone (without the
 * script, UTC is still right).
 */
export function timeView(ms: number): SafeHtml {
  const iso = new Date(ms).toISOString();
  return html`<time datetime="${iso}" data-local>${iso.slice(0, 16).replace('T', ' ')} UTC</time>`;
}

/** A deadline that the script counts down each second ("in 3h 12m"). */
export function countdownView(ms: number): SafeHtml {
  const iso = new Date(ms).toISOString();
  return html`<time datetime="${iso}" data-countdown>${iso.slice(0, 16).replace('T', ' ')} UTC</time>`;
}

const STATE_LABELS: Record<RequestState, string> = {
  PENDING: 'Pending',
  APPROVED: 'Approved',
  DENIED: 'Denied',
  EXPIRED: 'Expired',
  REVOKED: 'Revoked',
};

/** The state as a word with a colour (never colour alone). */
export function stateView(state: RequestState): SafeHtml {
  return html`<span class="state state-${state.toLowerCase()}">${STATE_LABELS[state]}</span>`;
}

/** One table row of a request list; `data-id` lets live updates find and replace it. */
export function requestRow(request: AccessRequest): SafeHtml {
  return html`<tr data-id="${request.id}">
<td><a href="/web/requests/${request.id}">${request.roles.join(', ')}</a></td>
<td>${request.user}</td>
<td>${stateView(request.state)}</td>
<td class="reason">${request.reason || html`<span class="muted">none</span>`}</td>
<td>${timeView(request.createdMs)}</td>
</tr>`;
}

/** A table of requests with a caption, or the empty message. */
export function requestTable(
  id: string,
  caption: string,
  rows: readonly AccessRequest[],
  empty: string | SafeHtml,
  extra: { before?: SafeHtml; after?: SafeHtml } = {},
): SafeHtml {
  return html`<section aria-labelledby="${id}-title" class="list" data-section="${id}">
<h2 id="${id}-title">${caption}</h2>
${extra.before}
<p class="empty"${rows.length > 0 ? html` hidden` : ''}>${empty}</p>
<div class="table-wrap"><table${rows.length === 0 ? html` hidden` : ''}>
<thead><tr><th scope="col">Roles</th><th scope="col">User</th><th scope="col">State</th><th scope="col">Reason</th><th scope="col">Created</th></tr></thead>
<tbody>${rows.map(requestRow)}</tbody>
</table></div>
${extra.after}
</section>`;
}

/** An alert for the outcome of the last action or an error. */
export function noticeView(kind: 'error' | 'ok', text: string): SafeHtml {
  return html`<p class="notice notice-${kind}" role="${kind === 'error' ? 'alert' : 'status'}">${text}</p>`;
}
