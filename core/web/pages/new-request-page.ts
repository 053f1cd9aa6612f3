import { formatDuration } from '../../domain/duration.ts';
import type { RequestCapabilities } from '../../domain/request-capabilities.ts';
import { html, type SafeHtml } from '../html.ts';
import { renderPage, type Viewer } from '../layout.ts';
import { noticeView } from '../views.ts';

export interface NewRequestPageData {
  viewer: Viewer;
  capabilities: RequestCapabilities;
  /** What was submitted, to fill the form again after an error. */
  values?: { roles: string[]; reason: string; duration: string };
  error?: string;
}

/** The form for a new request: only the roles the viewer may request, each with its longest access. */
export function renderNewRequestPage(data: NewRequestPageData): SafeHtml {
  const { capabilities: caps, values } = data;
  const chosen = new Set(values?.roles ?? []);
  const reasonRequired = caps.reasonRequiredBy !== undefined;
  const body =
    caps.roles.length === 0
      ? html`<h1>New access request</h1><p class="empty">Your roles allow you to request no other role. Ask an administrator if you need more access.</p>`
      : html`<h1>New access request</h1>
${data.error ? noticeView('error', data.error) : ''}
<form class="new-request" method="post" action="/web/requests">
<input type="hidden" name="_csrf" value="${data.viewer.csrfToken}">
<fieldset>
<legend>Roles</legend>
${caps.roles.map(
  (r, i) => html`<div class="check"><input type="checkbox" id="role-${i}" name="roles" value="${r.name}"${chosen.has(r.name) ? html` checked` : ''}>
<label for="role-${i}">${r.name} <span class="muted">(up to ${formatDuration(r.maxDurationMs)})</span></label></div>`,
)}
</fieldset>
<label for="reason">Reason${reasonRequired ? html` <span class="muted">(required by role ${caps.reasonRequiredBy})</span>` : ''}</label>
<textarea id="reason" name="reason" rows="3" maxlength="4096"${reasonRequired ? html` required` : ''}>${values?.reason ?? ''}</textarea>
<label for="duration">Duration <span class="muted">(e.g. 2h or 30m; empty for the longest allowed)</span></label>
<input id="duration" name="duration" value="${values?.duration ?? ''}" pattern="[0-9hmsd ]*" autocomplete="off" maxlength="16">
<button type="submit">Request access</button>
</form>`;
  return renderPage({ title: 'New request', viewer: data.viewer, current: 'new', body });
}
