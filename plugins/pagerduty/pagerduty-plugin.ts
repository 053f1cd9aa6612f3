import type { PluginContext, PluginDefinition } from '../common/plugin-definition.ts';
import { checkPagerDuty } from './check-pagerduty.ts';
import { OnCallApprover } from './on-call-approver.ts';
import { PagerDutyApi } from './pagerduty-api.ts';
import { pagerDutySchema, type PagerDutyConfig } from './pagerduty-config.ts';
import { createPagerDutyHandler } from './pagerduty-handler.ts';
import { PAGERDUTY_SAMPLE_CONFIG } from './pagerduty-sample-config.ts';

export const PAGERDUTY_PLUGIN_VERSION = '0.1.0';

export interface PagerDutyPluginOptions {
  /**
   * A service named by a role but missing in PagerDuty fails `check` instead of being logged as
   * a warning. The `check` command sets it; at start a typo in one role must not stop the plugin.
   * @default false
   */
  strictServices?: boolean;
}

function createApi(ctx: PluginContext<PagerDutyConfig>, timeoutMs?: number): PagerDutyApi {
  const { plugin } = ctx.config;
  return new PagerDutyApi({
    apiKey: plugin.apiKey,
    userEmail: plugin.userEmail,
    endpoint: plugin.apiEndpoint,
    log: ctx.log,
    retry: ctx.retry('pagerduty'),
    ...(timeoutMs === undefined ? {} : { timeoutMs }),
  });
}

/**
 * The PagerDuty plugin: an incident per request on the service its annotation names (reviews as
 * notes, resolved with the request), and approval of requests whose requester is on call.
 */
export function createPagerDutyPlugin(options: PagerDutyPluginOptions = {}): PluginDefinition<PagerDutyConfig> {
  return {
    name: 'pagerduty',
    version: PAGERDUTY_PLUGIN_VERSION,
    pluginSchema: pagerDutySchema,
    sampleConfig: PAGERDUTY_SAMPLE_CONFIG,
    // Approving on-call requesters is a review as the plugin itself.
    presets: (config) => (config.autoApprove.enabled ? ['access-plugin', 'access-plugin-reviewer'] : ['access-plugin']),

    check(ctx) {
      return checkPagerDuty({ config: ctx.config.plugin, api: createApi(ctx, 5000), client: ctx.client, log: ctx.log, strictServices: options.strictServices ?? false });
    },

    createHandler(ctx) {
      const { plugin } = ctx.config;
      const log = ctx.log.child({ component: 'pagerduty' });
      const api = createApi(ctx);
      const approver = new OnCallApprover({ config: plugin.autoApprove, servicesAnnotation: plugin.annotations.services, api, client: ctx.client, log, now: ctx.now });
      return createPagerDutyHandler({ config: plugin, api, approver, client: ctx.client, self: ctx.pong.user, log, webConsoleUrl: ctx.config.gatehouse.webConsoleUrl });
    },
  };
}
