import type { ServerResponse } from 'node:http';

/**
 * No inline script or style and nothing from elsewhere: every asset is served by the console
 * itself (`/web/assets/…`). `form-action 'self'` keeps forms from posting away;
 * `frame-ancestors 'none'` stops click-jacking of the Approve button.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "connect-src 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
].join('; ');

/**
 * Headers for every response of the console. `Referrer-Policy: same-origin` matters: a sign-in
 * link carries its token in the path and must not leak to another site through a Referer
 * (`no-referrer` would also blank the Origin of our own form posts, which the CSRF check reads).
 * Authenticated pages are never cached (`no-store`); assets set their own Cache-Control after.
 */
export function setSecurityHeaders(res: ServerResponse): void {
  res.setHeader('Content-Security-Policy', CONTENT_SECURITY_POLICY);
  res.setHeader('Strict-Transport-Security', 'max-age=31536000');
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('X-Frame-Options', 'DENY');
  res.setHeader('Referrer-Policy', 'same-origin');
  res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
  res.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
  res.setHeader('Permissions-Policy', 'camera=(), microphone=(), geolocation=(), payment=()');
  res.setHeader('Cache-Control', 'no-store');
}
