import type { Caller } from '../api/authenticate.ts';
import { isAllowed } from '../api/authorize.ts';
import { AppError } from '../domain/app-error.ts';
import type { Viewer } from './layout.ts';
import type { WebContext } from './web-context.ts';
import type { WebDeps } from './web-deps.ts';
import { csrfMatches, type WebSession } from './web-sessions.ts';

/**
 * The session cookie. `__Host-` makes the browser insist on Secure, Path=/ and no Domain, so
 * no other host (a sibling subdomain) can set or shadow it.
 */
export const SESSION_COOKIE = '__Host-gatehouse-session';

/** A signed-in request: the caller as the API would resolve it now, and its session. */
export interface SignedIn {
  caller: Caller;
  session: WebSession;
  cookie: string;
  viewer: Viewer;
}

/** The Set-Cookie value starting a session that the browser drops when the certificate would expire. */
export function sessionCookie(id: string, maxAgeMs: number): string {
  return `${SESSION_COOKIE}=${id}; Path=/; Secure; HttpOnly; SameSite=Strict; Max-Age=${Math.max(0, Math.floor(maxAgeMs / 1000))}`;
}

export const CLEAR_SESSION_COOKIE = `${SESSION_COOKIE}=; Path=/; Secure; HttpOnly; SameSite=Strict; Max-Age=0`;

/**
 * The session of the request's cookie, resolved through the API's authenticator on every
 * request: a deleted user, or one deleted and created again, is signed out at once.
 * `touch: false` for live-update streams, which are not activity.
 */
export async function signedIn(ctx: WebContext, deps: WebDeps, touch = true): Promise<SignedIn | undefined> {
  const cookie = ctx.cookies.get(SESSION_COOKIE);
  if (!cookie) return undefined;
  const session = deps.sessions.get(cookie, touch);
  if (!session) return undefined;
  let caller: Caller;
  try {
    caller = await deps.resolve(session.identity);
  } catch (err) {
    const appErr = AppError.from(err);
    if (appErr.code !== 'unauthenticated' && appErr.code !== 'permission_denied') throw err;
    deps.sessions.end(cookie);
    return undefined;
  }
  return { caller, session, cookie, viewer: { name: caller.name, csrfToken: session.csrfToken, canAudit: isAllowed(caller, 'audit_event', 'list') } };
}

/**
 * Refuses a state change that a browser says comes from another site (Sec-Fetch-Site, Origin).
 * Clients that send neither (curl) still need the CSRF token.
 */
export function requireSameOrigin(ctx: WebContext): void {
  const site = ctx.req.headers['sec-fetch-site'];
  if (site !== undefined && site !== 'same-origin') throw new AppError('permission_denied', `cross-site request refused (Sec-Fetch-Site: ${site})`);
  const origin = ctx.req.headers.origin;
  if (origin !== undefined && origin !== `https://${ctx.req.headers.host ?? ''}`) throw new AppError('permission_denied', 'request from another origin refused');
}

/** Every form that changes something carries the session's token in `_csrf`. */
export function requireCsrf(session: WebSession, form: URLSearchParams): void {
  if (!csrfMatches(session, form.get('_csrf'))) throw new AppError('permission_denied', 'missing or wrong CSRF token: reload the page and try again');
}
