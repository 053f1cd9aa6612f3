/**
 * Webhook deliveries of the fake Jira: real HTTP POSTs with Jira Cloud's payload and headers.
 *
 * Headers as Jira Cloud sends them: `X-Atlassian-Webhook-Identifier` (unique per delivery and
 * unchanged across retries), `X-Atlassian-Webhook-Flow: Primary`, `X-Atlassian-Webhook-Retry: <n>`
 * on retries, and, for a webhook registered with a secret, `X-Hub-Signature: sha256=<hex>` (the
 * WebSub `method=signature` form: HMAC-SHA256 of the raw body keyed with the secret, lower-case hex).
 * Jira retries a delivery that fails with 408, 409, 425, 429, 5xx or no response.
 */
import { createHmac } from 'node:crypto';
import { request } from 'node:http';
import type { Renderer } from './fake-jira-model.ts';
import type { IssueChange } from './fake-jira-store.ts';

export interface FakeJiraWebhookOptions {
  readonly url: string;
  /** Signs each body: `X-Hub-Signature: sha256=<hex HMAC-SHA256(secret, raw body)>`. */
  readonly secret?: string;
  /** Sent as `Authorization: Basic`; credentials in the URL (`http://u:p@host/`) work the same. */
  readonly basicAuth?: { readonly username: string; readonly password: string };
  /** @default ['jira:issue_created', 'jira:issue_updated'] */
  readonly events?: readonly string[];
}

export interface FakeJiraWebhookRetryOptions {
  /** @default 5 (Jira Cloud's limit) */
  readonly maxRetries?: number;
  /** Jira waits minutes; tests want milliseconds. @default 50 */
  readonly delayMs?: number;
  /** @default 10000 */
  readonly timeoutMs?: number;
}

export interface FakeJiraDeliveryAttempt {
  /** The receiver's status, or `undefined` when there was no response. */
  readonly status: number | undefined;
  readonly error?: string;
}

/** One delivery of one event to one webhook URL. */
export interface FakeJiraDelivery {
  readonly id: string;
  readonly url: string;
  readonly webhookEvent: string;
  readonly issueEventTypeName: string;
  readonly issueKey: string;
  readonly body: string;
  readonly headers: Readonly<Record<string, string>>;
  /** `dropped` by `dropNextWebhooks`, `pending` while paused or in flight. */
  readonly outcome: 'pending' | 'delivered' | 'failed' | 'dropped';
  /** The last response status, if any. */
  readonly status: number | undefined;
  readonly attempts: readonly FakeJiraDeliveryAttempt[];
}

interface MutableDelivery {
  id: string;
  url: string;
  webhookEvent: string;
  issueEventTypeName: string;
  issueKey: string;
  body: string;
  headers: Record<string, string>;
  outcome: FakeJiraDelivery['outcome'];
  status: number | undefined;
  attempts: FakeJiraDeliveryAttempt[];
  target: URL;
}

const RETRYABLE = new Set([408, 409, 425, 429]);

function splitCredentials(url: string, basicAuth: FakeJiraWebhookOptions['basicAuth']): { target: URL; authorization: string | undefined } {
  const target = new URL(url);
  let credentials = basicAuth !== undefined ? `${basicAuth.username}:${basicAuth.password}` : undefined;
  if (target.username !== '' || target.password !== '') {
    credentials = `${decodeURIComponent(target.username)}:${decodeURIComponent(target.password)}`;
    target.username = '';
    target.password = '';
  }
  return { target, authorization: credentials === undefined ? undefined : `Basic ${Buffer.from(credentials).toString('base64')}` };
}

export class WebhookDispatcher {
  private readonly hooks: readonly FakeJiraWebhookOptions[];
  private readonly renderer: Renderer;
  private readonly maxRetries: number;
  private readonly delayMs: number;
  private readonly timeoutMs: number;
  private readonly log: MutableDelivery[] = [];
  private readonly held: MutableDelivery[] = [];
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly inFlight = new Set<Promise<void>>();
  private readonly aborter = new AbortController();
  private dropCount = 0;
  private paused = false;
  private sequence = 0;

  constructor(hooks: readonly FakeJiraWebhookOptions[], renderer: Renderer, retry: FakeJiraWebhookRetryOptions | undefined) {
    this.hooks = hooks;
    this.renderer = renderer;
    this.maxRetries = retry?.maxRetries ?? 5;
    this.delayMs = retry?.delayMs ?? 50;
    this.timeoutMs = retry?.timeoutMs ?? 10_000;
  }

  /** Builds Jira's payload for `change` now (a snapshot) and sends it to every matching webhook. */
  publish(change: IssueChange): void {
    const { issue } = change;
    const fields = this.renderer.allFields(issue);
    delete fields['comment'];
    const payload: Record<string, unknown> = {
      timestamp: change.at.getTime(),
      webhookEvent: change.webhookEvent,
      issue_event_type_name: change.eventTypeName,
      user: this.renderer.user(change.actorId),
      issue: { id: issue.id, self: this.renderer.issue(issue, { fields: undefined, expand: [], properties: [] })['self'], key: issue.key, fields },
    };
    if (change.history !== undefined) payload['changelog'] = { id: change.history.id, items: change.history.items };
    if (change.comment !== undefined) payload['comment'] = this.renderer.comment(issue, change.comment);
    const body = JSON.stringify(payload);
    for (const hook of this.hooks) {
      if (!(hook.events ?? ['jira:issue_created', 'jira:issue_updated']).includes(change.webhookEvent)) continue;
      this.sequence += 1;
      const { target, authorization } = splitCredentials(hook.url, hook.basicAuth);
      const headers: Record<string, string> = {
        'Content-Type': 'application/json; charset=utf-8',
        'User-Agent': 'Atlassian Webhook HTTP Client',
        'X-Atlassian-Webhook-Identifier': `${Date.now()}${String(this.sequence).padStart(4, '0')}`,
        'X-Atlassian-Webhook-Flow': 'Primary',
      };
      if (hook.secret !== undefined) headers['X-Hub-Signature'] = `sha256=${createHmac('sha256', hook.secret).update(body).digest('hex')}`;
      if (authorization !== undefined) headers['Authorization'] = authorization;
      const delivery: MutableDelivery = {
        id: headers['X-Atlassian-Webhook-Identifier'] ?? '',
        url: hook.url,
        webhookEvent: change.webhookEvent,
        issueEventTypeName: change.eventTypeName,
        issueKey: issue.key,
        body,
        headers,
        outcome: 'pending',
        status: undefined,
        attempts: [],
        target,
      };
      this.log.push(delivery);
      if (this.dropCount > 0) {
        this.dropCount -= 1;
        delivery.outcome = 'dropped';
      } else if (this.paused) {
        this.held.push(delivery);
      } else {
        this.track(this.attempt(delivery));
      }
    }
  }

  /** The next `n` deliveries are lost: recorded as `dropped`, never sent. */
  dropNext(n: number): void {
    this.dropCount += n;
  }

  pause(): void {
    this.paused = true;
  }

  /** Sends what was held while paused, in order. */
  resume(): void {
    this.paused = false;
    for (const delivery of this.held.splice(0)) this.track(this.attempt(delivery));
  }

  deliveries(): FakeJiraDelivery[] {
    return this.log.map(({ target: _target, ...rest }) => ({ ...rest, headers: { ...rest.headers }, attempts: [...rest.attempts] }));
  }

  /** Resolves when nothing is in flight and no retry is scheduled (held deliveries stay held). */
  async idle(): Promise<void> {
    while (this.inFlight.size > 0 || this.timers.size > 0) {
      await Promise.race([...this.inFlight, new Promise((resolve) => setTimeout(resolve, 10))]);
    }
  }

  /** Aborts what is in flight and cancels retries. */
  async stop(): Promise<void> {
    this.timers.forEach((timer) => clearTimeout(timer));
    this.timers.clear();
    this.aborter.abort();
    await Promise.allSettled([...this.inFlight]);
  }

  private track(promise: Promise<void>): void {
    this.inFlight.add(promise);
    void promise.finally(() => this.inFlight.delete(promise));
  }

  private async attempt(delivery: MutableDelivery): Promise<void> {
    const retry = delivery.attempts.length;
    const headers = retry > 0 ? { ...delivery.headers, 'X-Atlassian-Webhook-Retry': String(retry) } : delivery.headers;
    const result = await this.post(delivery.target, headers, delivery.body);
    delivery.attempts.push(result);
    delivery.status = result.status;
    const retryable = result.status === undefined || result.status >= 500 || RETRYABLE.has(result.status);
    if (result.status !== undefined && result.status >= 200 && result.status < 300) {
      delivery.outcome = 'delivered';
    } else if (retryable && retry < this.maxRetries && !this.aborter.signal.aborted) {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        this.track(this.attempt(delivery));
      }, this.delayMs);
      timer.unref();
      this.timers.add(timer);
    } else {
      delivery.outcome = 'failed';
    }
  }

  private post(target: URL, headers: Record<string, string>, body: string): Promise<FakeJiraDeliveryAttempt> {
    return new Promise((resolve) => {
      const req = request(
        target,
        { method: 'POST', headers: { ...headers, 'Content-Length': String(Buffer.byteLength(body)) }, agent: false, timeout: this.timeoutMs, signal: this.aborter.signal },
        (res) => {
          res.resume();
          res.on('end', () => resolve({ status: res.statusCode }));
          res.on('error', (error) => resolve({ status: res.statusCode, error: error.message }));
        },
      );
      req.on('timeout', () => req.destroy(new Error(`timed out after ${this.timeoutMs} ms`)));
      req.on('error', (error) => resolve({ status: undefined, error: error.message }));
      req.end(body);
    });
  }
}
