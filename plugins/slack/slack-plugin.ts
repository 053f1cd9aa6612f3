import { WebAPIPlatformError } from '@slack/web-api';
import type { PluginDefinition } from '../common/plugin-definition.ts';
import { PluginError } from '../common/plugin-error.ts';
import { SlackApi } from './slack-api.ts';
import { slackSchema, type SlackConfig } from './slack-config.ts';
import { isRetryableSlackError, isSlackRefusal, slackErrorCode } from './slack-errors.ts';
import { createSlackHandler } from './slack-handler.ts';
import { SLACK_SAMPLE_CONFIG } from './slack-sample-config.ts';

export const SLACK_PLUGIN_VERSION = '0.1.0';

/** Scopes the plugin uses to find a message whose post was in doubt (history reads, channel names, DMs). */
const RECOVERY_SCOPES = ['channels:history', 'groups:history', 'im:history', 'channels:read', 'groups:read', 'im:write'];
const TOKEN_ERRORS = ['invalid_auth', 'not_authed', 'token_revoked', 'token_expired', 'account_inactive'];

/** The Slack plugin: one message per recipient, reviews in its thread, the outcome on resolution. */
export const slackPlugin: PluginDefinition<SlackConfig> = {
  name: 'slack',
  version: SLACK_PLUGIN_VERSION,
  pluginSchema: slackSchema,
  sampleConfig: SLACK_SAMPLE_CONFIG,
  presets: () => ['access-plugin'],

  async check(ctx) {
    const { plugin } = ctx.config;
    const api = new SlackApi({ token: plugin.token, apiUrl: plugin.apiUrl, log: ctx.log, retry: ctx.retry('slack'), timeoutMs: 5000, now: ctx.now });
    let who: Awaited<ReturnType<SlackApi['authTest']>>;
    try {
      // One attempt: `start` waits for an unreachable Slack itself, and `check` reports it at once.
      who = await api.authTest(ctx.signal, { retries: 0 });
    } catch (err) {
      const code = slackErrorCode(err);
      if (err instanceof WebAPIPlatformError && TOKEN_ERRORS.includes(code)) {
        throw new PluginError('service', `Slack rejected slack.token (${code}); check the bot token`, { cause: err });
      }
      // Slack answered, and no wait will change its answer (e.g. a 404 from a wrong api_url).
      if (isSlackRefusal(err) && !isRetryableSlackError(err)) {
        throw new PluginError('service', `Slack at ${plugin.apiUrl} refused auth.test (${code}: ${err instanceof Error ? err.message : String(err)})`, { cause: err });
      }
      throw new PluginError('unreachable', `cannot reach Slack at ${plugin.apiUrl} (${code}: ${err instanceof Error ? err.message : String(err)})`, { cause: err });
    }
    const accepted = `token accepted by workspace "${who.team}" (${who.teamId}) as "${who.user}" (${who.userId}) at ${plugin.apiUrl}`;
    if (who.scopes === undefined) return accepted;
    if (!who.scopes.includes('chat:write')) throw new PluginError('service', `slack.token lacks the chat:write scope, so nothing can be posted (it has: ${who.scopes.join(', ') || 'none'})`);
    const missing = RECOVERY_SCOPES.filter((scope) => !who.scopes?.includes(scope));
    if (missing.length === 0) return accepted;
    return `${accepted}; without the scopes ${missing.join(', ')} a post left in doubt by a crash cannot be checked in Slack, and is not repeated`;
  },

  createHandler(ctx) {
    const { plugin } = ctx.config;
    const log = ctx.log.child({ component: 'slack' });
    const api = new SlackApi({ token: plugin.token, apiUrl: plugin.apiUrl, log, retry: ctx.retry('slack'), now: ctx.now });
    return createSlackHandler({ config: plugin, api, client: ctx.client, log, webConsoleUrl: ctx.config.gatehouse.webConsoleUrl, now: ctx.now });
  },
};
