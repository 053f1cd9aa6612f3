import type { IncomingMessage, ServerResponse } from 'node:http';
import { AppError } from '../domain/app-error.ts';
import type { SafeHtml } from './html.ts';

/** One HTTP request to the console, parsed once. */
export interface WebContext {
  req: IncomingMessage;
  res: ServerResponse;
  method: string;
  path: string;
  query: URLSearchParams;
  /** Path parameters of the matched route (`:id`). */
  params: Record<string, string>;
  cookies: ReadonlyMap<string, string>;
  /** performance.now() when the request arrived (Server-Timing). */
  started: number;
}

const MAX_FORM_BYTES = 64 * 1024;

/** Parses the request line and cookies. */
export function createContext(req: IncomingMessage, res: ServerResponse): WebContext {
  const url = new URL(req.url ?? '/', 'https://console.invalid');
  const cookies = new Map<string, string>();
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0) cookies.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  return { req, res, method: req.method ?? 'GET', path: url.pathname, query: url.searchParams, params: {}, cookies, started: performance.now() };
}

/**
 * Reads an `application/x-www-form-urlencoded` body of at most 64 KiB.
 * @throws AppError `invalid_argument` for another content type, `resource_exhausted` when larger.
 */
export async function readForm(ctx: WebContext): Promise<URLSearchParams> {
  const type = (ctx.req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
  if (type !== 'application/x-www-form-urlencoded') {
    throw new AppError('invalid_argument', `expected a form (application/x-www-form-urlencoded), got ${JSON.stringify(type ?? '')}`);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of ctx.req) {
    const buf = chunk as Buffer;
    size += buf.length;
    if (size > MAX_FORM_BYTES) throw new AppError('resource_exhausted', `form larger than ${MAX_FORM_BYTES} bytes`);
    chunks.push(buf);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

/** Sends a page with the server time it took (Server-Timing, which the benchmark reads). */
export function sendHtml(ctx: WebContext, status: number, body: SafeHtml): void {
  const bytes = Buffer.from(body.value, 'utf8');
  ctx.res.writeHead(status, {
    'Content-Type': 'text/html; charset=utf-8',
    'Content-Length': bytes.length,
    'Server-Timing': `app;dur=${(performance.now() - ctx.started).toFixed(2)}`,
  });
  ctx.res.end(bytes);
}

export function sendJson(ctx: WebContext, status: number, value: unknown): void {
  const bytes = Buffer.from(JSON.stringify(value), 'utf8');
  ctx.res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': bytes.length });
  ctx.res.end(bytes);
}

/** 303 See Other: after a form post, the browser GETs the result. Only paths of the console. */
export function redirect(ctx: WebContext, location: string, headers: Record<string, string | string[]> = {}): void {
  ctx.res.writeHead(303, { Location: safeLocalPath(location), 'Content-Length': 0, ...headers });
  ctx.res.end();
}

/** `path` if it is a path of the console, else the requests page (no open redirects). */
export function safeLocalPath(path: string | null | undefined): string {
  return path && /^\/web(\/[A-Za-z0-9._~\-/]*)?(\?[A-Za-z0-9._~\-=&%+]*)?$/.test(path) && !path.includes('//') ? path : '/web/requests';
}

/** HTTP status of an AppError code. */
export function httpStatusOf(err: AppError): number {
  switch (err.code) {
    case 'invalid_argument':
    case 'out_of_range':
      return 400;
    case 'unauthenticated':
      return 401;
    case 'permission_denied':
      return 403;
    case 'not_found':
      return 404;
    case 'already_exists':
    case 'failed_precondition':
    case 'aborted':
      return 409;
    case 'resource_exhausted':
      return 413;
    case 'unavailable':
      return 503;
    default:
      return 500;
  }
}
