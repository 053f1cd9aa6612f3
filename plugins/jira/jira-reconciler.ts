import type { Logger } from 'pino';
import { describeJiraError, jqlString, type JiraApi } from './jira-api.ts';
import type { JiraConfig } from './jira-config.ts';
import type { IssueSync } from './jira-issue-sync.ts';

export interface JiraReconcilerOptions {
  api: JiraApi;
  sync: IssueSync;
  config: JiraConfig;
  log: Logger;
  now: () => number;
}

/** Pages of search results read per run, at most (100 issues each). */
const MAX_PAGES = 50;

/**
 * Lost webhooks happen: at start and every `reconcile_interval`, searches (enhanced JQL) for
 * this plugin's issues (by label) sitting in the approved or denied status and updated since the
 * last successful run (the first run looks back `reconcile_window`), and syncs each one exactly
 * like a webhook would. Syncing is idempotent, so overlap with webhooks costs reads only.
 */
export class JiraReconciler {
  readonly #o: JiraReconcilerOptions;
  readonly #log: Logger;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;
  #lastSuccess: number | undefined;
  #stopped = false;

  constructor(options: JiraReconcilerOptions) {
    this.#o = options;
    this.#log = options.log.child({ component: 'jira-reconciler' });
  }

  /** Runs once now, then every interval. */
  start(): void {
    this.#schedule(0);
  }

  #schedule(delayMs: number): void {
    if (this.#stopped) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#running = this.runOnce().finally(() => {
        this.#running = undefined;
        this.#schedule(this.#o.config.reconcileIntervalMs);
      });
    }, delayMs);
    this.#timer.unref();
  }

  /** One pass; never throws (problems are logged and the next pass looks back further). */
  async runOnce(): Promise<void> {
    const { api, config, now } = this.#o;
    const started = now();
    const since = this.#lastSuccess ?? started - config.reconcileWindowMs;
    // Relative JQL dates are in minutes; one extra minute covers clock skew with Jira.
    const minutes = Math.ceil((started - since) / 60_000) + 1;
    const s = config.statuses;
    const jql = `project = ${jqlString(config.project)} AND labels = ${jqlString(config.label)} AND status in (${jqlString(s.approved)}, ${jqlString(s.denied)}) AND updated >= "-${minutes}m" ORDER BY updated ASC`;
    let failed = 0;
    let seen = 0;
    const outcomes: Record<string, number> = {};
    try {
      let token: string | undefined;
      for (let page = 0; page < MAX_PAGES && !this.#stopped; page++) {
        const res = await api.searchIds(jql, token);
        for (const id of res.ids) {
          if (this.#stopped) break;
          seen++;
          try {
            const outcome = await this.#o.sync.sync(id, 'reconcile');
            outcomes[outcome.kind] = (outcomes[outcome.kind] ?? 0) + 1;
            // Claimed elsewhere: not done, so the next pass looks back far enough to see it again.
            if (outcome.kind === 'busy') failed++;
          } catch (err) {
            failed++;
            this.#log.warn({ issueId: id, err: describeJiraError(err) }, 'reconciling an issue failed; the next pass retries it');
          }
        }
        token = res.nextPageToken;
        if (token === undefined) break;
      }
    } catch (err) {
      this.#log.warn({ err: describeJiraError(err) }, 'searching Jira for changed issues failed; the next pass looks back further');
      return;
    }
    if (failed === 0 && !this.#stopped) this.#lastSuccess = started;
    this.#log.info({ issues: seen, failed, outcomes, lookbackMinutes: minutes }, 'reconciled changed Jira issues');
  }

  /** Cancels the timer and waits for a pass in progress. Idempotent. */
  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.#running;
  }
}
