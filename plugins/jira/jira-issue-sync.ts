import type { Logger } from 'pino';
import type { GatehouseClient } from '../../core/client/gatehouse-client.ts';
import { GatehouseError } from '../../core/client/client-error.ts';
import { isSkipped } from '../common/plugin-data-key.ts';
import type { PluginDataStore } from '../common/plugin-data-store.ts';
import { CasConflict, EffectBusy } from '../common/request-plugin-data.ts';
import type { RetryOptions } from '../common/with-retry.ts';
import { isRefusedByJira, type JiraApi } from './jira-api.ts';
import { reviewChange, type SyncOutcome } from './jira-change-review.ts';
import type { JiraConfig } from './jira-config.ts';
import { CHANGE, ISSUE, PLUGIN_NAME } from './jira-plugin-data.ts';
import type { JiraUserMapper } from './jira-user-mapper.ts';

export type { SyncOutcome } from './jira-change-review.ts';

export interface IssueSyncOptions {
  api: JiraApi;
  client: () => GatehouseClient;
  config: JiraConfig;
  /** The plugin's own Jira account: its transitions are never reviews. */
  botAccountId: string;
  mapper: JiraUserMapper;
  /** The plugin's Gatehouse user: the submitter of the reviews it makes. */
  self: string;
  log: Logger;
  /** The process's plugin data (ctx.data): webhooks share the dispatcher's owner id and takeover window. */
  data: PluginDataStore;
  /** How long one sync may take ([runtime] event_timeout, as for a request event); then its calls are aborted. */
  eventTimeoutMs: number;
  /** Aborted when the plugin stops. */
  signal: AbortSignal;
}

/** Times a sync is re-run with fresh reads after losing a plugin-data compare-and-swap. */
const MAX_CONFLICT_RERUNS = 3;

/**
 * Turns a person's status change on an issue into a review on their behalf. The issue is always
 * re-read through the API (a webhook only says "look at issue N"): its label, project and
 * request property must be ours, the request's plugin data must name this very issue, and the
 * newest status change (from the changelog) says who decided. Acting on a status change is one
 * effect on the plugin-data key `change` (the changelog history id once done), so it happens
 * once across replicas, webhook retries and the reconciler; a claim on it held elsewhere makes
 * the outcome `busy` (look again later), never "handled".
 */
export class IssueSync {
  readonly #o: IssueSyncOptions;
  readonly #log: Logger;
  /** One sync per issue at a time in this process (webhook retries and the reconciler overlap). */
  readonly #chains = new Map<string, Promise<unknown>>();

  constructor(options: IssueSyncOptions) {
    this.#o = options;
    this.#log = options.log.child({ component: 'jira-sync' });
  }

  /** Looks at the issue and acts on its newest status change if it is a review to make. */
  sync(issueId: string, source: 'webhook' | 'reconcile', retry?: RetryOptions): Promise<SyncOutcome> {
    const previous = this.#chains.get(issueId) ?? Promise.resolve();
    const run = previous.then(
      () => this.#run(issueId, source, retry),
      () => this.#run(issueId, source, retry),
    );
    this.#chains.set(issueId, run);
    void run.then(
      () => this.#release(issueId, run),
      () => this.#release(issueId, run),
    );
    return run;
  }

  #release(issueId: string, run: Promise<unknown>): void {
    if (this.#chains.get(issueId) === run) this.#chains.delete(issueId);
  }

  /** One sync under its own deadline; a lost compare-and-swap re-runs it with fresh reads. */
  async #run(issueId: string, source: string, budget: RetryOptions | undefined): Promise<SyncOutcome> {
    const signal = AbortSignal.any([this.#o.signal, AbortSignal.timeout(this.#o.eventTimeoutMs)]);
    const retry: RetryOptions = { ...budget, signal };
    for (let run = 0; ; run++) {
      try {
        return await this.#sync(issueId, source, retry);
      } catch (err) {
        if (err instanceof EffectBusy) {
          this.#log.info({ issueId, source, why: err.message }, 'the status change is being handled elsewhere; looking again later');
          return { kind: 'busy', why: err.message };
        }
        if (!(err instanceof CasConflict) || signal.aborted) throw err;
        if (run >= MAX_CONFLICT_RERUNS) return { kind: 'busy', why: err.message };
      }
    }
  }

  async #sync(issueId: string, source: string, retry: RetryOptions): Promise<SyncOutcome> {
    const { api, config } = this.#o;
    const issue = await api.issue(issueId, retry);
    const ignore = (why: string): SyncOutcome => {
      this.#log.debug({ issue: issue.key, source, why }, 'issue change ignored');
      return { kind: 'ignored', why };
    };
    if (!issue.labels.includes(config.label)) return ignore(`no label ${config.label}`);
    if (issue.projectKey !== undefined && issue.projectKey.toUpperCase() !== config.project.toUpperCase()) return ignore(`project ${issue.projectKey}`);
    if (issue.requestId === undefined) return ignore('no request property');
    const status = issue.status.name.toLowerCase();
    const proposed = status === config.statuses.approved.toLowerCase() ? 'APPROVED' : status === config.statuses.denied.toLowerCase() ? 'DENIED' : undefined;
    if (proposed === undefined) return ignore(`status ${issue.status.name}`);
    const change = issue.statusChanges[0];
    if (change === undefined) return ignore('no status change in the changelog');
    if (change.toName.toLowerCase() !== status && (change.toId === undefined || change.toId !== issue.status.id)) {
      this.#log.warn({ issue: issue.key, status: issue.status.name, newest: change.toName }, 'the changelog does not explain the current status; ignoring');
      return ignore('changelog and status disagree');
    }
    if (change.author?.accountId === this.#o.botAccountId) return ignore('changed by the plugin itself');

    const client = this.#o.client();
    const requestId = issue.requestId;
    const author = change.author;
    const absent = (err: unknown): undefined => {
      if (GatehouseError.is(err, 'NOT_FOUND', 'INVALID_ARGUMENT')) return undefined;
      throw err;
    };
    // Independent reads, at once: this is the webhook's critical path.
    const [request, res, mapped] = await Promise.all([
      client.getAccessRequest(requestId).catch(absent),
      client.getPluginData(requestId, PLUGIN_NAME).catch(absent),
      author === undefined ? Promise.resolve(undefined) : this.#o.mapper.map(author),
    ]);
    if (request === undefined || res === undefined) return ignore(`request ${requestId} does not exist`);
    const signal = retry.signal ?? this.#o.signal;
    const data = this.#o.data.open(request.id, res.entries[PLUGIN_NAME]?.data ?? {}, signal);
    const recorded = data.get(ISSUE);
    // The issue was just created and is not recorded yet: look again later.
    if (recorded === undefined && data.pending(ISSUE) !== undefined) return { kind: 'busy', why: `the issue of request ${request.id} is still being recorded` };
    const ref = recorded === undefined || isSkipped(recorded) ? undefined : recorded;
    if (ref === undefined || ref.id !== issue.id) {
      this.#log.warn({ issue: issue.key, requestId: request.id, recorded: ref?.key }, 'issue carries a request id but is not the issue of that request; ignoring');
      return ignore('not the issue recorded for the request');
    }
    if (request.state !== 'PENDING') return ignore(`request is ${request.state}`);
    if (data.pending(CHANGE) === undefined && data.get(CHANGE) === change.historyId) return { kind: 'duplicate', why: 'status change already handled' };

    let outcome: SyncOutcome | undefined;
    await data.effect(
      CHANGE,
      `change:${change.historyId}`,
      async (effectSignal) => {
        outcome = await reviewChange({ api, client, config, self: this.#o.self, botAccountId: this.#o.botAccountId, log: this.#log, issue, request, change, proposed, mapped, retry: { ...retry, signal: effectSignal } });
        return change.historyId;
      },
      // reviewChange checks each step before it acts, so a run left in doubt is simply run again.
      { idempotent: true, notPerformed: isRefusedByJira },
    );
    const result = outcome ?? { kind: 'duplicate', why: 'status change already handled' };
    this.#log.info({ issue: issue.key, requestId: request.id, source, historyId: change.historyId, jiraAccount: author?.accountId, ...result }, 'issue status change handled');
    return result;
  }
}
