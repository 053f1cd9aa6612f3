import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { RouteResponse, WebhookRoute } from '../common/plugin-definition.ts';
import type { Secret } from '../common/secret.ts';
import { describeJiraError } from './jira-api.ts';
import type { IssueSync } from './jira-issue-sync.ts';

export interface JiraWebhookOptions {
  sync: IssueSync;
  /** When set, deliveries must carry a valid `X-Hub-Signature`. */
  secret: Secret | undefined;
  log: Logger;
}

/** Webhook paths: `/` like the Teleport plugin, `/webhook` for clarity. */
export const WEBHOOK_PATHS = ['/', '/webhook'] as const;

/** Only what routing needs; nothing in the payload is trusted beyond "look at this issue". */
const payloadSchema = z.object({
  webhookEvent: z.string(),
  issue: z.object({ id: z.union([z.string(), z.number()]).transform(String) }).optional(),
  changelog: z.object({ items: z.array(z.object({ field: z.string().optional(), fieldId: z.string().optional() })).default([]) }).optional(),
});

/** Whether `header` is `sha256=<hex HMAC-SHA256 of body>` under `secret`, compared in constant time. */
export function verifySignature(header: string | undefined, body: Buffer, secret: string): boolean {
  if (header === undefined || !header.startsWith('sha256=')) return false;
  const given = Buffer.from(header.slice('sha256='.length).trim().toLowerCase(), 'utf8');
  const wanted = Buffer.from(createHmac('sha256', secret).update(body).digest('hex'), 'utf8');
  return given.length === wanted.length && timingSafeEqual(given, wanted);
}

/** Webhook deliveries get a short retry budget: Jira retries failed deliveries, and the reconciler backs both. */
const WEBHOOK_RETRY = { retries: 2, maxElapsedMs: 5000 };

/**
 * The `jira:issue_updated` webhook: authenticated (basic auth by the runtime's HTTP server, and
 * the HMAC signature here when a secret is configured), then the issue is re-read through the
 * API and synced. 200 when handled or ignored, 401 for a bad signature, 400 for a malformed
 * payload, 503 when Jira or Gatehouse failed, or when the change is being handled by another
 * replica (busy): Jira redelivers, and the reconciler, which counts a busy issue as not done,
 * looks at it again on its next pass.
 */
export function createWebhookRoutes(options: JiraWebhookOptions): WebhookRoute[] {
  const log = options.log.child({ component: 'jira-webhook' });
  const handle = async (headers: Readonly<Record<string, string | string[] | undefined>>, body: Buffer): Promise<RouteResponse> => {
    const delivery = String(headers['x-atlassian-webhook-identifier'] ?? '');
    if (options.secret !== undefined) {
      const signature = headers['x-hub-signature'];
      if (!verifySignature(typeof signature === 'string' ? signature : undefined, body, options.secret.reveal())) {
        log.warn({ delivery }, 'webhook rejected: missing or bad X-Hub-Signature');
        return { status: 401, body: { error: 'bad signature' } };
      }
    }
    let json: unknown;
    try {
      json = JSON.parse(body.toString('utf8'));
    } catch {
      return { status: 400, body: { error: 'invalid JSON' } };
    }
    const parsed = payloadSchema.safeParse(json);
    if (!parsed.success) return { status: 400, body: { error: 'not a Jira webhook payload' } };
    const payload = parsed.data;
    if (payload.webhookEvent !== 'jira:issue_updated') return { status: 200, body: { ignored: payload.webhookEvent } };
    if (payload.changelog !== undefined && !payload.changelog.items.some((i) => i.field === 'status' || i.fieldId === 'status')) {
      return { status: 200, body: { ignored: 'no status change' } };
    }
    const issueId = payload.issue?.id;
    if (issueId === undefined || !/^\d{1,20}$/.test(issueId)) return { status: 400, body: { error: 'no issue id' } };
    try {
      const outcome = await options.sync.sync(issueId, 'webhook', WEBHOOK_RETRY);
      if (outcome.kind === 'busy') {
        log.info({ delivery, issueId, why: outcome.why }, 'webhook not handled yet: the change is claimed elsewhere; Jira will redeliver');
        return { status: 503, body: { error: 'busy, retry later' } };
      }
      log.debug({ delivery, issueId, outcome }, 'webhook handled');
      return { status: 200, body: { outcome: outcome.kind } };
    } catch (err) {
      log.warn({ delivery, issueId, err: describeJiraError(err) }, 'webhook handling failed; Jira will redeliver and the reconciler backs it up');
      return { status: 503, body: { error: 'temporarily unavailable' } };
    }
  };
  return WEBHOOK_PATHS.map((path) => ({ method: 'POST' as const, path, handle: (req, body) => handle(req.headers, body) }));
}
