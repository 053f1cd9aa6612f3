import { isApiError, isAuthError, isForbiddenError, isNotFoundError } from 'jira.js';
import type { PluginContext, PluginDefinition } from '../common/plugin-definition.ts';
import { PluginError } from '../common/plugin-error.ts';
import { describeJiraError, JiraApi } from './jira-api.ts';
import { jiraSchema, type JiraConfig } from './jira-config.ts';
import { createJiraHandler } from './jira-handler.ts';
import { IssueSync } from './jira-issue-sync.ts';
import { PLUGIN_NAME } from './jira-plugin-data.ts';
import { JiraReconciler } from './jira-reconciler.ts';
import { JIRA_SAMPLE_CONFIG } from './jira-sample-config.ts';
import { JiraUserMapper } from './jira-user-mapper.ts';
import { createWebhookRoutes } from './jira-webhook.ts';

export const JIRA_PLUGIN_VERSION = '0.1.0';

function createApi(ctx: PluginContext<JiraConfig>, timeoutMs?: number): JiraApi {
  const { plugin } = ctx.config;
  return new JiraApi({ url: plugin.url, email: plugin.username, apiToken: plugin.apiToken, log: ctx.log, retry: ctx.retry('jira'), ...(timeoutMs === undefined ? {} : { timeoutMs }) });
}

/** Runs one check step, turning a Jira error into an operator-facing PluginError. */
async function step<T>(what: string, url: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof PluginError) throw err;
    if (isAuthError(err)) throw new PluginError('service', `Jira at ${url} rejected jira.username/jira.api_token (${describeJiraError(err)}); check the account email and API token`, { cause: err });
    if (isForbiddenError(err)) throw new PluginError('service', `the Jira account may not ${what} (${describeJiraError(err)})`, { cause: err });
    if (isNotFoundError(err) && what === 'read its own profile') throw new PluginError('service', `no Jira REST API at ${url} (${describeJiraError(err)}); check jira.url`, { cause: err });
    if (isNotFoundError(err)) throw new PluginError('service', `cannot ${what}: ${describeJiraError(err)}`, { cause: err });
    const detail = isApiError(err) ? describeJiraError(err) : err instanceof Error ? err.message : String(err);
    throw new PluginError('unreachable', `cannot reach Jira at ${url} to ${what} (${detail})`, { cause: err });
  }
}

/**
 * Checks what the plugin relies on: the credentials (`/myself`), the project, the issue type in
 * it, and the configured status names in that issue type's workflow (the expired one may be
 * missing: expiries are then only commented).
 */
async function checkJira(ctx: PluginContext<JiraConfig>): Promise<string> {
  const { plugin } = ctx.config;
  const api = createApi(ctx, 5000);
  const quick = { retries: 2, maxElapsedMs: 5000 };
  const me = await step('read its own profile', plugin.url, () => api.myself(quick));
  const project = await step(`read project ${plugin.project}`, plugin.url, () => api.project(plugin.project, quick));
  const statuses = await step(`read the statuses of project ${plugin.project}`, plugin.url, () => api.projectStatuses(plugin.project, quick));
  const type = statuses.find((t) => t.name.toLowerCase() === plugin.issueType.toLowerCase());
  if (type === undefined) {
    const known = (project.issueTypes?.map((t) => t.name) ?? statuses.map((t) => t.name)).join(', ');
    throw new PluginError('service', `project ${project.key} has no issue type "${plugin.issueType}" (jira.issue_type; it has: ${known || 'none'})`);
  }
  const names = new Set(type.statuses.map((s) => s.name.toLowerCase()));
  const s = plugin.statuses;
  const missing = [['pending', s.pending], ['approved', s.approved], ['denied', s.denied]].filter(([, name]) => !names.has((name ?? '').toLowerCase()));
  if (missing.length > 0) {
    throw new PluginError(
      'service',
      `the workflow of ${plugin.issueType} in ${project.key} lacks ${missing.map(([k, n]) => `${k} status "${n}"`).join(', ')} (jira.statuses; it has: ${type.statuses.map((x) => x.name).join(', ')})`,
    );
  }
  let note = '';
  if (s.expired === undefined) note = '; no expired status configured: expiries are commented only';
  else if (!names.has(s.expired.toLowerCase())) {
    note = `; no status "${s.expired}" in the workflow: expiries are commented only`;
    ctx.log.warn({ status: s.expired }, 'the expired status does not exist in the workflow; expired requests are only commented');
  }
  return `authenticated as "${me.displayName}" (${me.accountId}) at ${plugin.url}; project ${project.key} "${project.name}", issue type ${type.name}, statuses ${[s.pending, s.approved, s.denied, s.expired].filter((x) => x !== undefined).join('/')} found${note}`;
}

/**
 * The Jira plugin: one issue per request; a permitted person's transition to Approved or Denied
 * becomes their review (submitted on their behalf); outcomes decided elsewhere move the issue.
 */
export const jiraPlugin: PluginDefinition<JiraConfig> = {
  name: PLUGIN_NAME,
  version: JIRA_PLUGIN_VERSION,
  pluginSchema: jiraSchema,
  sampleConfig: JIRA_SAMPLE_CONFIG,
  // A transition is the review of the person who made it, submitted on their behalf.
  presets: () => ['access-plugin', 'access-plugin-delegate'],
  check: checkJira,

  async createHandler(ctx) {
    const { plugin } = ctx.config;
    const log = ctx.log.child({ component: 'jira' });
    const api = createApi(ctx);
    const me = await step('read its own profile', plugin.url, () => api.myself({ retries: 2, maxElapsedMs: 5000 }));
    const mapper = new JiraUserMapper({ mapping: plugin.userMapping, client: ctx.client, now: ctx.now });
    const sync = new IssueSync({
      api,
      client: ctx.client,
      config: plugin,
      botAccountId: me.accountId,
      mapper,
      self: ctx.pong.user,
      log: ctx.log,
      data: ctx.data,
      eventTimeoutMs: ctx.config.runtime.eventTimeoutMs,
      signal: ctx.signal,
    });
    const reconciler = new JiraReconciler({ api, sync, config: plugin, log: ctx.log, now: ctx.now });
    const handler = createJiraHandler({ config: plugin, api, log: ctx.log, self: ctx.pong.user, botAccountId: me.accountId, webConsoleUrl: ctx.config.gatehouse.webConsoleUrl });
    if (ctx.config.http === undefined) {
      log.warn({ reconcileIntervalMs: plugin.reconcileIntervalMs }, 'no [http] section: no webhooks; Jira changes are picked up by the periodic reconcile only');
    } else if (ctx.config.http.basicAuth === undefined && plugin.webhookSecret === undefined) {
      log.warn('the webhook is not authenticated (no [http.basic_auth], no jira.webhook_secret); payloads are never trusted, but anyone can make the plugin re-read issues');
    }
    reconciler.start();
    return {
      ...handler,
      ...(ctx.config.http === undefined ? {} : { routes: createWebhookRoutes({ sync, secret: plugin.webhookSecret, log: ctx.log }) }),
      stop: () => reconciler.stop(),
    };
  },
};
