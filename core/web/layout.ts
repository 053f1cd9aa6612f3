import { SERVER_VERSION } from '../server/version.ts';
import { html, type SafeHtml } from './html.ts';

/** Who is signed in, for the header; absent on the sign-in pages. */
export interface Viewer {
  name: string;
  csrfToken: string;
  /** Show the Audit link (verb list on audit_event). */
  canAudit: boolean;
}

export interface PageOptions {
  title: string;
  viewer?: Viewer;
  /** Which navigation entry is the current page. */
  current?: 'requests' | 'new' | 'audit';
  body: SafeHtml;
}

const ASSET_VERSION = encodeURIComponent(SERVER_VERSION);

/**
 * The page shell: a skip link, a header with navigation and sign-out, one `main` landmark.
 * The stylesheet and the one script are served from /web/assets (CSP allows nothing inline).
 */
export function renderPage(options: PageOptions): SafeHtml {
  const { viewer, current } = options;
  const nav = (key: PageOptions['current'], href: string, label: string) =>
    html`<li><a href="${href}"${current === key ? html` aria-current="page"` : ''}>${label}</a></li>`;
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>${options.title} · Gatehouse</title>
<link rel="stylesheet" href="/web/assets/console.css?v=${ASSET_VERSION}">
<script src="/web/assets/console.js?v=${ASSET_VERSION}" defer></script>
</head>
<body>
<a class="skip" href="#main">Skip to content</a>
<header class="top">
<a class="brand" href="/web/requests">Gatehouse</a>
${
  viewer
    ? html`<nav aria-label="Main"><ul>
${nav('requests', '/web/requests', 'Requests')}
${nav('new', '/web/requests/new', 'New request')}
${viewer.canAudit ? nav('audit', '/web/audit', 'Audit') : ''}
</ul></nav>
<form class="signout" method="post" action="/web/logout">
<input type="hidden" name="_csrf" value="${viewer.csrfToken}">
<span class="who">Signed in as <strong>${viewer.name}</strong></span>
<button type="submit">Sign out</button>
</form>`
    : ''
}
</header>
<main id="main" tabindex="-1">
${options.body}
</main>
</body>
</html>
`;
}
