import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { GatehouseClient } from '../../../core/client/gatehouse-client.ts';
import type { AccessRequest__Output } from '../../../proto/gen/gatehouse/v1/AccessRequest.ts';
import { createFakePagerDuty, type FakePagerDuty, type FakePagerDutyOptions } from '../../fakes/fake-pagerduty.ts';
import { startPluginProcess, type LogLine, type PluginProcess } from '../../support/plugin-process.ts';
import { SEED_ROLES_YAML, startTestServer, type TestServer } from '../../support/test-server.ts';

export const PD_KEY = 'pd-test-api-key';
export const BOT_EMAIL = 'gatehouse-bot@example.com';
export const PLUGIN_USER = 'access-pagerduty';
export const MAIN = 'plugins/pagerduty/main.ts';

export const PD = {
  bot: { id: 'PUBOT01', name: 'Gatehouse Bot', email: BOT_EMAIL },
  alice: { id: 'PUALICE', name: 'Alice Example', email: 'alice@example.com' },
  bob: { id: 'PUBOB01', name: 'Bob Example', email: 'bob@example.com' },
  carol: { id: 'PUCAROL', name: 'Carol Example', email: 'carol.pd@example.com' },
  policy1: 'PEP0001',
  policy2: 'PEP0002',
  policy3: 'PEP0003',
  notify: 'PSNOTIF',
  service1: 'PSSVC01',
  service2: 'PSSVC02',
  service3: 'PSSVC03',
} as const;

/**
 * Roles: `oncall` requests prodaccess with both annotations (threshold 1); `oncall-2` the same
 * with two approvals needed; `notify-only` only the notify annotation; `ghost-services` names
 * services PagerDuty lacks; `dbaccess` is a second requestable role.
 */
export const PD_ROLES_YAML = `kind: role
version: v4
metadata: {name: oncall}
spec:
  allow:
    request:
      roles: ['prodaccess', 'dbaccess']
      annotations:
        pagerduty_notify_service: ['Access Notifications']
        pagerduty_services: ['Service 1', 'Service 2']
---
kind: role
version: v4
metadata: {name: oncall-2}
spec:
  allow:
    request:
      roles: ['prodaccess']
      thresholds: [{approve: 2, deny: 1}]
      annotations:
        pagerduty_notify_service: ['Access Notifications']
        pagerduty_services: ['Service 1']
---
kind: role
version: v4
metadata: {name: notify-only}
spec:
  allow:
    request:
      roles: ['prodaccess']
      annotations:
        pagerduty_notify_service: ['Access Notifications']
---
kind: role
version: v4
metadata: {name: ghost-services}
spec:
  allow:
    request:
      roles: ['prodaccess']
      annotations:
        pagerduty_notify_service: ['No Such Notifications']
        pagerduty_services: ['No Such Service']
---
kind: role
version: v4
metadata: {name: dbaccess}
spec:
  allow:
    logins: ['postgres']
---
kind: role
version: v4
metadata: {name: no-prod-review}
spec:
  deny:
    review_requests:
      roles: ['prodaccess']
`;

/**
 * `[runtime]` windows short enough for crash tests: an event may take 2 s, and another process's
 * claim is taken over 4 s after it was made.
 */
export const SHORT_RUNTIME = '[runtime]\nevent_timeout = "2s"\nclaim_takeover = "4s"\n';

export function pdSeed(extra: Partial<FakePagerDutyOptions> = {}): FakePagerDutyOptions {
  return {
    apiKey: PD_KEY,
    users: [PD.bot, PD.alice, PD.bob, PD.carol],
    escalationPolicies: [
      { id: PD.policy1, name: 'Policy 1' },
      { id: PD.policy2, name: 'Policy 2' },
      { id: PD.policy3, name: 'Policy 3' },
    ],
    services: [
      { id: PD.notify, name: 'Access Notifications' },
      { id: PD.service1, name: 'Service 1', escalationPolicyId: PD.policy1 },
      { id: PD.service2, name: 'Service 2', escalationPolicyId: PD.policy2 },
      { id: PD.service3, name: 'Service 3', escalationPolicyId: PD.policy3 },
    ],
    ...extra,
  };
}

export interface PdConfigOptions {
  /** TOML lines appended to `[pagerduty]`. */
  pagerduty?: string;
  /** TOML appended at the end (sub-tables such as `[pagerduty.auto_approve]`). */
  extra?: string;
  identity?: string;
  apiKey?: string;
  name?: string;
}

export interface PdHarness {
  server: TestServer;
  pd: FakePagerDuty;
  dir: string;
  /** Requester `alice@example.com` (role oncall): a user name that is an email. */
  alice: GatehouseClient;
  /** A human reviewer of prodaccess. */
  reviewer: GatehouseClient;
  pluginIdentity: string;
  config(options?: PdConfigOptions): string;
  startPlugin(configFile?: string): Promise<PluginProcess>;
  /** Polls the request until `ok`. */
  waitForRequest(id: string, ok: (r: AccessRequest__Output) => boolean, what?: string, timeoutMs?: number): Promise<AccessRequest__Output>;
  pluginData(id: string): Promise<Record<string, string>>;
  waitForPluginData(id: string, ok: (d: Record<string, string>) => boolean, timeoutMs?: number): Promise<Record<string, string>>;
  close(): Promise<void>;
}

/** A line logged for this request, e.g. `skipLine(id)` for the skip of its auto-approval. */
export const forRequest = (id: string, msg: string) => (l: LogLine) => l.msg === msg && l['requestId'] === id;

/** Starts a real server with the roles above, a fake PagerDuty and the plugin's identity. */
export async function startPdHarness(seed: FakePagerDutyOptions = pdSeed()): Promise<PdHarness> {
  const dir = mkdtempSync(path.join(tmpdir(), 'gatehouse-pd-'));
  const server = await startTestServer();
  await server.admin.applyRoles(SEED_ROLES_YAML);
  await server.admin.applyRoles(PD_ROLES_YAML);
  const pd = createFakePagerDuty(seed);
  await pd.start();
  const alice = await server.userClient('alice@example.com', ['oncall']);
  const reviewer = await server.userClient('rita', ['access-reviewer']);
  const pluginIdentity = await server.identityFile(PLUGIN_USER, ['access-plugin', 'access-plugin-reviewer']);
  const processes: PluginProcess[] = [];
  let configs = 0;
  const h: PdHarness = {
    server,
    pd,
    dir,
    alice,
    reviewer,
    pluginIdentity,
    config(o = {}) {
      const file = path.join(dir, o.name ?? `plugin-${++configs}.toml`);
      writeFileSync(
        file,
        `[gatehouse]
addr = ${JSON.stringify(server.addr)}
identity = ${JSON.stringify(o.identity ?? pluginIdentity)}

[pagerduty]
api_key = ${JSON.stringify(o.apiKey ?? PD_KEY)}
user_email = ${JSON.stringify(BOT_EMAIL)}
api_endpoint = ${JSON.stringify(pd.url())}
${o.pagerduty ?? ''}

[log]
output = "stdout"
severity = "debug"
${o.extra ?? ''}
`,
      );
      return file;
    },
    async startPlugin(configFile) {
      const p = startPluginProcess({ main: MAIN, args: ['start', '-c', configFile ?? h.config()] });
      processes.push(p);
      await p.waitForLog((l) => l.msg === 'plugin is ready', 20_000, 'plugin is ready');
      return p;
    },
    async waitForRequest(id, ok, what = 'request condition', timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const r = await server.admin.getAccessRequest(id);
        if (ok(r)) return r;
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify({ state: r.state, reviews: r.reviews })}`);
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
    },
    async pluginData(id) {
      const res = await server.admin.getPluginData(id, 'pagerduty');
      return res.entries['pagerduty']?.data ?? {};
    },
    async waitForPluginData(id, ok, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const data = await h.pluginData(id);
        if (ok(data)) return data;
        if (Date.now() > deadline) throw new Error(`plugin data of ${id} never matched: ${JSON.stringify(data)}`);
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
    },
    async close() {
      await Promise.all(processes.map((p) => p.kill()));
      await pd.stop();
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return h;
}
