import type { TLSSocket } from 'node:tls';
import { AppError } from '../domain/app-error.ts';
import { renderConfirmSignIn, renderSignInHelp } from './pages/sign-in-pages.ts';
import type { Route } from './route.ts';
import { readForm, redirect, safeLocalPath, sendHtml, sendJson, type WebContext } from './web-context.ts';
import type { WebDeps } from './web-deps.ts';
import { CLEAR_SESSION_COOKIE, requireCsrf, requireSameOrigin, sessionCookie, signedIn } from './web-session-guard.ts';

const TOKEN = /^[A-Za-z0-9_-]{43}$/;
const LINK_GONE = 'This sign-in link has expired or was already used. Run gatehouse web login for a new one.';

/**
 * `POST /web/api/login-links` — what `gatehouse web login` calls, presenting the user's client
 * certificate over TLS. The certificate is checked as the gRPC API checks it (chain to the
 * cluster CA by TLS; user, incarnation and expiry by the API's resolver), and a one-time link
 * for that user comes back.
 */
async function createLoginLink(ctx: WebContext, deps: WebDeps): Promise<void> {
  const socket = ctx.req.socket as TLSSocket;
  const der = socket.authorized ? socket.getPeerX509Certificate()?.raw : undefined;
  if (!der) throw new AppError('unauthenticated', 'a client certificate issued by the cluster CA is required (run gatehouse web login)');
  const identity = deps.parseIdentity(der);
  const caller = await deps.resolve(identity);
  const link = deps.sessions.createLoginLink(identity);
  const base = deps.publicUrl || `https://${ctx.req.headers.host ?? ''}`;
  const next = ctx.query.get('next');
  const url = `${base}/web/login/${link.token}${next ? `?next=${encodeURIComponent(safeLocalPath(next))}` : ''}`;
  deps.log.info({ user: caller.name }, 'web sign-in link issued');
  sendJson(ctx, 200, { url, user: caller.name, expires_ms: link.expiresMs });
}

async function confirmPage(ctx: WebContext, deps: WebDeps): Promise<void> {
  const token = ctx.params.token ?? '';
  const next = safeLocalPath(ctx.query.get('next'));
  const link = TOKEN.test(token) ? deps.sessions.peekLoginLink(token) : undefined;
  if (!link) return sendHtml(ctx, 410, renderSignInHelp(next, LINK_GONE));
  sendHtml(ctx, 200, renderConfirmSignIn(token, link.identity.user, link.expiresMs, next));
}

async function signIn(ctx: WebContext, deps: WebDeps): Promise<void> {
  requireSameOrigin(ctx);
  const form = await readForm(ctx);
  const token = form.get('token') ?? '';
  const next = safeLocalPath(form.get('next'));
  const identity = TOKEN.test(token) ? deps.sessions.consumeLoginLink(token) : undefined;
  if (!identity) return sendHtml(ctx, 410, renderSignInHelp(next, LINK_GONE));
  const caller = await deps.resolve(identity);
  const { id } = deps.sessions.create(identity);
  deps.log.info({ user: caller.name }, 'web sign-in');
  redirect(ctx, next, { 'Set-Cookie': sessionCookie(id, identity.expiresMs - deps.now()) });
}

async function signOut(ctx: WebContext, deps: WebDeps): Promise<void> {
  requireSameOrigin(ctx);
  const form = await readForm(ctx);
  const me = await signedIn(ctx, deps);
  if (me) {
    requireCsrf(me.session, form);
    deps.sessions.end(me.cookie);
  }
  redirect(ctx, '/web/signin', { 'Set-Cookie': CLEAR_SESSION_COOKIE });
}

async function signInHelp(ctx: WebContext, deps: WebDeps): Promise<void> {
  const me = await signedIn(ctx, deps);
  if (me) return redirect(ctx, '/web/requests');
  sendHtml(ctx, 200, renderSignInHelp(safeLocalPath(ctx.query.get('next'))));
}

/** Not signed in: the help page (401), or for JSON/streams a bare 401. */
export function sendSignedOut(ctx: WebContext): void {
  sendHtml(ctx, 401, renderSignInHelp(safeLocalPath(ctx.path + (ctx.query.size ? `?${ctx.query.toString()}` : '')), undefined));
}

/** Routes that work without a session. */
export const SIGN_IN_ROUTES: Route[] = [
  { method: 'POST', path: '/web/api/login-links', handle: createLoginLink },
  { method: 'GET', path: '/web/login/:token', handle: confirmPage },
  { method: 'POST', path: '/web/login', handle: signIn },
  { method: 'POST', path: '/web/logout', handle: signOut },
  { method: 'GET', path: '/web/signin', handle: signInHelp },
];
