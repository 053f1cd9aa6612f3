import { html, type SafeHtml } from '../html.ts';
import { renderPage, type Viewer } from '../layout.ts';
import { noticeView, timeView } from '../views.ts';

/** Shown to a browser without a session: how to get a sign-in link. */
export function renderSignInHelp(next: string, message?: string): SafeHtml {
  return renderPage({
    title: 'Sign in',
    body: html`<h1>Sign in to Gatehouse</h1>
${message ? noticeView('error', message) : ''}
<p>The console signs you in with your Gatehouse identity. In a terminal where <code>gatehouse status</code> works, run:</p>
<pre><code>gatehouse web login${next !== '/web/requests' ? ` --next ${next}` : ''}</code></pre>
<p>and open the link it prints within a minute. Each link works once.</p>`,
  });
}

/**
 * The page a sign-in link opens. Signing in takes a click (a POST), so link previewers and
 * scanners that fetch the URL (chat unfurls, mail filters) cannot use up the one-time link.
 */
export function renderConfirmSignIn(token: string, user: string, expiresMs: number, next: string): SafeHtml {
  return renderPage({
    title: 'Sign in',
    body: html`<h1>Sign in as ${user}?</h1>
<p>This link was made by <code>gatehouse web login</code> and works once, until ${timeView(expiresMs)}.</p>
<form method="post" action="/web/login">
<input type="hidden" name="token" value="${token}">
<input type="hidden" name="next" value="${next}">
<button type="submit" autofocus>Sign in as ${user}</button>
</form>`,
  });
}

/** An error page; `viewer` keeps the navigation when signed in. */
export function renderErrorPage(status: number, message: string, viewer?: Viewer): SafeHtml {
  const title = status === 404 ? 'Not found' : status === 403 ? 'Not allowed' : status === 401 ? 'Signed out' : status >= 500 ? 'Something went wrong' : 'Cannot do that';
  return renderPage({
    title,
    ...(viewer ? { viewer } : {}),
    body: html`<h1>${title}</h1>${noticeView('error', message)}<p><a href="/web/requests">Back to the requests</a></p>`,
  });
}

/**
 * For a top-level navigation from another site (a Slack or e-mail link): the browser withholds
 * the SameSite=Strict session cookie on that first request, so the page loads itself once more
 * from this site, with the cookie. A meta refresh, because no inline script may run.
 */
export function renderSameSiteBounce(path: string): SafeHtml {
  return html`<!doctype html><html lang="en"><head><meta charset="utf-8"><meta http-equiv="refresh" content="0; url=${path}"><title>Gatehouse</title></head>
<body><main><p><a href="${path}">Continue to Gatehouse</a></p></main></body></html>`;
}
