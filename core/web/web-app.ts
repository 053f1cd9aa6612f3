import type { IncomingMessage, ServerResponse } from 'node:http';
import { AppError } from '../domain/app-error.ts';
import { CONSOLE_CSS } from './assets/console-css.ts';
import { CONSOLE_JS } from './assets/console-js.ts';
import { AUDIT_ROUTES } from './audit-routes.ts';
import { CONSOLE_ROUTES, type ConsoleRoute } from './console-routes.ts';
import { renderErrorPage, renderSameSiteBounce } from './pages/sign-in-pages.ts';
import { compileRoutes, type Route } from './route.ts';
import { setSecurityHeaders } from './security-headers.ts';
import { SIGN_IN_ROUTES, sendSignedOut } from './sign-in-routes.ts';
import { createContext, httpStatusOf, redirect, sendHtml, sendJson, type WebContext } from './web-context.ts';
import type { WebDeps } from './web-deps.ts';
import { signedIn, type SignedIn } from './web-session-guard.ts';

const ASSETS: Record<string, { type: string; body: Buffer }> = {
  '/web/assets/console.css': { type: 'text/css; charset=utf-8', body: Buffer.from(CONSOLE_CSS) },
  '/web/assets/console.js': { type: 'text/javascript; charset=utf-8', body: Buffer.from(CONSOLE_JS) },
};

function withSession(route: ConsoleRoute): Route {
  return {
    method: route.method,
    path: route.path,
    handle: async (ctx, deps) => {
      const me = await signedIn(ctx, deps, route.passive !== true);
      if (!me) return signedOut(ctx);
      try {
        await route.handle(ctx, deps, me);
      } catch (err) {
        sendFailure(ctx, deps, err, me);
      }
    },
  };
}

/**
 * Without a session: a link followed from another site (Slack, e-mail) arrives without the
 * SameSite=Strict cookie, so it reloads once from this site; otherwise the sign-in help.
 */
function signedOut(ctx: WebContext): void {
  if (ctx.method === 'GET' && ctx.req.headers['sec-fetch-site'] === 'cross-site' && ctx.req.headers['sec-fetch-dest'] === 'document') {
    return sendHtml(ctx, 200, renderSameSiteBounce(ctx.path + (ctx.query.size ? `?${ctx.query.toString()}` : '')));
  }
  if (ctx.path === '/web/events') return sendJson(ctx, 401, { error: 'signed out' });
  sendSignedOut(ctx);
}

function sendFailure(ctx: WebContext, deps: WebDeps, err: unknown, me?: SignedIn): void {
  const appErr = AppError.from(err);
  const status = httpStatusOf(appErr);
  if (status >= 500) deps.log.error({ err: appErr.cause ?? appErr, path: ctx.path }, 'web request failed');
  if (ctx.res.headersSent) {
    ctx.res.destroy();
    return;
  }
  const message = status >= 500 && appErr.code === 'internal' ? 'The server could not complete this. Try again; if it persists, tell an administrator.' : appErr.message;
  if (ctx.path.startsWith('/web/api/') || ctx.path === '/web/events') return sendJson(ctx, status, { error: message });
  sendHtml(ctx, status, renderErrorPage(status, message, me?.viewer));
}

/**
 * The console's request handler: security headers on everything, assets, the sign-in routes,
 * then the pages (each resolving its session through the API's authenticator).
 */
export function createWebApp(deps: WebDeps): (req: IncomingMessage, res: ServerResponse) => void {
  const match = compileRoutes([...SIGN_IN_ROUTES, ...[...CONSOLE_ROUTES, ...AUDIT_ROUTES].map(withSession)]);
  return (req, res) => {
    setSecurityHeaders(res);
    const ctx = createContext(req, res);
    const asset = ASSETS[ctx.path];
    if (asset && (ctx.method === 'GET' || ctx.method === 'HEAD')) {
      res.writeHead(200, { 'Content-Type': asset.type, 'Content-Length': asset.body.length, 'Cache-Control': 'public, max-age=86400' });
      res.end(ctx.method === 'HEAD' ? undefined : asset.body);
      return;
    }
    if (ctx.path === '/favicon.ico') {
      res.writeHead(204, { 'Cache-Control': 'public, max-age=86400' });
      res.end();
      return;
    }
    if (ctx.method === 'GET' && (ctx.path === '/' || ctx.path === '/web' || ctx.path === '/web/')) return redirect(ctx, '/web/requests');
    const found = match(ctx.method, ctx.path);
    if (found === 'method') {
      res.setHeader('Allow', 'GET, POST');
      return sendHtml(ctx, 405, renderErrorPage(405, `${ctx.method} is not allowed here`));
    }
    if (!found) return sendHtml(ctx, 404, renderErrorPage(404, 'There is no page at this address.'));
    ctx.params = found.params;
    found.route.handle(ctx, deps).catch((err: unknown) => sendFailure(ctx, deps, err));
  };
}
