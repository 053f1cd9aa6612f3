import { api } from '@pagerduty/pdjs';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { Secret } from '../common/secret.ts';
import { withRetry, type RetryOptions } from '../common/with-retry.ts';
import {
  pdErrorSchema,
  pdIncidentSchema,
  pdNoteSchema,
  pdOnCallSchema,
  pdPageSchema,
  pdServiceSchema,
  pdUserSchema,
  type PdIncident,
  type PdNote,
  type PdOnCall,
  type PdService,
  type PdUser,
} from './pagerduty-json.ts';

export interface PagerDutyApiOptions {
  apiKey: Secret;
  /** `From` on incident writes. */
  userEmail: string;
  /** Base URL, no trailing slash, e.g. `https://api.pagerduty.com` or `http://127.0.0.1:PORT`. */
  endpoint: string;
  log: Logger;
  /** Retry options (signal, metrics hook); budgets default to 4 retries within 20 s. */
  retry: RetryOptions;
  /** Per-request timeout. @default 10000 */
  timeoutMs?: number;
}

/** A PagerDuty answer that is not a success, or a call that never got one. */
export class PagerDutyError extends Error {
  /** HTTP status; 0 when there was no answer (network error, timeout). */
  readonly status: number;
  /** PagerDuty's `error.code` (2006 invalid credentials, 2100 not found...). */
  readonly pdCode: number | undefined;
  readonly errors: readonly string[];
  /** The `Retry-After` of a 429, in ms. */
  readonly retryAfterMs: number | undefined;

  constructor(message: string, o: { status: number; pdCode?: number | undefined; errors?: readonly string[]; retryAfterMs?: number | undefined; cause?: unknown }) {
    super(message, { cause: o.cause });
    this.name = 'PagerDutyError';
    this.status = o.status;
    this.pdCode = o.pdCode;
    this.errors = o.errors ?? [];
    this.retryAfterMs = o.retryAfterMs;
  }

  /** Rate limits, server errors and lost connections; never 4xx input errors. */
  get retryable(): boolean {
    return this.status === 0 || this.status === 429 || this.status === 408 || this.status >= 500;
  }
}

/** PagerDuty's answer to a second open incident with the same `incident_key` on a service. */
const DUPLICATE_KEY = /matching dedup key already exists/i;
const ALREADY_RESOLVED = /already resolved/i;
/** Most items per list page PagerDuty allows. */
const PAGE_LIMIT = 100;
/** A list longer than this many pages is a misuse, not a lookup. */
const MAX_PAGES = 20;

type Method = 'get' | 'post' | 'put';
type Query = Record<string, string | string[]>;

/**
 * The PagerDuty REST API v2 calls the plugin makes, over `@pagerduty/pdjs`, working around its
 * quirks (pdjs 2.2.4, `build/src/api.js` and `common.js`):
 * - pdjs builds `https://${server}/${endpoint}`, so `api_endpoint` (a full base URL: EU, a
 *   proxy, the test fake) could not be honoured; every call passes an absolute `url`.
 * - HTTP errors (401/404/500 and a final 429) resolve with a response instead of rejecting:
 *   `#call` checks `status` itself and throws a PagerDutyError.
 * - On 429 pdjs re-sends 3 times, waiting a fixed `retryTimeout` (20 s) and ignoring Retry-After.
 *   That loop cannot be turned off, so `retryTimeout: 0` makes it three immediate re-sends;
 *   the real waiting is ours: `withRetry` honours Retry-After, backs off with jitter, and gives
 *   up within a time budget so the runtime re-queues the request instead of holding a slot.
 * - `requestTimeout` only arms a timer that is never cleared on failure (and keeps the process
 *   alive): `requestTimeout: 0` disables it, and node-fetch's own `timeout` bounds each call.
 * - `response.next()` / `all()` find the resource by matching `.com/<resource>` in the URL and
 *   break on any other host: lists are paged here with `limit`/`offset`/`more`.
 * - A non-JSON body (a proxy's HTML 502) makes pdjs reject with the response, not an Error;
 *   array query parameters need the `key[]` spelling (`'user_ids[]': [...]`).
 */
export class PagerDutyApi {
  readonly #pd: ReturnType<typeof createPdjs>;
  readonly #endpoint: string;
  readonly #userEmail: string;
  readonly #timeoutMs: number;
  readonly #retry: RetryOptions;
  readonly #log: Logger;

  constructor(options: PagerDutyApiOptions) {
    this.#pd = createPdjs(options.apiKey);
    this.#endpoint = options.endpoint;
    this.#userEmail = options.userEmail;
    this.#timeoutMs = options.timeoutMs ?? 10_000;
    this.#log = options.log.child({ component: 'pagerduty-api' });
    this.#retry = {
      retries: 4,
      maxElapsedMs: 20_000,
      ...options.retry,
      isRetryable: (err) => err instanceof PagerDutyError && err.retryable,
      retryAfterMs: (err) => (err instanceof PagerDutyError ? err.retryAfterMs : undefined),
    };
  }

  get endpoint(): string {
    return this.#endpoint;
  }

  /** `GET /abilities`: proves the API key works (any key may read it). */
  async abilities(retry: RetryOptions = {}): Promise<readonly string[]> {
    const data = await this.#call('get', '/abilities', {}, retry);
    return z.object({ abilities: z.array(z.string()) }).parse(data).abilities;
  }

  /** The user whose email is exactly `email` (case-insensitive), or undefined. */
  async findUserByEmail(email: string): Promise<PdUser | undefined> {
    const wanted = email.toLowerCase();
    return this.#findInList('/users', { query: wanted }, 'users', pdUserSchema, (u) => u.email.toLowerCase() === wanted);
  }

  /** The service whose name is exactly `name` (case-insensitive), or undefined. */
  async findServiceByName(name: string): Promise<PdService | undefined> {
    const wanted = name.toLowerCase();
    return this.#findInList('/services', { query: wanted }, 'services', pdServiceSchema, (s) => s.name.toLowerCase() === wanted);
  }

  /**
   * The on-call entries of a user in some escalation policies, now, page by page; `visit`
   * returns true to stop paging early.
   */
  async scanOnCalls(userId: string, policyIds: readonly string[], visit: (page: readonly PdOnCall[]) => boolean): Promise<void> {
    await this.#pages('/oncalls', { 'user_ids[]': [userId], 'escalation_policy_ids[]': [...policyIds] }, 'oncalls', pdOnCallSchema, visit);
  }

  /** Open acknowledged incidents on some services assigned to a user (the one who acknowledged). */
  async acknowledgedIncidents(userId: string, serviceIds: readonly string[]): Promise<PdIncident[]> {
    const found: PdIncident[] = [];
    await this.#pages(
      '/incidents',
      { 'statuses[]': ['acknowledged'], 'service_ids[]': [...serviceIds], 'user_ids[]': [userId], date_range: 'all' },
      'incidents',
      pdIncidentSchema,
      (page) => (found.push(...page), false),
    );
    return found;
  }

  /** Open (not resolved) incidents with this dedup key. */
  async openIncidentsByKey(incidentKey: string): Promise<PdIncident[]> {
    const found: PdIncident[] = [];
    await this.#pages(
      '/incidents',
      { incident_key: incidentKey, 'statuses[]': ['triggered', 'acknowledged'], date_range: 'all' },
      'incidents',
      pdIncidentSchema,
      (page) => (found.push(...page.filter((i) => i.incident_key === incidentKey)), false),
    );
    return found;
  }

  /**
   * `POST /incidents` with a dedup key. When an open incident with the key already exists on the
   * service (a create whose answer was lost), that incident is returned instead.
   */
  async createIncident(o: { title: string; serviceId: string; incidentKey: string; details: string }): Promise<{ id: string; existed: boolean }> {
    const body = {
      incident: {
        type: 'incident',
        title: o.title,
        incident_key: o.incidentKey,
        service: { id: o.serviceId, type: 'service_reference' },
        body: { type: 'incident_body', details: o.details },
      },
    };
    try {
      const data = await this.#call('post', '/incidents', { body, from: true });
      return { id: z.object({ incident: pdIncidentSchema }).parse(data).incident.id, existed: false };
    } catch (err) {
      if (!(err instanceof PagerDutyError && err.status === 400 && err.errors.some((e) => DUPLICATE_KEY.test(e)))) throw err;
      const existing = (await this.openIncidentsByKey(o.incidentKey)).find((i) => i.service.id === o.serviceId);
      if (existing === undefined) throw err;
      return { id: existing.id, existed: true };
    }
  }

  async addNote(incidentId: string, content: string): Promise<void> {
    await this.#call('post', `/incidents/${encodeURIComponent(incidentId)}/notes`, { body: { note: { content } }, from: true });
  }

  async listNotes(incidentId: string): Promise<PdNote[]> {
    const data = await this.#call('get', `/incidents/${encodeURIComponent(incidentId)}/notes`, {});
    return z.object({ notes: z.array(pdNoteSchema) }).parse(data).notes;
  }

  /** `PUT /incidents/:id` status resolved; an incident someone already resolved counts as done. */
  async resolveIncident(incidentId: string): Promise<'resolved' | 'already_resolved'> {
    try {
      await this.#call('put', `/incidents/${encodeURIComponent(incidentId)}`, { body: { incident: { type: 'incident_reference', status: 'resolved' } }, from: true });
      return 'resolved';
    } catch (err) {
      if (err instanceof PagerDutyError && err.status === 400 && err.errors.some((e) => ALREADY_RESOLVED.test(e))) return 'already_resolved';
      throw err;
    }
  }

  async #findInList<T extends z.ZodType>(path: string, query: Query, key: string, item: T, match: (v: z.infer<T>) => boolean): Promise<z.infer<T> | undefined> {
    let found: z.infer<T> | undefined;
    await this.#pages(path, query, key, item, (page) => {
      found = page.find(match);
      return found !== undefined;
    });
    return found;
  }

  /** Pages through a list with `limit`/`offset` until `more` is false or `visit` says stop. */
  async #pages<T extends z.ZodType>(path: string, query: Query, key: string, item: T, visit: (page: readonly z.infer<T>[]) => boolean): Promise<void> {
    const listSchema = z.object({ [key]: z.array(item) });
    let offset = 0;
    for (let n = 0; n < MAX_PAGES; n++) {
      const data = await this.#call('get', path, { query: { ...query, limit: String(PAGE_LIMIT), offset: String(offset) } });
      const items = listSchema.parse(data)[key] as z.infer<T>[];
      if (visit(items)) return;
      if (pdPageSchema.parse(data).more !== true || items.length === 0) return;
      offset += items.length;
    }
    this.#log.warn({ path, pages: MAX_PAGES }, 'PagerDuty list longer than the page cap; stopped reading');
  }

  /** One API call with retries; resolves with the JSON body of a 2xx answer. */
  async #call(method: Method, path: string, o: { query?: Query; body?: object; from?: boolean }, retry: RetryOptions = {}): Promise<unknown> {
    const url = `${this.#endpoint}${path}`;
    const params = {
      url,
      // node-fetch's own timeout; pdjs' `requestTimeout` is disabled in createPdjs.
      timeout: this.#timeoutMs,
      retryTimeout: 0,
      ...(o.from === true ? { headers: { From: this.#userEmail } } : {}),
      ...(o.query !== undefined ? { data: o.query } : o.body !== undefined ? { data: o.body } : {}),
    };
    return withRetry(async () => {
      const started = performance.now();
      let response: { status: number; data?: unknown; headers?: Headers };
      try {
        response = await this.#pd[method](path, params);
      } catch (err) {
        throw toPagerDutyError(err, method, path);
      }
      const ms = Math.round(performance.now() - started);
      this.#log.debug({ method: method.toUpperCase(), path, status: response.status, ms }, 'PagerDuty call');
      if (response.status >= 200 && response.status < 300) return response.data;
      throw errorFromAnswer(response.status, response.data, response.headers, method, path);
    }, { ...this.#retry, ...retry });
  }
}

function createPdjs(apiKey: Secret) {
  // requestTimeout 0: see the class comment (pdjs' timer is never cleared on failure).
  return api({ token: apiKey.reveal(), requestTimeout: 0 });
}

function errorFromAnswer(status: number, data: unknown, headers: Headers | undefined, method: Method, path: string): PagerDutyError {
  const parsed = pdErrorSchema.safeParse(data);
  const error = parsed.success ? parsed.data.error : undefined;
  const errors = error?.errors ?? [];
  const retryAfter = Number(headers?.get('retry-after') ?? NaN);
  const detail = [error?.message ?? 'no error body', ...errors].join('; ');
  return new PagerDutyError(`PagerDuty ${method.toUpperCase()} ${path}: HTTP ${status} (${detail}${error?.code !== undefined ? `, code ${error.code}` : ''})`, {
    status,
    pdCode: error?.code,
    errors,
    retryAfterMs: status === 429 && Number.isFinite(retryAfter) && retryAfter >= 0 ? Math.min(retryAfter, 60) * 1000 : undefined,
  });
}

/** pdjs rejects with node-fetch errors (network, timeout) or, for a non-JSON body, the response. */
function toPagerDutyError(err: unknown, method: Method, path: string): PagerDutyError {
  if (err instanceof PagerDutyError) return err;
  if (err instanceof Error) {
    return new PagerDutyError(`PagerDuty ${method.toUpperCase()} ${path}: ${err.message}`, { status: 0, cause: err });
  }
  const status = typeof err === 'object' && err !== null && 'status' in err && typeof err.status === 'number' ? err.status : 0;
  return new PagerDutyError(`PagerDuty ${method.toUpperCase()} ${path}: HTTP ${status} with a body that is not JSON`, { status, cause: err });
}
