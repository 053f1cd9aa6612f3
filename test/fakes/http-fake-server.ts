/**
 * The plumbing shared by the HTTP fakes in this folder: a plain `node:http` server on
 * `127.0.0.1:0`, a log of every request, failure injection and a `waitFor` that wakes on change.
 *
 * A fake supplies one `handle(request)` function and one `failureBody(status)` function (so an
 * injected 429 or 500 carries the body the real service would send). Everything else lives here.
 */
import { createServer } from 'node:http';
import type { IncomingHttpHeaders, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request as the fake received it, recorded before any failure is injected. */
export interface RecordedRequest {
  readonly method: string;
  /** Path without the query string, e.g. `/api/chat.postMessage`. */
  readonly path: string;
  /** Every query parameter with all its values, in order (`user_ids[]` keeps its brackets). */
  readonly query: Readonly<Record<string, readonly string[]>>;
  /** Node lower-cases header names. */
  readonly headers: IncomingHttpHeaders;
  /** JSON bodies parsed, form bodies as a string record (last value wins), else the raw text. */
  readonly body: unknown;
  readonly rawBody: string;
  /** The `Content-Type` media type without parameters, lower-cased; `''` when absent. */
  readonly contentType: string;
  /** Milliseconds since the epoch. */
  readonly receivedAt: number;
  /** The failure that was injected instead of (or before) the normal answer, if any. */
  readonly injected?: FailureMode;
}

/**
 * What `failNext` makes the fake do instead of answering normally.
 * - `{status: 429, retryAfterSeconds}`: a rate-limit answer with `Retry-After` (omitted when undefined).
 * - `{status}`: that status with the service's own error body, or `body` verbatim.
 * - `{delayMs}`: wait, then answer normally (a slow service; lets client timeouts fire).
 * - `{dropConnection: true}`: destroy the socket without any response.
 * - `{stall: true}`: never answer and never act on it (a call lost on the way: a client killed
 *   now has claimed an effect that never reached the service).
 * - `{performThenStall: true}`: act on it at once, but never answer (a client killed now has
 *   done the effect without learning so).
 */
export type FailureMode =
  | { readonly status: 429; readonly retryAfterSeconds?: number; readonly body?: string }
  | { readonly status: number; readonly body?: string }
  | { readonly delayMs: number }
  | { readonly dropConnection: true }
  | { readonly stall: true }
  | { readonly performThenStall: true };

/** Limits an injected failure to matching requests; both fields optional. */
export interface FailureScope {
  /** HTTP method, compared case-insensitively. */
  readonly method?: string;
  /** Exact path (without query) or a pattern tested against it. */
  readonly path?: string | RegExp;
}

/** What a fake's handler answers. `body` objects are sent as JSON. */
export interface FakeResponse {
  readonly status: number;
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}

export interface HttpFakeServerOptions {
  /** Answers one request; thrown errors become a 500 so a fake bug fails loudly. */
  readonly handle: (request: RecordedRequest) => FakeResponse;
  /** The body the real service sends with an injected status (429, 500, 503...). */
  readonly failureBody: (status: number) => unknown;
}

export interface StartedServer {
  readonly url: string;
  readonly port: number;
}

export interface HttpFakeServer {
  /** Listens on `127.0.0.1:0`. Starting twice returns the same address. */
  start(): Promise<StartedServer>;
  /** Closes the listener and every connection and waits until all are gone. Idempotent. */
  stop(): Promise<void>;
  /** `http://127.0.0.1:<port>`; throws before `start()`. */
  url(): string;
  /** Every request received so far, oldest first. */
  requests(): readonly RecordedRequest[];
  /** Makes the next `count` matching requests fail as `mode`. Rules queue in call order. */
  failNext(count: number, mode: FailureMode, scope?: FailureScope): void;
  /** Drops every pending `failNext` rule. */
  clearFailures(): void;
  /** Wakes pending `waitFor` calls; the fakes call it after every state change. */
  changed(): void;
  /**
   * Resolves with the first truthy value `probe` returns, checked now and after every change.
   * Rejects after `timeoutMs` (default 2000) with `description` in the message.
   */
  waitFor<T>(probe: () => T | undefined | null | false, timeoutMs?: number, description?: string): Promise<T>;
}

interface FailureRule {
  remaining: number;
  readonly mode: FailureMode;
  readonly scope: FailureScope;
}

const DEFAULT_WAIT_MS = 2000;

/** Creates the server; nothing listens until `start()`. */
export function createHttpFakeServer(options: HttpFakeServerOptions): HttpFakeServer {
  const recorded: RecordedRequest[] = [];
  const rules: FailureRule[] = [];
  const waiters = new Set<() => void>();
  const delays = new Set<NodeJS.Timeout>();
  let server: Server | undefined;
  let started: Promise<StartedServer> | undefined;
  let stopped: Promise<void> | undefined;
  let address: StartedServer | undefined;

  const changed = (): void => {
    for (const wake of [...waiters]) wake();
  };

  const takeFailure = (method: string, path: string): FailureMode | undefined => {
    const rule = rules.find((r) => r.remaining > 0 && scopeMatches(r.scope, method, path));
    if (rule === undefined) return undefined;
    rule.remaining -= 1;
    if (rule.remaining === 0) rules.splice(rules.indexOf(rule), 1);
    return rule.mode;
  };

  const answer = (res: ServerResponse, response: FakeResponse): void => {
    if (res.destroyed || res.writableEnded) return;
    const headers: Record<string, string> = { ...response.headers };
    let payload = '';
    if (response.body !== undefined) {
      payload = typeof response.body === 'string' ? response.body : JSON.stringify(response.body);
      if (!hasHeader(headers, 'content-type')) {
        headers['Content-Type'] = typeof response.body === 'string' ? 'text/plain; charset=utf-8' : 'application/json; charset=utf-8';
      }
    }
    headers['Content-Length'] = String(Buffer.byteLength(payload));
    res.writeHead(response.status, headers);
    res.end(payload);
  };

  const perform = (request: RecordedRequest): FakeResponse => {
    try {
      return options.handle(request);
    } catch (error) {
      // A bug in a fake must not look like a service answer a client might accept.
      const message = error instanceof Error ? error.stack ?? error.message : String(error);
      return { status: 500, body: `fake handler threw: ${message}` };
    }
  };

  const respondNormally = (request: RecordedRequest, res: ServerResponse): void => {
    answer(res, perform(request));
    changed();
  };

  const onRequest = (req: IncomingMessage, res: ServerResponse, rawBody: string): void => {
    const parsedUrl = new URL(req.url ?? '/', 'http://fake.invalid');
    const method = (req.method ?? 'GET').toUpperCase();
    const contentType = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
    const failure = takeFailure(method, parsedUrl.pathname);
    const request: RecordedRequest = {
      method,
      path: parsedUrl.pathname,
      query: collectQuery(parsedUrl.searchParams),
      headers: req.headers,
      body: parseBody(contentType, rawBody),
      rawBody,
      contentType,
      receivedAt: Date.now(),
      ...(failure === undefined ? {} : { injected: failure }),
    };
    recorded.push(request);
    changed();
    if (failure === undefined) {
      respondNormally(request, res);
    } else if ('dropConnection' in failure) {
      req.socket.destroy();
    } else if ('stall' in failure) {
      // Held until the client goes away or the fake stops.
    } else if ('performThenStall' in failure) {
      perform(request);
      changed();
    } else if ('delayMs' in failure) {
      const timer = setTimeout(() => {
        delays.delete(timer);
        respondNormally(request, res);
      }, failure.delayMs);
      delays.add(timer);
    } else {
      const headers: Record<string, string> = {};
      if (failure.status === 429 && 'retryAfterSeconds' in failure && failure.retryAfterSeconds !== undefined) {
        headers['Retry-After'] = String(failure.retryAfterSeconds);
      }
      answer(res, { status: failure.status, headers, body: failure.body ?? options.failureBody(failure.status) });
    }
  };

  const listen = async (): Promise<StartedServer> => {
    const created = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => onRequest(req, res, Buffer.concat(chunks).toString('utf8')));
    });
    server = created;
    await new Promise<void>((resolve, reject) => {
      created.once('error', reject);
      created.listen(0, '127.0.0.1', () => {
        created.off('error', reject);
        resolve();
      });
    });
    const info = created.address();
    if (!isAddressInfo(info)) throw new Error('fake server has no TCP address');
    address = { url: `http://127.0.0.1:${info.port}`, port: info.port };
    return address;
  };

  return {
    start() {
      if (stopped !== undefined) return Promise.reject(new Error('fake server was stopped; create a new one'));
      started ??= listen();
      return started;
    },
    stop() {
      stopped ??= (async () => {
        if (started !== undefined) await started.catch(() => undefined);
        for (const timer of delays) clearTimeout(timer);
        delays.clear();
        const current = server;
        if (current === undefined) return;
        await new Promise<void>((resolve) => {
          current.close(() => resolve());
          current.closeAllConnections();
        });
      })();
      return stopped;
    },
    url() {
      if (address === undefined) throw new Error('fake server not started');
      return address.url;
    },
    requests: () => [...recorded],
    failNext(count, mode, scope = {}) {
      if (!Number.isInteger(count) || count < 1) throw new RangeError(`failNext count must be a positive integer, got ${count}`);
      rules.push({ remaining: count, mode, scope });
    },
    clearFailures() {
      rules.length = 0;
    },
    changed,
    waitFor<T>(probe: () => T | undefined | null | false, timeoutMs = DEFAULT_WAIT_MS, description = 'condition'): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        const check = (): boolean => {
          const value = probe();
          if (value === undefined || value === null || value === false) return false;
          finish();
          resolve(value);
          return true;
        };
        const timer = setTimeout(() => {
          finish();
          reject(new Error(`timed out after ${timeoutMs} ms waiting for ${description}`));
        }, timeoutMs);
        const wake = (): void => {
          try {
            check();
          } catch (error) {
            finish();
            reject(error instanceof Error ? error : new Error(String(error)));
          }
        };
        const finish = (): void => {
          clearTimeout(timer);
          waiters.delete(wake);
        };
        waiters.add(wake);
        wake();
      });
    },
  };
}

function scopeMatches(scope: FailureScope, method: string, path: string): boolean {
  if (scope.method !== undefined && scope.method.toUpperCase() !== method) return false;
  if (scope.path === undefined) return true;
  return typeof scope.path === 'string' ? scope.path === path : scope.path.test(path);
}

function collectQuery(params: URLSearchParams): Record<string, string[]> {
  const query: Record<string, string[]> = {};
  for (const [key, value] of params) (query[key] ??= []).push(value);
  return query;
}

function parseBody(contentType: string, raw: string): unknown {
  if (raw === '') return undefined;
  if (contentType === 'application/json') {
    try {
      return JSON.parse(raw) as unknown;
    } catch {
      return raw;
    }
  }
  if (contentType === 'application/x-www-form-urlencoded') {
    return Object.fromEntries(new URLSearchParams(raw));
  }
  return raw;
}

function isAddressInfo(value: string | AddressInfo | null): value is AddressInfo {
  return typeof value === 'object' && value !== null;
}

function hasHeader(headers: Record<string, string>, name: string): boolean {
  return Object.keys(headers).some((key) => key.toLowerCase() === name);
}

/** Narrows an unknown JSON value to a plain object. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Returns the header's single value (the first when repeated). */
export function headerValue(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}
