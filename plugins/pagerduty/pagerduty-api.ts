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

interface PagerDutyErrorFields {
  status: number;
  pdCode?: number | undefined;
  errors?: readonly string[];
  retryAfterMs?: number | undefined;
  earlierAttemptInDoubt?: boolean;
  cause?: unknown;
}

/** A PagerDuty answer that is not a success, or a call that never got one. */
export class PagerDutyError extends Error {
  /** HTTP status; 0 when there was no answer (network error, timeout, aborted). */
  readonly status: number;
  /** PagerDuty's `error.code` (2006 invalid credentials, 2100 not found...). */
  readonly pdCode: number | undefined;
  readonly errors: readonly string[];
  /** The `Retry-After` of a 429, in ms. */
  readonly retryAfterMs: number | undefined;
  /** An earlier attempt of the same call got no clear answer (it may have been done). */
  readonly earlierAttemptInDoubt: boolean;

  constructor(message: string, o: PagerDutyErrorFields) {
    super(message, { cause: o.cause });
    this.name = 'PagerDutyError';
    this.status = o.status;
    this.pdCode = o.pdCode;
    this.errors = o.errors ?? [];
    this.retryAfterMs = o.retryAfterMs;
    this.earlierAttemptInDoubt = o.earlierAttemptInDoubt ?? false;
  }

  /** Rate limits, server errors and lost connections; never 4xx input errors. */
  get retryable(): boolean {
    return this.status === 0 || this.status === 429 || this.status === 408 || this.status >= 500;
  }

  /**
   * Whether PagerDuty certainly did nothing: it refused every attempt of the call with a 4xx
   * (bad input, unknown id, rate limit). A lost answer or a 5xx may hide a write that happened.
   */
  get refused(): boolean {
    return this.status >= 400 && this.status < 500 && !this.earlierAttemptInDoubt;
  }
}

/** Whether `err` says PagerDuty did not perform the call (the effect protocol's `notPerformed`). */
export function isRefusal(err: unknown): boolean {
  return err instanceof PagerDutyError && err.refused;
}

/** Per-call options of PagerDutyApi. */
export interface PdCallOptions {
  /** Aborts the call and its retries (the event deadline: `data.signal`). @default the plugin's stop signal */
  signal?: AbortSignal;
  /** Tighter retry budgets (e.g. `check`'s quick probe). */
  retry?: Pick<RetryOptions, 'retries' | 'maxElapsedMs'>;
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
  async abilities(call: PdCallOptions = {}): Promise<readonly string[]> {
    const data = await this.#call('get', '/abilities', {}, call);
    return z.object({ abilities: z.array(z.string()) }).parse(data).abilities;
  }

  /** The user whose email is exactly `email` (case-insensitive), or undefined. */
  async findUserByEmail(email: string, call: PdCallOptions = {}): Promise<PdUser | undefined> {
    const wanted = email.toLowerCase();
    return this.#findInList('/users', { query: wanted }, 'users', pdUserSchema, (u) => u.email.toLowerCase() === wanted, call);
  }

  /** The service whose name is exactly `name` (case-insensitive), or undefined. */
  async findServiceByName(name: string, call: PdCallOptions = {}): Promise<PdService | undefined> {
    const wanted = name.toLowerCase();
    return this.#findInList('/services', { query: wanted }, 'services', pdServiceSchema, (s) => s.name.toLowerCase() === wanted, call);
  }

  /**
   * The on-call entries of a user in some escalation policies, now, page by page; `visit`
   * returns true to stop paging early.
   */
  async scanOnCalls(userId: string, policyIds: readonly string[], visit: (page: readonly PdOnCall[]) => boolean, call: PdCallOptions = {}): Promise<void> {
    await this.#pages('/oncalls', { 'user_ids[]': [userId], 'escalation_policy_ids[]': [...policyIds] }, 'oncalls', pdOnCallSchema, visit, call);
  }

  /** Open acknowledged incidents on some services assigned to a user (the one who acknowledged). */
  async acknowledgedIncidents(userId: string, serviceIds: readonly string[], call: PdCallOptions = {}): Promise<PdIncident[]> {
    const found: PdIncident[] = [];
    await this.#pages(
      '/incidents',
      { 'statuses[]': ['acknowledged'], 'service_ids[]': [...serviceIds], 'user_ids[]': [userId], date_range: 'all' },
      'incidents',
      pdIncidentSchema,
      (page) => (found.push(...page), false),
      call,
    );
    return found;
  }

  /** Incidents with this dedup key in one of `statuses` (open ones by default). */
  async incidentsByKey(incidentKey: string, call: PdCallOptions & { statuses?: readonly PdIncident['status'][] } = {}): Promise<PdIncident[]> {
    const found: PdIncident[] = [];
    await this.#pages(
      '/incidents',
      { incident_key: incidentKey, 'statuses[]': [...(call.statuses ?? ['triggered', 'acknowledged'])], date_range: 'all' },
      'incidents',
      pdIncidentSchema,
      (page) => (found.push(...page.filter((i) => i.incident_key === incidentKey)), false),
      call,
    );
    return found;
  }

  /**
   * `POST /incidents` with a dedup key. When an open incident with the key already exists on the
   * service (a create whose answer was lost), that incident is returned instead.
   */
  async createIncident(o: { title: string; serviceId: string; incidentKey: string; details: string }, call: PdCallOptions = {}): Promise<{ id: string; existed: boolean }> {
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
      const data = await this.#call('post', '/incidents', { body, from: true }, call);
      return { id: z.object({ incident: pdIncidentSchema }).parse(data).incident.id, existed: false };
    } catch (err) {
      if (!(err instanceof PagerDutyError && err.status === 400 && err.errors.some((e) => DUPLICATE_KEY.test(e)))) throw err;
      const existing = (await this.incidentsByKey(o.incidentKey, call)).find((i) => i.service.id === o.serviceId);
      if (existing === undefined) throw err;
      return { id: existing.id, existed: true };
    }
  }

  async addNote(incidentId: string, content: string, call: PdCallOptions = {}): Promise<void> {
    await this.#call('post', `/incidents/${encodeURIComponent(incidentId)}/notes`, { body: { note: { content } }, from: true }, call);
  }

  /** Every note of the incident (PagerDuty does not page this list). */
  async listNotes(incidentId: string, call: PdCallOptions = {}): Promise<PdNote[]> {
    const data = await this.#call('get', `/incidents/${encodeURIComponent(incidentId)}/notes`, {}, call);
    return z.object({ notes: z.array(pdNoteSchema) }).parse(data).notes;
  }

  /** `PUT /incidents/:id` status resolved; an incident someone already resolved counts as done. */
  async resolveIncident(incidentId: string, call: PdCallOptions = {}): Promise<'resolved' | 'already_resolved'> {
    try {
      await this.#call('put', `/incidents/${encodeURIComponent(incidentId)}`, { body: { incident: { type: 'incident_reference', status: 'resolved' } }, from: true }, call);
      return 'resolved';
    } catch (err) {
      if (err instanceof PagerDutyError && err.status === 400 && err.errors.some((e) => ALREADY_RESOLVED.test(e))) return 'already_resolved';
      throw err;
    }
  }

  async #findInList<T extends z.ZodType>(path: string, query: Query, key: string, item: T, match: (v: z.infer<T>) => boolean, call: PdCallOptions): Promise<z.infer<T> | undefined> {
    let found: z.infer<T> | undefined;
    await this.#pages(path, query, key, item, (page) => {
      found = page.find(match);
      return found !== undefined;
    }, call);
    return found;
  }

  /** Pages through a list with `limit`/`offset` until `more` is false or `visit` says stop. */
  async #pages<T extends z.ZodType>(path: string, query: Query, key: string, item: T, visit: (page: readonly z.infer<T>[]) => boolean, call: PdCallOptions): Promise<void> {
    const listSchema = z.object({ [key]: z.array(item) });
    let offset = 0;
    for (let n = 0; n < MAX_PAGES; n++) {
      const data = await this.#call('get', path, { query: { ...query, limit: String(PAGE_LIMIT), offset: String(offset) } }, call);
      const items = listSchema.parse(data)[key] as z.infer<T>[];
      if (visit(items)) return;
      if (pdPageSchema.parse(data).more !== true || items.length === 0) return;
      offset += items.length;
    }
    this.#log.warn({ path, pages: MAX_PAGES }, 'PagerDuty list longer than the page cap; stopped reading');
  }

  /**
   * One API call with retries; resolves with the JSON body of a 2xx answer. The final error says
   * whether an earlier attempt got no clear answer, so a write is never taken as refused (and
   * its claim released) when a lost first attempt may have done it.
   */
  async #call(method: Method, path: string, o: { query?: Query; body?: object; from?: boolean }, call: PdCallOptions): Promise<unknown> {
    const signal = call.signal ?? this.#retry.signal;
    const params = {
      url: `${this.#endpoint}${path}`,
      // node-fetch's own timeout; pdjs' `requestTimeout` is disabled in createPdjs.
      timeout: this.#timeoutMs,
      retryTimeout: 0,
      // pdjs hands every other parameter to fetch: the deadline aborts the call in flight.
      ...(signal !== undefined ? { signal } : {}),
      ...(o.from === true ? { headers: { From: this.#userEmail } } : {}),
      ...(o.query !== undefined ? { data: o.query } : o.body !== undefined ? { data: o.body } : {}),
    };
    let inDoubt = false;
    try {
      return await withRetry(async () => {
        const started = performance.now();
        let response: { status: number; data?: unknown; headers?: Headers };
        try {
          response = await this.#pd[method](path, params);
        } catch (err) {
          inDoubt = true;
          throw toPagerDutyError(err, method, path);
        }
        const ms = Math.round(performance.now() - started);
        this.#log.debug({ method: method.toUpperCase(), path, status: response.status, ms }, 'PagerDuty call');
        if (response.status >= 200 && response.status < 300) return response.data;
        const err = errorFromAnswer(response.status, response.data, response.headers, method, path);
        if (!err.refused) inDoubt = true;
        throw err;
      }, { ...this.#retry, ...call.retry, ...(signal !== undefined ? { signal } : {}) });
    } catch (err) {
      if (inDoubt && err instanceof PagerDutyError && err.refused) {
        throw new PagerDutyError(`${err.message}; an earlier attempt may have been done`, { status: err.status, pdCode: err.pdCode, errors: err.errors, earlierAttemptInDoubt: true, cause: err });
      }
      throw err;
    }
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
