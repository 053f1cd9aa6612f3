/**
 * A faithful fake of the Jira Cloud REST API (v3) for tests: a real HTTP server on 127.0.0.1
 * that authenticates with basic auth (`email:api_token`), validates writes like Jira Cloud, keeps
 * a changelog with the acting user, answers the enhanced JQL search, and delivers signed webhooks.
 *
 * Test controls: `failNext` (429 with Retry-After, 5xx, slow answers, dropped connections, calls
 * that stall before or after they are acted on),
 * webhook loss and pausing, and actions taken as a given user without HTTP (`transitionAs`,
 * `commentAs`), the way a human would act in Jira's UI.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { adfFromText, adfToText, type AdfDoc } from './fake-jira-adf.ts';
import {
  availableTransitions,
  buildSite,
  Renderer,
  type FakeJiraHistory,
  type FakeJiraProjectOptions,
  type FakeJiraUserOptions,
  type FakeJiraWorkflowOptions,
  type IssueRecord,
} from './fake-jira-model.ts';
import { handleApi, type ApiContext } from './fake-jira-routes.ts';
import { IssueStore } from './fake-jira-store.ts';
import type { FailureScope } from './http-fake-server.ts';
import { WebhookDispatcher, type FakeJiraDelivery, type FakeJiraWebhookOptions, type FakeJiraWebhookRetryOptions } from './fake-jira-webhooks.ts';

export type { FakeJiraUserOptions, FakeJiraProjectOptions, FakeJiraWorkflowOptions, FakeJiraTransitionOptions, FakeJiraHistory, FakeJiraChangeItem } from './fake-jira-model.ts';
export type { FakeJiraDelivery, FakeJiraDeliveryAttempt, FakeJiraWebhookOptions, FakeJiraWebhookRetryOptions } from './fake-jira-webhooks.ts';
export { adfFromText, adfToText, type AdfDoc } from './fake-jira-adf.ts';

export interface FakeJiraOptions {
  readonly users: readonly FakeJiraUserOptions[];
  readonly projects: readonly FakeJiraProjectOptions[];
  /** @default statuses Pending, Approved, Denied, Expired; initial Pending; every status reachable from every other */
  readonly workflow?: FakeJiraWorkflowOptions;
  readonly webhooks?: readonly FakeJiraWebhookOptions[];
  readonly webhookRetry?: FakeJiraWebhookRetryOptions;
  /** Time source for timestamps and relative JQL dates. @default () => new Date() */
  readonly clock?: () => Date;
}

/**
 * What the next matching requests suffer.
 * - `{stall: true}`: never answered and never acted on (a call lost on the way: a client killed
 *   now has claimed an effect that never reached Jira).
 * - `{performThenStall: true}`: acted on at once, never answered (a client killed now has done
 *   the effect without learning so).
 */
export type FakeJiraFault =
  | { readonly status: 429; readonly retryAfterSeconds?: number }
  | { readonly status: 500 | 502 | 503 | 504 }
  | { readonly delayMs: number }
  | { readonly dropConnection: true }
  | { readonly stall: true }
  | { readonly performThenStall: true };

export interface FakeJiraRequest {
  readonly method: string;
  readonly path: string;
  readonly query: Readonly<Record<string, string>>;
  readonly body: unknown;
  /** The authenticated user, `undefined` when authentication failed or was skipped by a fault. */
  readonly accountId: string | undefined;
  /** `undefined` while in flight, when the connection was dropped, or when the call stalls. */
  status: number | undefined;
  /** The fault injected into this request, if any. */
  readonly fault?: FakeJiraFault;
}

export interface FakeJiraIssueSnapshot {
  readonly id: string;
  readonly key: string;
  readonly projectKey: string;
  readonly issueType: string;
  readonly summary: string;
  readonly description: AdfDoc | null;
  /** The description flattened to text ('' without one). */
  readonly descriptionText: string;
  readonly labels: readonly string[];
  readonly status: string;
  readonly creatorId: string;
  readonly created: Date;
  readonly updated: Date;
  readonly properties: Readonly<Record<string, unknown>>;
  /** Oldest first. */
  readonly histories: readonly FakeJiraHistory[];
}

export interface FakeJiraCommentSnapshot {
  readonly id: string;
  readonly authorId: string;
  readonly body: AdfDoc;
  readonly text: string;
  readonly created: Date;
  readonly updated: Date;
}

export interface FakeJira {
  /** Listens on 127.0.0.1 on a free port. */
  start(): Promise<{ url: string }>;
  /** Stops webhooks and the server, closing every connection; resolves once all sockets are gone. Idempotent. */
  stop(): Promise<void>;
  /** The base URL (`http://127.0.0.1:<port>`). Throws before `start()`. */
  readonly url: string;
  issues(): FakeJiraIssueSnapshot[];
  issue(key: string): FakeJiraIssueSnapshot | undefined;
  /** Oldest first. Throws for an unknown issue. */
  comments(key: string): FakeJiraCommentSnapshot[];
  requests(): FakeJiraRequest[];
  deliveries(): FakeJiraDelivery[];
  /** Moves the issue to `statusName` as `accountId` would in the UI, optionally commenting in the same change. Throws when no transition leads there. */
  transitionAs(accountId: string, issueKey: string, statusName: string, commentText?: string): void;
  commentAs(accountId: string, issueKey: string, text: string): void;
  /** The next `n` webhook deliveries are lost (recorded as `dropped`). */
  dropNextWebhooks(n: number): void;
  /** Holds deliveries until `resumeWebhooks()`. */
  pauseWebhooks(): void;
  resumeWebhooks(): void;
  /** Resolves when no delivery is in flight or waiting for a retry. */
  webhooksIdle(): Promise<void>;
  /**
   * The next `n` API requests matching `scope` (method, path; every request when omitted) suffer
   * `fault` instead of (or, for `delayMs`, before) their normal answer. Rules queue in call order.
   */
  failNext(n: number, fault: FakeJiraFault, scope?: FailureScope): void;
}

const MAX_BODY_BYTES = 10 * 1024 * 1024;
const JSON_TYPE = 'application/json;charset=UTF-8';

function snapshot(issue: IssueRecord): FakeJiraIssueSnapshot {
  return {
    id: issue.id,
    key: issue.key,
    projectKey: issue.project.key,
    issueType: issue.issueType.name,
    summary: issue.summary,
    description: structuredClone(issue.description),
    descriptionText: issue.description === null ? '' : adfToText(issue.description),
    labels: [...issue.labels],
    status: issue.status.name,
    creatorId: issue.creatorId,
    created: issue.created,
    updated: issue.updated,
    properties: structuredClone(Object.fromEntries(issue.properties)),
    histories: structuredClone(issue.histories),
  };
}

function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        resolve(undefined);
        req.resume();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function scopeMatches(scope: FailureScope, method: string, path: string): boolean {
  if (scope.method !== undefined && scope.method.toUpperCase() !== method.toUpperCase()) return false;
  if (scope.path === undefined) return true;
  return typeof scope.path === 'string' ? scope.path === path : scope.path.test(path);
}

/** Creates a fake Jira Cloud site. Call `start()` before use and `stop()` after. */
export function createFakeJira(options: FakeJiraOptions): FakeJira {
  const site = buildSite(options.users, options.projects, options.workflow);
  const clock = options.clock ?? (() => new Date());
  let baseUrl: string | undefined;
  const render = new Renderer(site, () => baseUrl ?? 'http://127.0.0.1');
  const webhooks = new WebhookDispatcher(options.webhooks ?? [], render, options.webhookRetry);
  const store = new IssueStore(site, clock, (change) => webhooks.publish(change));
  const ctx: ApiContext = { site, store, render, clock };
  const log: FakeJiraRequest[] = [];
  const faults: { remaining: number; readonly fault: FakeJiraFault; readonly scope: FailureScope }[] = [];
  const sockets = new Set<Socket>();
  let stopping: Promise<void> | undefined;

  const takeFault = (method: string, path: string): FakeJiraFault | undefined => {
    const rule = faults.find((r) => scopeMatches(r.scope, method, path));
    if (rule === undefined) return undefined;
    rule.remaining -= 1;
    if (rule.remaining === 0) faults.splice(faults.indexOf(rule), 1);
    return rule.fault;
  };

  const send = (res: ServerResponse, record: FakeJiraRequest, status: number, body: unknown, headers: Record<string, string> = {}): void => {
    record.status = status;
    const text = body === undefined ? '' : typeof body === 'string' ? body : JSON.stringify(body);
    const type = typeof body === 'string' ? 'text/plain;charset=UTF-8' : JSON_TYPE;
    res.writeHead(status, { ...(text === '' ? {} : { 'Content-Type': type }), 'X-AREQUESTID': `fake-${log.length}`, ...headers });
    res.end(text);
  };

  const authenticate = (header: string | undefined): { accountId: string } | { failure: 'missing' | 'bad' } => {
    if (header === undefined || !/^basic /i.test(header)) return { failure: 'missing' };
    const decoded = Buffer.from(header.slice(6).trim(), 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    const email = decoded.slice(0, Math.max(colon, 0)).toLowerCase();
    const token = decoded.slice(colon + 1);
    const user = options.users.find((u) => u.apiToken !== undefined && u.emailAddress.toLowerCase() === email && u.apiToken === token);
    return colon > 0 && user !== undefined ? { accountId: user.accountId } : { failure: 'bad' };
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const raw = await readBody(req);
    const text = raw?.toString('utf8') ?? '';
    let body: unknown;
    let badJson: string | undefined;
    if (text.trim() !== '') {
      try {
        body = JSON.parse(text);
      } catch (error) {
        badJson = error instanceof Error ? error.message : String(error);
        body = text;
      }
    }
    const method = req.method ?? 'GET';
    const fault = takeFault(method, url.pathname);
    const record: FakeJiraRequest = {
      method,
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      body,
      accountId: undefined,
      status: undefined,
      ...(fault === undefined ? {} : { fault }),
    };
    log.push(record);
    // Acted on like any other request, but the answer never leaves.
    const silent = fault !== undefined && 'performThenStall' in fault;
    if (fault !== undefined && !silent) {
      if ('dropConnection' in fault) {
        req.socket.destroy();
        return;
      }
      if ('stall' in fault) return;
      if ('delayMs' in fault) {
        await new Promise((resolve) => setTimeout(resolve, fault.delayMs).unref());
      } else if (fault.status === 429) {
        send(res, record, 429, { errorMessages: ['Rate limit exceeded.'], errors: {} }, fault.retryAfterSeconds === undefined ? {} : { 'Retry-After': String(fault.retryAfterSeconds) });
        return;
      } else {
        send(res, record, fault.status, { errorMessages: ['Internal server error'], errors: {} });
        return;
      }
    }
    if (raw === undefined) {
      send(res, record, 413, { errorMessages: ['Request entity too large'], errors: {} });
      return;
    }
    const auth = authenticate(req.headers.authorization);
    if ('failure' in auth) {
      // Jira Cloud: wrong credentials get a plain-text 401; none at all get the JSON error shape.
      if (auth.failure === 'bad') {
        send(res, record, 401, 'Client must be authenticated to access this resource.', { 'X-Seraph-LoginReason': 'AUTHENTICATED_FAILED', 'WWW-Authenticate': 'Basic realm="protected-area"' });
      } else {
        send(res, record, 401, { errorMessages: ['You are not authenticated. Authentication required to perform this operation.'], errors: {} });
      }
      return;
    }
    const authed: FakeJiraRequest = Object.assign(record, { accountId: auth.accountId });
    if (badJson !== undefined) {
      send(res, authed, 400, { errorMessages: [`Unexpected character in request body: ${badJson}`], errors: {} });
      return;
    }
    const answer = handleApi(ctx, { method: authed.method, path: url.pathname, query: url.searchParams, body, actorId: auth.accountId, baseUrl: baseUrl ?? '' });
    if (silent) return;
    if (answer === undefined) {
      send(res, authed, 404, { message: `null for uri: ${baseUrl ?? ''}${req.url ?? ''}`, 'status-code': 404 });
      return;
    }
    send(res, authed, answer.status, answer.body);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) {
        res.writeHead(500, { 'Content-Type': JSON_TYPE });
        res.end(JSON.stringify({ errorMessages: [`fake jira internal error: ${error instanceof Error ? error.message : String(error)}`], errors: {} }));
      }
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  const requireIssue = (key: string): IssueRecord => {
    const issue = store.find(key);
    if (issue === undefined) throw new Error(`fake jira: no issue ${key}`);
    return issue;
  };
  const requireUser = (accountId: string): void => {
    if (!site.users.has(accountId)) throw new Error(`fake jira: no user ${accountId}`);
  };

  return {
    async start() {
      if (baseUrl !== undefined) return { url: baseUrl };
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(0, '127.0.0.1', () => resolve());
      });
      baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      return { url: baseUrl };
    },
    stop() {
      stopping ??= (async () => {
        await webhooks.stop();
        if (!server.listening) return;
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        });
        while (sockets.size > 0) await new Promise((resolve) => setTimeout(resolve, 5));
      })();
      return stopping;
    },
    get url() {
      if (baseUrl === undefined) throw new Error('fake jira: not started');
      return baseUrl;
    },
    issues: () => store.all().map(snapshot),
    issue: (key) => {
      const issue = store.find(key);
      return issue === undefined ? undefined : snapshot(issue);
    },
    comments: (key) =>
      requireIssue(key).comments.map((c) => ({ id: c.id, authorId: c.authorId, body: structuredClone(c.body), text: adfToText(c.body), created: c.created, updated: c.updated })),
    requests: () => log.map((r) => ({ ...r })),
    deliveries: () => webhooks.deliveries(),
    transitionAs(accountId, issueKey, statusName, commentText) {
      requireUser(accountId);
      const issue = requireIssue(issueKey);
      const transition = availableTransitions(site, issue).find((t) => t.to.name.toLowerCase() === statusName.toLowerCase());
      if (transition === undefined) throw new Error(`fake jira: no transition from ${issue.status.name} to ${statusName} on ${issue.key}`);
      store.transition(accountId, issue, transition, commentText === undefined ? undefined : adfFromText(commentText));
    },
    commentAs(accountId, issueKey, text) {
      requireUser(accountId);
      store.comment(accountId, requireIssue(issueKey), adfFromText(text));
    },
    dropNextWebhooks: (n) => webhooks.dropNext(n),
    pauseWebhooks: () => webhooks.pause(),
    resumeWebhooks: () => webhooks.resume(),
    webhooksIdle: () => webhooks.idle(),
    failNext(n, fault, scope = {}) {
      if (!Number.isInteger(n) || n < 1) throw new RangeError(`failNext count must be a positive integer, got ${n}`);
      faults.push({ remaining: n, fault, scope });
    },
  };
}
