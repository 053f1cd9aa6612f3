import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { GatehouseClient } from '../../../core/client/gatehouse-client.ts';
import type { AccessRequest__Output } from '../../../proto/gen/gatehouse/v1/AccessRequest.ts';
import { createFakeJira, type FakeJira, type FakeJiraCommentSnapshot, type FakeJiraIssueSnapshot } from '../../fakes/fake-jira.ts';
import { startPluginProcess, type PluginProcess } from '../../support/plugin-process.ts';
import { SEED_ROLES_YAML, startTestServer, TWO_APPROVALS_ROLE_YAML, type TestServer } from '../../support/test-server.ts';

export const PROJECT = 'ACC';
export const WEBHOOK_SECRET = 'whsec-gatehouse-test';
export const HOOK_AUTH = { username: 'jira-hook', password: 'hook-pass-123' };
/** Jira accounts. Alice requests; Bob and Dave review; Carol has no review rights; Eve is unknown to Gatehouse. */
export const BOT = { accountId: 'bot-0001', emailAddress: 'jira-bot@example.com', displayName: 'Gatehouse Bot', apiToken: 'bot-api-token' };
export const ALICE = { accountId: 'alice-0001', emailAddress: 'alice@example.com', displayName: 'Alice Requester' };
export const BOB = { accountId: 'bob-0001', emailAddress: 'bob@example.com', displayName: 'Bob Reviewer' };
export const CAROL = { accountId: 'carol-0001', emailAddress: 'carol@example.com', displayName: 'Carol Onlooker' };
/** Hides her email: only [jira.user_mapping] can map her (to the Gatehouse user "dave"). */
export const DAVE = { accountId: 'dave-0001', emailAddress: 'dave.private@example.com', displayName: 'Dave Hidden', hideEmail: true };
export const EVE = { accountId: 'eve-0001', emailAddress: 'eve@elsewhere.example', displayName: 'Eve Stranger' };

export interface JiraHarness {
  server: TestServer;
  jira: FakeJira;
  dir: string;
  /** Requester (role sres, email trait alice@example.com). */
  alice: GatehouseClient;
  /** Reviewer (access-reviewer), mapped from Jira by the email trait Bob@Example.com. */
  bob: GatehouseClient;
  /** A requester whose requests need two approvals. */
  frank: GatehouseClient;
  webhookPort: number;
  /** Every port the fake delivers webhooks to: `webhookPort`, then one per extra replica. */
  webhookPorts: readonly number[];
  /** Writes a plugin.toml; returns its path. */
  config(o?: { reconcileInterval?: string; port?: number; extra?: string; name?: string; http?: boolean; addr?: string }): string;
  /** Starts a plugin process and waits until it is ready (and its first reconcile ran). */
  startPlugin(configFile?: string): Promise<PluginProcess>;
  /** Starts a plugin process without waiting for it (killed by `close`). */
  spawnPlugin(configFile: string): PluginProcess;
  /** Waits until a plugin process is ready and its first reconcile ran. */
  pluginReady(p: PluginProcess): Promise<PluginProcess>;
  issueOf(requestId: string): FakeJiraIssueSnapshot | undefined;
  issuesOf(requestId: string): FakeJiraIssueSnapshot[];
  waitForIssue(requestId: string): Promise<FakeJiraIssueSnapshot>;
  waitForState(requestId: string, state: string, timeoutMs?: number): Promise<AccessRequest__Output>;
  comments(key: string): FakeJiraCommentSnapshot[];
  /** The request's `jira` plugin data as stored on the server. */
  pluginData(requestId: string): Promise<Record<string, string>>;
  close(): Promise<void>;
}

export interface JiraHarnessOptions {
  /** Replicas beyond the first that also get every webhook (on `webhookPorts[1..]`). @default 0 */
  extraReplicas?: number;
}

export async function waitFor<T>(fn: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const address = s.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      s.close(() => resolve(port));
    });
  });
}

function requestIdOf(issue: FakeJiraIssueSnapshot): string | undefined {
  const p = issue.properties['gatehouseAccessRequest'];
  if (typeof p !== 'object' || p === null) return undefined;
  const id = (p as Record<string, unknown>)['requestId'];
  return typeof id === 'string' ? id : undefined;
}

/** A real server (seed roles + a two-approval role), a fake Jira that sends signed webhooks to the plugin's port. */
export async function startJiraHarness(options: JiraHarnessOptions = {}): Promise<JiraHarness> {
  const dir = mkdtempSync(path.join(tmpdir(), 'gatehouse-jira-'));
  const server = await startTestServer();
  await server.admin.applyRoles(SEED_ROLES_YAML);
  await server.admin.applyRoles(TWO_APPROVALS_ROLE_YAML);
  const alice = await server.userClient('alice', ['sres'], { traits: { email: ['alice@example.com'] } });
  const bob = await server.userClient('bob', ['access-reviewer'], { traits: { email: ['Bob@Example.com'] } });
  const frank = await server.userClient('frank', ['two-approvals']);
  await server.userClient('carol@example.com', ['sres']);
  await server.userClient('dave', ['access-reviewer']);
  await server.userClient('zed', ['access-reviewer']);
  const pluginIdentity = await server.identityFile('jira-plugin', ['access-plugin', 'access-plugin-delegate']);
  const webhookPorts: number[] = [];
  for (let i = 0; i <= (options.extraReplicas ?? 0); i++) webhookPorts.push(await freePort());
  const webhookPort = webhookPorts[0] ?? 0;
  const jira = createFakeJira({
    users: [BOT, ALICE, BOB, CAROL, DAVE, EVE],
    projects: [{ key: PROJECT, id: '10000', name: 'Access requests', issueTypes: ['Task', 'Bug'] }],
    webhooks: webhookPorts.map((port) => ({ url: `http://127.0.0.1:${port}/`, secret: WEBHOOK_SECRET, basicAuth: HOOK_AUTH, events: ['jira:issue_updated'] })),
    webhookRetry: { delayMs: 100, maxRetries: 3 },
  });
  await jira.start();
  const processes: PluginProcess[] = [];
  let configs = 0;
  const h: JiraHarness = {
    server,
    jira,
    dir,
    alice,
    bob,
    frank,
    webhookPort,
    webhookPorts,
    config(o = {}) {
      const file = path.join(dir, o.name ?? `jira-${++configs}.toml`);
      const http =
        o.http === false
          ? ''
          : `
[http]
listen_addr = "127.0.0.1:${o.port ?? webhookPort}"
[http.basic_auth]
user = "${HOOK_AUTH.username}"
password = "${HOOK_AUTH.password}"
`;
      writeFileSync(
        file,
        `[gatehouse]
addr = ${JSON.stringify(o.addr ?? server.addr)}
identity = ${JSON.stringify(pluginIdentity)}

[jira]
url = ${JSON.stringify(jira.url)}
username = ${JSON.stringify(BOT.emailAddress)}
api_token = "env:JIRA_TOKEN"
project = "${PROJECT}"
webhook_secret = "${WEBHOOK_SECRET}"
reconcile_interval = "${o.reconcileInterval ?? '1h'}"

[jira.user_mapping]
"${DAVE.accountId}" = "dave"
${http}
[log]
output = "stdout"
severity = "debug"
${o.extra ?? ''}`,
      );
      return file;
    },
    startPlugin: (configFile) => h.pluginReady(h.spawnPlugin(configFile ?? h.config())),
    spawnPlugin(configFile) {
      const p = startPluginProcess({ main: 'plugins/jira/main.ts', args: ['start', '-c', configFile], env: { JIRA_TOKEN: BOT.apiToken } });
      processes.push(p);
      return p;
    },
    async pluginReady(p) {
      // Generous: a plugin takes seconds to boot on a busy machine.
      await p.waitForLog((l) => l.msg === 'plugin is ready', 45_000, 'plugin is ready');
      await p.waitForLog((l) => l.msg === 'reconciled changed Jira issues', 20_000, 'first reconcile');
      return p;
    },
    issuesOf: (id) => jira.issues().filter((i) => requestIdOf(i) === id),
    issueOf: (id) => jira.issues().find((i) => requestIdOf(i) === id),
    waitForIssue: (id) => waitFor(() => h.issueOf(id), 10_000, `issue of ${id}`),
    waitForState: (id, state, timeoutMs = 10_000) =>
      waitFor(async () => {
        const r = await server.admin.getAccessRequest(id);
        return r.state === state ? r : undefined;
      }, timeoutMs, `request ${id} ${state}`),
    comments: (key) => jira.comments(key),
    pluginData: async (id) => (await server.admin.getPluginData(id, 'jira')).entries['jira']?.data ?? {},
    async close() {
      await Promise.all(processes.map((p) => p.kill()));
      await jira.stop();
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return h;
}
