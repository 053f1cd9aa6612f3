import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { GatehouseClient } from '../../../core/client/gatehouse-client.ts';
import { createFakeSlack, type FakeSlack, type SlackMessageView } from '../../fakes/fake-slack.ts';
import { startPluginProcess, writeSlackPluginConfig, type PluginProcess } from '../../support/plugin-process.ts';
import { SEED_ROLES_YAML, startTestServer, type TestServer } from '../../support/test-server.ts';

export const TOKEN = 'xoxb-gatehouse-test-token';
export const CHANNEL = { id: 'C0ACCESS1', name: 'access-requests' };
export const ALICE_SLACK = { id: 'U0ALICE01', email: 'alice@example.com', name: 'alice' };
export const LEAD_SLACK = { id: 'U0LEAD001', email: 'lead@example.com', name: 'lead' };

export interface Harness {
  server: TestServer;
  slack: FakeSlack;
  dir: string;
  alice: GatehouseClient;
  bob: GatehouseClient;
  pluginIdentity: string;
  /** Writes a plugin.toml (default recipients: the channel). */
  config(options?: { extra?: string; recipients?: readonly string[]; name?: string; addr?: string | readonly string[]; identity?: string }): string;
  /** Starts a plugin process and waits until it is ready. */
  startPlugin(configFile?: string): Promise<PluginProcess>;
  /** Top-level messages (not thread replies) in the requests channel mentioning this request id. */
  requestMessages(requestId: string): SlackMessageView[];
  /** Thread replies under a message. */
  replies(message: SlackMessageView): SlackMessageView[];
  /** The Slack plugin's data of a request, as stored on the server. */
  pluginData(requestId: string): Promise<Record<string, string>>;
  close(): Promise<void>;
}

/** Text of a message including its blocks, for matching. */
export function messageText(m: SlackMessageView): string {
  return `${m.text}\n${JSON.stringify(m.blocks ?? [])}`;
}

/** Starts a real server (seed roles), a fake Slack, and identities for the plugin and two users. */
export async function startHarness(options: { slackScopes?: readonly string[] } = {}): Promise<Harness> {
  const dir = mkdtempSync(path.join(tmpdir(), 'gatehouse-slack-'));
  const server = await startTestServer();
  await server.admin.applyRoles(SEED_ROLES_YAML);
  const slack = createFakeSlack({ token: TOKEN, users: [ALICE_SLACK, LEAD_SLACK], channels: [CHANNEL], ...(options.slackScopes ? { scopes: options.slackScopes } : {}) });
  await slack.start();
  const alice = await server.userClient('alice', ['sres'], { traits: { email: ['alice@example.com'] } });
  const bob = await server.userClient('bob', ['access-reviewer']);
  const pluginIdentity = await server.identityFile('slack-plugin', ['access-plugin']);
  const processes: PluginProcess[] = [];
  let configs = 0;
  const h: Harness = {
    server,
    slack,
    dir,
    alice,
    bob,
    pluginIdentity,
    config: (o = {}) =>
      writeSlackPluginConfig({
        dir,
        name: o.name ?? `plugin-${++configs}.toml`,
        addr: o.addr ?? server.addr,
        identity: o.identity ?? pluginIdentity,
        token: TOKEN,
        apiUrl: slack.apiUrl(),
        ...(o.recipients ? { recipients: o.recipients } : {}),
        ...(o.extra ? { extra: o.extra } : {}),
      }),
    async startPlugin(configFile) {
      const p = startPluginProcess({ args: ['start', '-c', configFile ?? h.config()] });
      processes.push(p);
      await p.waitForLog((l) => l.msg === 'plugin is ready', 20_000, 'plugin is ready');
      return p;
    },
    requestMessages: (id) => slack.messages(CHANNEL.id).filter((m) => m.threadTs === undefined && messageText(m).includes(id)),
    replies: (message) => slack.messages(message.channel).filter((m) => m.threadTs === message.ts),
    pluginData: async (id) => (await server.admin.getPluginData(id, 'slack')).entries['slack']?.data ?? {},
    async close() {
      await Promise.all(processes.map((p) => p.kill()));
      await slack.stop();
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return h;
}
