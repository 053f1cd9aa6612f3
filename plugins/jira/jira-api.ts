import { createCloudClient, isApiError, isNetworkError, isRateLimitError, isServerError } from 'jira.js';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { Secret } from '../common/secret.ts';
import { withRetry, type RetryOptions } from '../common/with-retry.ts';
import type { AdfDoc } from './jira-adf.ts';
import { EFFECT_PROPERTY, effectMarkerSchema, type EffectMarker } from './jira-effect-marker.ts';

/** The issue property that ties an issue to its access request (storage; not JQL-searchable). */
export const REQUEST_PROPERTY = 'gatehouseAccessRequest';

export interface JiraApiOptions {
  url: string;
  email: string;
  apiToken: Secret;
  log: Logger;
  /** Retry options (the plugin's stop signal, metrics hook); budgets default to 5 retries within 30 s. */
  retry: RetryOptions;
  /** Per-request time limit. @default 10000 */
  timeoutMs?: number;
}

/** A Jira account as the API shows it; the email is missing when the profile hides it. */
export interface JiraAccount {
  readonly accountId: string;
  readonly emailAddress: string | undefined;
  readonly displayName: string;
}

/** One status change of an issue. */
export interface StatusChange {
  readonly historyId: string;
  readonly author: JiraAccount | undefined;
  readonly at: number;
  readonly toId: string | undefined;
  readonly toName: string;
}

export interface JiraComment {
  readonly id: string;
  readonly author: JiraAccount | undefined;
  readonly at: number;
  /** Body flattened by the caller (ADF). */
  readonly body: unknown;
}

/** What the plugin reads of an issue: status, labels, its request property, status changes and comments. */
export interface IssueView {
  readonly id: string;
  readonly key: string;
  readonly projectKey: string | undefined;
  readonly status: { readonly id: string | undefined; readonly name: string };
  readonly labels: readonly string[];
  /** The request id stored in the issue property, if any. */
  readonly requestId: string | undefined;
  /** Every status change the API returned, newest first. */
  readonly statusChanges: readonly StatusChange[];
  /** Newest first. Complete (paged if the issue embedded only part of them). */
  readonly comments: readonly JiraComment[];
}

export interface JiraTransition {
  readonly id: string;
  readonly name: string;
  readonly toId: string | undefined;
  readonly toName: string;
}

/** A call that took longer than the time limit (the request itself is left to finish). */
export class JiraTimeoutError extends Error {
  constructor(what: string, ms: number) {
    super(`Jira call ${what} took longer than ${ms} ms`);
    this.name = 'JiraTimeoutError';
  }
}

/**
 * Whether Jira answered the call with a refusal (a 4xx: a bad field, a missing issue, a rate
 * limit), so it did nothing: an effect that fails so is not in doubt.
 */
export function isRefusedByJira(err: unknown): boolean {
  return isApiError(err) && err.status >= 400 && err.status < 500 && err.status !== 408;
}

export function isRetryableJiraError(err: unknown): boolean {
  return err instanceof JiraTimeoutError || isRateLimitError(err) || isServerError(err) || isNetworkError(err) || (isApiError(err) && err.status === 408);
}

/** A short description of a Jira error for logs and operator messages (never the credentials). */
export function describeJiraError(err: unknown): string {
  if (isApiError(err)) {
    const body = err.body;
    let detail = '';
    if (typeof body === 'string') detail = body.slice(0, 200);
    else if (typeof body === 'object' && body !== null) {
      const b = body as { errorMessages?: unknown; errors?: unknown };
      const messages = Array.isArray(b.errorMessages) ? b.errorMessages.filter((m): m is string => typeof m === 'string') : [];
      const fields = typeof b.errors === 'object' && b.errors !== null ? Object.entries(b.errors).map(([k, v]) => `${k}: ${String(v)}`) : [];
      detail = [...messages, ...fields].join('; ').slice(0, 300);
    }
    return `HTTP ${err.status}${detail ? ` (${detail})` : ''}`;
  }
  return err instanceof Error ? err.message : String(err);
}

const when = z.union([z.string(), z.date()]).transform((v, ctx) => {
  const ms = v instanceof Date ? v.getTime() : Date.parse(v.replace(/([+-]\d{2})(\d{2})$/, '$1:$2'));
  if (Number.isNaN(ms)) {
    ctx.addIssue({ code: 'custom', message: 'invalid date' });
    return z.NEVER;
  }
  return ms;
});
const accountSchema = z.object({ accountId: z.string().min(1), emailAddress: z.string().optional(), displayName: z.string().optional() });
const historySchema = z.object({
  id: z.union([z.string(), z.number()]).transform(String),
  author: accountSchema.optional(),
  created: when,
  items: z.array(z.object({ field: z.string().optional(), fieldId: z.string().optional(), to: z.string().nullish(), toString: z.string().nullish() })).default([]),
});
const commentSchema = z.object({ id: z.union([z.string(), z.number()]).transform(String), author: accountSchema.optional(), created: when, body: z.unknown() });
const commentListSchema = z.object({
  values: z.array(z.object({ id: z.union([z.string(), z.number()]).transform(String), properties: z.array(z.object({ key: z.string(), value: z.unknown() })).default([]) })).default([]),
});
const commentPageSchema = z.object({ comments: z.array(commentSchema).default([]), total: z.number().optional(), startAt: z.number().optional() });
const issueSchema = z.object({
  id: z.string().min(1),
  key: z.string().min(1),
  fields: z.object({
    status: z.object({ id: z.string().optional(), name: z.string() }),
    labels: z.array(z.string()).default([]),
    project: z.object({ key: z.string() }).optional(),
    comment: commentPageSchema.optional(),
  }),
  properties: z.record(z.string(), z.unknown()).optional(),
  changelog: z.object({ histories: z.array(historySchema).default([]), total: z.number().optional() }).optional(),
});
const changelogPageSchema = z.object({ values: z.array(historySchema).default([]), total: z.number().optional() });
const transitionsSchema = z.object({
  transitions: z.array(z.object({ id: z.string(), name: z.string().default(''), to: z.object({ id: z.string().optional(), name: z.string() }) })).default([]),
});
const createdSchema = z.object({ id: z.string().min(1), key: z.string().min(1) });
const searchSchema = z.object({ issues: z.array(z.object({ id: z.string().min(1) })).default([]), nextPageToken: z.string().optional(), isLast: z.boolean().optional() });
const projectSchema = z.object({ id: z.string(), key: z.string(), name: z.string().default(''), issueTypes: z.array(z.object({ id: z.string().optional(), name: z.string() })).optional() });
const statusesSchema = z.array(z.object({ name: z.string(), statuses: z.array(z.object({ id: z.string().optional(), name: z.string() })).default([]) }));
const requestPropertySchema = z.object({ requestId: z.string().min(1) });

function account(a: z.infer<typeof accountSchema> | undefined): JiraAccount | undefined {
  return a === undefined ? undefined : { accountId: a.accountId, emailAddress: a.emailAddress, displayName: a.displayName ?? a.accountId };
}

function comment(c: z.infer<typeof commentSchema>): JiraComment {
  return { id: c.id, author: account(c.author), at: c.created, body: c.body };
}

function newestFirst(comments: JiraComment[]): JiraComment[] {
  return comments.sort((a, b) => b.at - a.at || Number(b.id) - Number(a.id));
}

function statusChanges(histories: readonly z.infer<typeof historySchema>[]): StatusChange[] {
  const out: StatusChange[] = [];
  for (const h of histories) {
    const item = h.items.filter((i) => i.field === 'status' || i.fieldId === 'status').at(-1);
    if (item === undefined || typeof item.toString !== 'string') continue;
    out.push({ historyId: h.id, author: account(h.author), at: h.created, toId: item.to ?? undefined, toName: item.toString });
  }
  // Jira's order differs between endpoints and versions: sort newest first, ids break ties.
  return out.sort((a, b) => b.at - a.at || Number(b.historyId) - Number(a.historyId));
}

function parse<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const result = schema.safeParse(value);
  if (!result.success) throw new Error(`unexpected Jira answer to ${what}: ${result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).slice(0, 3).join('; ')}`);
  return result.data;
}

const MAX_COMMENT_PAGES = 20;
/** Comment ids per `/comment/list` call (Jira takes up to 1000; a page is smaller). */
const COMMENT_IDS_PER_CALL = 50;

/** Rejects with the signal's reason once it aborts; `stop` removes the listener. */
function abortion(signal: AbortSignal | undefined): { promise: Promise<never>; stop: () => void } {
  let stop = (): void => undefined;
  const promise = new Promise<never>((_, reject) => {
    if (signal === undefined) return;
    const onAbort = (): void => reject(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
    signal.addEventListener('abort', onAbort, { once: true });
    stop = () => signal.removeEventListener('abort', onAbort);
  });
  return { promise, stop };
}

/**
 * The Jira Cloud REST v3 calls the plugin makes, over jira.js with its own retries off: ours
 * honour `Retry-After`, back off with jitter and give up within a budget. Every answer is
 * validated; rich text is always sent as ADF (so jira.js stays on v3).
 *
 * Every call takes RetryOptions whose `signal` (the event's deadline) is combined with the
 * plugin's stop signal. jira.js 6 sends its requests with `fetch` and takes no AbortSignal per
 * call, so an aborted call is given up at once (no further attempt, the caller sees the abort)
 * and its request is left to finish, like one past the time limit.
 */
export class JiraApi {
  readonly #client: ReturnType<typeof createCloudClient>;
  readonly #retry: RetryOptions;
  readonly #timeoutMs: number;

  constructor(options: JiraApiOptions) {
    const log = options.log.child({ component: 'jira-sdk' });
    this.#client = createCloudClient({
      host: options.url,
      auth: { type: 'basic', email: options.email, apiToken: options.apiToken.reveal() },
      onSchemaMismatch: (report) => log.debug({ endpoint: report.endpoint, issues: report.issues.slice(0, 5) }, 'Jira answer differs from the jira.js schema'),
    });
    this.#timeoutMs = options.timeoutMs ?? 10_000;
    this.#retry = {
      retries: 5,
      maxElapsedMs: 30_000,
      ...options.retry,
      isRetryable: isRetryableJiraError,
      retryAfterMs: (err) => (isRateLimitError(err) ? err.retryAfterMs : undefined),
    };
  }

  async #call<T>(what: string, fn: () => Promise<T>, retry: RetryOptions = {}): Promise<T> {
    const ms = this.#timeoutMs;
    const signals = [this.#retry.signal, retry.signal].filter((s): s is AbortSignal => s !== undefined);
    const signal = signals.length > 1 ? AbortSignal.any(signals) : signals[0];
    return withRetry(async () => {
      signal?.throwIfAborted();
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new JiraTimeoutError(what, ms)), ms);
        timer.unref();
      });
      const aborted = abortion(signal);
      try {
        return await Promise.race([fn(), timeout, aborted.promise]);
      } finally {
        clearTimeout(timer);
        aborted.stop();
      }
    }, { ...this.#retry, ...retry, ...(signal === undefined ? {} : { signal }) });
  }

  /** `GET /myself`: who the credentials are. */
  async myself(retry?: RetryOptions): Promise<JiraAccount> {
    const me = parse(accountSchema, await this.#call('myself', () => this.#client.myself.getCurrentUser(), retry), 'GET /myself');
    return { accountId: me.accountId, emailAddress: me.emailAddress, displayName: me.displayName ?? me.accountId };
  }

  async project(key: string, retry?: RetryOptions): Promise<z.infer<typeof projectSchema>> {
    return parse(projectSchema, await this.#call('project', () => this.#client.projects.getProject({ projectIdOrKey: key }), retry), 'GET /project');
  }

  /** Status names valid for each issue type of the project. */
  async projectStatuses(key: string, retry?: RetryOptions): Promise<z.infer<typeof statusesSchema>> {
    return parse(statusesSchema, await this.#call('project statuses', () => this.#client.projects.getAllStatuses({ projectIdOrKey: key }), retry), 'GET /project/statuses');
  }

  async createIssue(input: { project: string; issueType: string; summary: string; description: AdfDoc; labels: readonly string[]; requestId: string }, retry?: RetryOptions): Promise<{ id: string; key: string }> {
    const created = await this.#call('create issue', () =>
      this.#client.issues.createIssue({
        fields: { project: { key: input.project }, issuetype: { name: input.issueType }, summary: input.summary, description: input.description, labels: [...input.labels] },
        properties: [{ key: REQUEST_PROPERTY, value: { requestId: input.requestId } }],
      }),
    retry);
    return parse(createdSchema, created, 'POST /issue');
  }

  /** Reads an issue with its status, labels, request property, status changes and all comments. */
  async issue(idOrKey: string, retry?: RetryOptions): Promise<IssueView> {
    const raw = await this.#call('get issue', () =>
      this.#client.issues.getIssue({ issueIdOrKey: idOrKey, fields: ['status', 'labels', 'project', 'comment'], expand: ['changelog'], properties: [REQUEST_PROPERTY] }),
    retry);
    const issue = parse(issueSchema, raw, 'GET /issue');
    let histories = issue.changelog?.histories ?? [];
    const total = issue.changelog?.total ?? histories.length;
    if (total > histories.length) {
      // Only part of the changelog was embedded: read its newest page (the changelog endpoint is oldest first).
      const page = await this.#call('get changelog', () => this.#client.issues.getChangeLogs({ issueIdOrKey: issue.id, startAt: Math.max(0, total - 100), maxResults: 100 }), retry);
      histories = [...histories, ...parse(changelogPageSchema, page, 'GET /issue/changelog').values];
    }
    const embedded = issue.fields.comment?.comments ?? [];
    const comments = (issue.fields.comment?.total ?? embedded.length) > embedded.length ? await this.comments(issue.id, retry) : embedded.map(comment);
    const property = issue.properties?.[REQUEST_PROPERTY];
    const parsedProperty = requestPropertySchema.safeParse(property);
    return {
      id: issue.id,
      key: issue.key,
      projectKey: issue.fields.project?.key,
      status: { id: issue.fields.status.id, name: issue.fields.status.name },
      labels: issue.fields.labels,
      requestId: parsedProperty.success ? parsedProperty.data.requestId : undefined,
      statusChanges: statusChanges(histories),
      comments: newestFirst(comments),
    };
  }

  /** Every comment of the issue, newest first. */
  async comments(issueId: string, retry?: RetryOptions): Promise<JiraComment[]> {
    const all: z.infer<typeof commentSchema>[] = [];
    for (let page = 0; page < MAX_COMMENT_PAGES; page++) {
      const startAt = all.length;
      const res = parse(commentPageSchema, await this.#call('get comments', () => this.#client.issueComments.getComments({ issueIdOrKey: issueId, startAt, maxResults: 100, orderBy: '-created' }), retry), 'GET /comment');
      all.push(...res.comments);
      if (res.comments.length === 0 || all.length >= (res.total ?? 0)) break;
    }
    return newestFirst(all.map(comment));
  }

  /**
   * The effect markers (EFFECT_PROPERTY) on the given comments: one `/comment/list` call per
   * 50 comments (only comment/list returns comments with their properties).
   */
  async effectMarkers(commentIds: readonly string[], retry?: RetryOptions): Promise<EffectMarker[]> {
    const markers: EffectMarker[] = [];
    for (let i = 0; i < commentIds.length; i += COMMENT_IDS_PER_CALL) {
      const ids = commentIds.slice(i, i + COMMENT_IDS_PER_CALL).map(Number).filter(Number.isSafeInteger);
      if (ids.length === 0) continue;
      const res = parse(commentListSchema, await this.#call('get comments by id', () => this.#client.issueComments.getCommentsByIds({ ids, expand: 'properties' }), retry), 'POST /comment/list');
      for (const c of res.values) {
        for (const p of c.properties) {
          const marker = p.key === EFFECT_PROPERTY ? effectMarkerSchema.safeParse(p.value) : undefined;
          if (marker?.success === true) markers.push(marker.data);
        }
      }
    }
    return markers;
  }

  /** The issue's id and key (a light read). */
  async issueRef(idOrKey: string, retry?: RetryOptions): Promise<{ id: string; key: string }> {
    return parse(createdSchema, await this.#call('get issue key', () => this.#client.issues.getIssue({ issueIdOrKey: idOrKey, fields: ['status'] }), retry), 'GET /issue');
  }

  /** The effect markers on the comments `accountId` made on the issue (see effectMarkers). */
  async markersBy(issueId: string, accountId: string, retry?: RetryOptions): Promise<EffectMarker[]> {
    const mine = (await this.comments(issueId, retry)).filter((c) => c.author?.accountId === accountId);
    return mine.length === 0 ? [] : this.effectMarkers(mine.map((c) => c.id), retry);
  }

  /** The issue's current status only (a light read). */
  async issueStatus(issueId: string, retry?: RetryOptions): Promise<{ id: string | undefined; name: string }> {
    const raw = await this.#call('get issue status', () => this.#client.issues.getIssue({ issueIdOrKey: issueId, fields: ['status'] }), retry);
    const issue = parse(z.object({ fields: z.object({ status: z.object({ id: z.string().optional(), name: z.string() }) }) }), raw, 'GET /issue');
    return { id: issue.fields.status.id, name: issue.fields.status.name };
  }

  async transitions(issueId: string, retry?: RetryOptions): Promise<JiraTransition[]> {
    const res = parse(transitionsSchema, await this.#call('get transitions', () => this.#client.issues.getTransitions({ issueIdOrKey: issueId }), retry), 'GET /transitions');
    return res.transitions.map((t) => ({ id: t.id, name: t.name, toId: t.to.id, toName: t.to.name }));
  }

  /** Moves the issue along a transition. */
  async transition(issueId: string, transitionId: string, retry?: RetryOptions): Promise<void> {
    await this.#call('transition', () => this.#client.issues.doTransition({ issueIdOrKey: issueId, transition: { id: transitionId } }), retry);
  }

  /** Comments on the issue; `marker` is stored as the comment's EFFECT_PROPERTY, so the comment can be found again. */
  async addComment(issueId: string, body: AdfDoc, marker: EffectMarker, retry?: RetryOptions): Promise<void> {
    await this.#call('add comment', () =>
      this.#client.issueComments.addComment({
        issueIdOrKey: issueId,
        body: { type: body.type, version: body.version, content: body.content.map((n) => ({ ...n })) },
        properties: [{ key: EFFECT_PROPERTY, value: { requestId: marker.requestId, op: marker.op } }],
      }),
    retry);
  }

  /** One page of the enhanced JQL search (`/search/jql`), ids only. */
  async searchIds(jql: string, nextPageToken?: string, retry?: RetryOptions): Promise<{ ids: string[]; nextPageToken: string | undefined }> {
    const res = parse(
      searchSchema,
      await this.#call('search', () => this.#client.issueSearch.searchAndReconsileIssuesUsingJqlPost({ jql, maxResults: 100, fields: ['id'], ...(nextPageToken === undefined ? {} : { nextPageToken }) }), retry),
      'POST /search/jql',
    );
    return { ids: res.issues.map((i) => i.id), nextPageToken: res.isLast === false ? res.nextPageToken : undefined };
  }
}

/** Quotes a value for JQL (`"..."` with `"` and `\` escaped). */
export function jqlString(value: string): string {
  return `"${value.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}
