import { WebAPIPlatformError } from '@slack/web-api';
import type { PluginDefinition } from '../common/plugin-definition.ts';
import { PluginError } from '../common/plugin-error.ts';
import { SlackApi } from './slack-api.ts';
import { slackErrorCode } from './slack-errors.ts';
import { slackSchema, type SlackConfig } from './slack-config.ts';
import { createSlackHandler } from './slack-handler.ts';
import { SLACK_SAMPLE_CONFIG } from './slack-sample-config.ts';

export const SLACK_PLUGIN_VERSION = '0.1.0';

/** Scopes the plugin uses to find a message whose post was in doubt (history reads, channel names, DMs). */
const RECOVERY_SCOPES = ['channels:history', 'groups:history', 'im:history', 'channels:read', 'groups:read', 'im:write'];

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
    try {
      const who = await api.authTest(ctx.signal, { retries: 2, maxElapsedMs: 5000 });
      const accepted = `token accepted by workspace "${who.team}" (${who.teamId}) as "${who.user}" (${who.userId}) at ${plugin.apiUrl}`;
      if (who.scopes === undefined) return accepted;
      if (!who.scopes.includes('chat:write')) throw new PluginError('service', `slack.token lacks the chat:write scope, so nothing can be posted (it has: ${who.scopes.join(', ') || 'none'})`);
      const missing = RECOVERY_SCOPES.filter((scope) => !who.scopes?.includes(scope));
      if (missing.length === 0) return accepted;
      return `${accepted}; without the scopes ${missing.join(', ')} a post left in doubt by a crash cannot be checked in Slack, and is not repeated`;
    } catch (err) {
      if (err instanceof PluginError) throw err;
      const code = slackErrorCode(err);
      if (err instanceof WebAPIPlatformError && ['invalid_auth', 'not_authed', 'token_revoked', 'token_expired', 'account_inactive'].includes(code)) {
        throw new PluginError('service', `Slack rejected slack.token (${code}); check the bot token`, { cause: err });
      }
      throw new PluginError('unreachable', `cannot reach Slack at ${plugin.apiUrl} (${code}: ${err instanceof Error ? err.message : String(err)})`, { cause: err });
    }
  },

  createHandler(ctx) {
    const { plugin } = ctx.config;
    const log = ctx.log.child({ component: 'slack' });
    const api = new SlackApi({ token: plugin.token, apiUrl: plugin.apiUrl, log, retry: ctx.retry('slack'), now: ctx.now });
    return createSlackHandler({ config: plugin, api, client: ctx.client, log, webConsoleUrl: ctx.config.gatehouse.webConsoleUrl, now: ctx.now });
  },
};
