import { approvalProgress } from '../../domain/approval-progress.ts';
import type { AccessRequest, AuditEvent } from '../../domain/types.ts';
import { html, type SafeHtml } from '../html.ts';
import { renderPage, type Viewer } from '../layout.ts';
import { countdownView, noticeView, stateView, timeView } from '../views.ts';

/** What the viewer may do with this request, decided by the shared authorization. */
export interface RequestActions {
  /** Approve/Deny shown: pending, not theirs, not yet reviewed by them, their roles cover it. */
  review: boolean;
  /** Revoke shown: approved and the viewer may update requests (admin). */
  revoke: boolean;
}

export interface RequestPageData {
  viewer: Viewer;
  request: AccessRequest;
  actions: RequestActions;
  /** Audit entries of the request when the viewer may read the audit log; else undefined. */
  audit: AuditEvent[] | undefined;
  notice?: { kind: 'error' | 'ok'; text: string };
}

function detail(term: string, value: SafeHtml | string): SafeHtml {
  return html`<div><dt>${term}</dt><dd>${value}</dd></div>`;
}

function timeline(request: AccessRequest, audit: AuditEvent[] | undefined): SafeHtml {
  if (audit !== undefined) {
    return html`<ol class="timeline">${audit.map(
      (e) => html`<li>${timeView(e.timeMs)} <code>${e.type}</code> by <strong>${e.actor}</strong>${auditSummary(e)}</li>`,
    )}</ol>`;
  }
  // Without audit rights, the timeline is what the request itself says (what the API would show).
  const items: SafeHtml[] = [html`<li>${timeView(request.createdMs)} requested by <strong>${request.user}</strong></li>`];
  for (const r of request.reviews) {
    items.push(html`<li>${timeView(r.createdMs)} ${r.proposedState === 'APPROVED' ? 'approved' : 'denied'} by <strong>${r.author}</strong></li>`);
  }
  if (request.state !== 'PENDING') {
    items.push(html`<li>${timeView(request.updatedMs)} ${stateView(request.state)}${request.resolvedBy ? html` by <strong>${request.resolvedBy}</strong>` : ''}</li>`);
  }
  return html`<ol class="timeline">${items}</ol>`;
}

function auditSummary(e: AuditEvent): SafeHtml | string {
  const state = typeof e.details.state === 'string' ? e.details.state : '';
  const reason = typeof e.details.reason === 'string' && e.details.reason !== '' ? e.details.reason : '';
  return html`${state ? html` → ${state}` : ''}${reason ? html`: <q>${reason}</q>` : ''}`;
}

/**
 * The part of the request page that live updates replace as a whole (state, counts, reviews,
 * timeline); the forms stay outside it so a half-typed reason survives an update.
 */
export function renderRequestLive(request: AccessRequest, audit: AuditEvent[] | undefined): SafeHtml {
  const progress = approvalProgress(request);
  const r = request;
  return html`<dl class="details">
${detail('State', stateView(r.state))}
${detail('User', r.user)}
${detail('Roles', r.roles.join(', '))}
${detail('Reason', r.reason || html`<span class="muted">none given</span>`)}
${detail('Created', timeView(r.createdMs))}
${r.state === 'PENDING' ? detail('Review by', html`${countdownView(r.pendingExpiresMs)}`) : ''}
${detail(r.state === 'APPROVED' ? 'Access ends' : 'Access would end', r.state === 'APPROVED' ? countdownView(r.accessExpiresMs) : timeView(r.accessExpiresMs))}
${r.suggestedReviewers.length ? detail('Suggested reviewers', r.suggestedReviewers.join(', ')) : ''}
${Object.entries(r.annotations).map(([k, v]) => detail(`Annotation ${k}`, v.join(', ')))}
${r.state !== 'PENDING' && (r.resolvedBy || r.resolveReason) ? detail('Resolution', html`${r.resolvedBy ? html`by <strong>${r.resolvedBy}</strong>` : ''}${r.resolveReason ? html`: <q>${r.resolveReason}</q>` : ''}`) : ''}
</dl>
${r.state === 'PENDING' ? html`<p class="needed"><strong>${progress.approvalsNeeded}</strong> more approval${progress.approvalsNeeded === 1 ? '' : 's'} needed.</p>` : ''}
<h2>Thresholds</h2>
<div class="table-wrap"><table>
<thead><tr><th scope="col">Threshold</th><th scope="col">Filter</th><th scope="col">Approvals</th><th scope="col">Denials</th></tr></thead>
<tbody>${progress.thresholds.map(
    (t) => html`<tr><td>${t.threshold.name || 'default'}</td><td>${t.threshold.filter ? html`<code>${t.threshold.filter}</code>` : html`<span class="muted">any reviewer</span>`}</td><td>${t.approvals} of ${t.threshold.approve}</td><td>${t.denials} of ${t.threshold.deny}</td></tr>`,
  )}</tbody>
</table></div>
<h2>Reviews</h2>
${
  r.reviews.length === 0
    ? html`<p class="empty">No reviews yet.</p>`
    : html`<ul class="reviews">${r.reviews.map(
        (v) => html`<li>${stateView(v.proposedState)} by <strong>${v.author}</strong>${v.submittedBy ? html` (submitted by ${v.submittedBy} on their behalf)` : ''} ${timeView(v.createdMs)}${v.reason ? html`<blockquote>${v.reason}</blockquote>` : ''}</li>`,
      )}</ul>`
}
<h2>Timeline</h2>
${timeline(r, audit)}`;
}

function reviewForm(data: RequestPageData): SafeHtml {
  const id = data.request.id;
  return html`<form class="review" method="post" action="/web/requests/${id}/review">
<h2>Your review</h2>
<input type="hidden" name="_csrf" value="${data.viewer.csrfToken}">
<label for="review-reason">Reason (optional)</label>
<textarea id="review-reason" name="reason" rows="3" maxlength="4096"></textarea>
<div class="buttons">
<button type="submit" name="decision" value="APPROVED" class="approve">Approve</button>
<button type="submit" name="decision" value="DENIED" class="deny">Deny</button>
</div>
</form>`;
}

function revokeForm(data: RequestPageData): SafeHtml {
  return html`<form class="revoke" method="post" action="/web/requests/${data.request.id}/revoke">
<h2>Revoke access</h2>
<input type="hidden" name="_csrf" value="${data.viewer.csrfToken}">
<label for="revoke-reason">Reason</label>
<input id="revoke-reason" name="reason" maxlength="4096">
<button type="submit" class="deny">Revoke</button>
</form>`;
}

/** How the requester uses granted access. */
function assumeHint(request: AccessRequest, viewer: Viewer): SafeHtml | string {
  if (request.user !== viewer.name) return '';
  return html`<section class="assume" data-show-when="APPROVED"${request.state === 'APPROVED' ? '' : html` hidden`}>
<h2>Use your access</h2>
<p>Get a certificate carrying the approved roles:</p>
<pre><code>gatehouse request assume ${request.id}</code></pre>
</section>`;
}

/** `/web/requests/<id>`: the link every plugin posts. Live updates follow the request until it resolves. */
export function renderRequestPage(data: RequestPageData): SafeHtml {
  const { request } = data;
  const body = html`<div data-live="/web/events?request=${request.id}">
<p><a href="/web/requests">← All requests</a></p>
<h1>Access to ${request.roles.join(', ')} for ${request.user}</h1>
<p class="muted">Request <code>${request.id}</code></p>
${data.notice ? noticeView(data.notice.kind, data.notice.text) : ''}
<p class="live-status" role="status" aria-live="polite" data-live-status></p>
<div id="request-live" aria-live="polite">${renderRequestLive(request, data.audit)}</div>
${assumeHint(request, data.viewer)}
${data.actions.review ? html`<div data-show-when="PENDING">${reviewForm(data)}</div>` : ''}
${data.actions.revoke ? html`<div data-show-when="APPROVED">${revokeForm(data)}</div>` : ''}
</div>`;
  return renderPage({ title: `Request ${request.id.slice(0, 8)}`, viewer: data.viewer, current: 'requests', body });
}
