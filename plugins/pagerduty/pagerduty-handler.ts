import type { Logger } from 'pino';
import type { GatehouseClient } from '../../core/client/gatehouse-client.ts';
import type { PluginHandler } from '../common/plugin-definition.ts';
import { CasConflict, EffectBusy } from '../common/request-plugin-data.ts';
import { autoApprove } from './auto-approval.ts';
import { IncidentSync } from './incident-sync.ts';
import type { OnCallApprover } from './on-call-approver.ts';
import { PagerDutyError, type PagerDutyApi } from './pagerduty-api.ts';
import type { PagerDutyConfig } from './pagerduty-config.ts';

export interface PagerDutyHandlerOptions {
  config: PagerDutyConfig;
  api: PagerDutyApi;
  approver: OnCallApprover;
  client: () => GatehouseClient;
  /** The plugin's own user (the author of its reviews). */
  self: string;
  log: Logger;
  webConsoleUrl: string | undefined;
}

/**
 * The PagerDuty plugin's request handling: on-call auto-approval (auto-approval.ts), then the
 * request's incident (incident-sync.ts); plugin data keys in pagerduty-data.ts. Every PagerDuty
 * write goes through the effect protocol, so events replayed after a restart, the reconcile at
 * start, a second replica and a process killed mid-call never repeat or lose one.
 */
export function createPagerDutyHandler(options: PagerDutyHandlerOptions): PluginHandler {
  const { config, api, approver, log } = options;
  const incidents = new IncidentSync({
    api,
    notifyServiceAnnotation: config.annotations.notifyService,
    findService: (name, signal) => approver.findService(name, signal),
    webConsoleUrl: options.webConsoleUrl,
    log,
  });
  const approval = { approver, client: options.client, self: options.self, log };

  return {
    async onRequest(request, data) {
      const errors: unknown[] = [];
      const step = async (what: string, fn: () => Promise<void>): Promise<void> => {
        try {
          await fn();
        } catch (err) {
          if (err instanceof CasConflict) throw err;
          // A claim held elsewhere is not a failure: the runtime looks again.
          if (!(err instanceof EffectBusy)) {
            log.warn({ requestId: request.id, step: what, status: err instanceof PagerDutyError ? err.status : undefined, err: err instanceof Error ? err.message : String(err) }, 'PagerDuty plugin step failed');
          }
          errors.push(err);
        }
      };
      // Approval first: it is what the requester waits for. The incident is created right after
      // in the same run, before the APPROVED event that follows is handled (one run at a time).
      await step('auto-approval', () => autoApprove(approval, request, data));
      await step('incident', () => incidents.sync(request, data));
      if (errors.length === 1) throw errors[0];
      if (errors.length > 1) throw new AggregateError(errors, errors.map((e) => (e instanceof Error ? e.message : String(e))).join('; '));
    },

    onDeleted(requestId, signal) {
      return incidents.closeDeleted(requestId, signal);
    },
  };
}
