/**
 * PagerDuty plugin benchmark (issue: end-to-end auto-approval latency). The server and the
 * plugin run in their own processes, the fake PagerDuty and the clients here. One sample is the
 * time from `createAccessRequest` (by a requester on call, whose role names a notify service and
 * two services) to a watcher seeing the request APPROVED: watch event -> plugin -> incident +
 * user/service/on-call lookups in PagerDuty -> review -> event. Requests run one at a time.
 * Printed beside a baseline measured in the same run: a client that approves on the PENDING
 * event with no plugin and no PagerDuty (the server's share: two durable writes, two events).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { writeIdentityFile } from '../core/auth/identity-file.ts';
import { GatehouseClient } from '../core/client/gatehouse-client.ts';
import type { Event__Output } from '../proto/gen/gatehouse/v1/Event.ts';
import { createFakePagerDuty } from '../test/fakes/fake-pagerduty.ts';
import { startServerProcess } from '../test/support/server-process.ts';
import { identityFor } from './bench-identity.ts';
import { ms, sleep, summarize } from './stats.ts';

const REQUESTS = 200;
const WARMUP = 10;
const TARGET_P99_MS = 100;
const KEY = 'bench-pd-key';
const BOT = 'gatehouse-bot@example.com';

const ROLES = `kind: role
version: v4
metadata: {name: oncall}
spec:
  allow:
    request:
      roles: ['prodaccess']
      annotations:
        pagerduty_notify_service: ['Access Notifications']
        pagerduty_services: ['Service 1', 'Service 2']
---
kind: role
version: v4
metadata: {name: prodaccess}
spec: {allow: {logins: ['ec2-user']}}
---
kind: role
version: v4
metadata: {name: baseline}
spec: {allow: {logins: ['nobody']}}
---
kind: role
version: v4
metadata: {name: plain}
spec: {allow: {request: {roles: ['baseline']}}}
`;

export async function runPagerDutyBench(): Promise<Record<string, number | string>> {
  const dir = mkdtempSync(path.join(tmpdir(), 'gatehouse-pd-bench-'));
  const server = await startServerProcess(path.join(dir, 'data'));
  const pd = createFakePagerDuty({
    apiKey: KEY,
    users: [
      { id: 'PUBOT01', name: 'Gatehouse Bot', email: BOT },
      { id: 'PUALICE', name: 'Alice Example', email: 'alice@example.com' },
    ],
    escalationPolicies: [{ id: 'PEP0001', name: 'Policy 1' }, { id: 'PEP0002', name: 'Policy 2' }],
    services: [
      { id: 'PSNOTIF', name: 'Access Notifications' },
      { id: 'PSSVC01', name: 'Service 1', escalationPolicyId: 'PEP0001' },
      { id: 'PSSVC02', name: 'Service 2', escalationPolicyId: 'PEP0002' },
    ],
    onCalls: [{ userId: 'PUALICE', escalationPolicyId: 'PEP0002', escalationLevel: 1 }],
  });
  await pd.start();
  const admin = new GatehouseClient({ addr: server.addr, identity: server.adminIdentity });
  const clients: GatehouseClient[] = [admin];
  let plugin: ReturnType<typeof spawn> | undefined;
  try {
    await admin.applyRoles(ROLES);
    const alice = new GatehouseClient({ addr: server.addr, identity: await identityFor(admin, 'alice@example.com', ['oncall', 'plain']) });
    clients.push(alice);
    const identityPath = path.join(dir, 'plugin.pem');
    await writeIdentityFile(identityPath, await identityFor(admin, 'access-pagerduty', ['access-plugin', 'access-plugin-reviewer']));
    const config = path.join(dir, 'plugin.toml');
    writeFileSync(
      config,
      `[gatehouse]
addr = ${JSON.stringify(server.addr)}
identity = ${JSON.stringify(identityPath)}

[pagerduty]
api_key = ${JSON.stringify(KEY)}
user_email = ${JSON.stringify(BOT)}
api_endpoint = ${JSON.stringify(pd.url())}

[log]
output = "stdout"
severity = "info"
`,
    );
    const child = spawn(process.execPath, [path.resolve('plugins/pagerduty/main.ts'), 'start', '-c', config], { stdio: ['ignore', 'pipe', 'pipe'] });
    plugin = child;
    let out = '';
    let err = '';
    child.stderr?.on('data', (b: Buffer) => (err += b.toString()));
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`plugin not ready: ${err}`)), 30_000);
      child.stdout?.on('data', (b: Buffer) => {
        if (out.length < 1_000_000) out += b.toString();
        if (out.includes('"msg":"plugin is ready"')) {
          clearTimeout(timer);
          resolve();
        }
      });
      child.once('exit', (code) => reject(new Error(`plugin exited with ${code}: ${err}`)));
    });

    // The fake PagerDuty lives in this process: wait for events without spinning the loop.
    const approvedAt = new Map<string, number>();
    const waiters = new Map<string, () => void>();
    const stream = admin.watchEvents({ kinds: ['access_request'] });
    let init = false;
    stream.on('data', (e: Event__Output) => {
      if (e.type === 'INIT') init = true;
      else if (e.type === 'PUT' && e.request?.state === 'APPROVED' && !approvedAt.has(e.name)) {
        approvedAt.set(e.name, performance.now());
        waiters.get(e.name)?.();
      }
    });
    stream.on('error', () => undefined);
    while (!init) await sleep(10);

    const measure = async (n: number, roles: string[]): Promise<number[]> => {
      const samples: number[] = [];
      for (let i = 0; i < WARMUP + n; i++) {
        const t0 = performance.now();
        const r = await alice.createAccessRequest({ roles, reason: `bench ${i}` });
        if (!approvedAt.has(r.id)) {
          await new Promise<void>((resolve, reject) => {
            const timer = setTimeout(() => reject(new Error(`request ${r.id} was not approved within 15 s`)), 15_000);
            waiters.set(r.id, () => {
              clearTimeout(timer);
              resolve();
            });
          });
          waiters.delete(r.id);
        }
        if (i >= WARMUP) samples.push(approvedAt.get(r.id)! - t0);
      }
      return samples;
    };
    // Baseline, same run: a client that approves each `baseline` request the moment its PENDING
    // event arrives (no PagerDuty, no plugin data): the server's own share of the path.
    const reflex = admin.watchEvents({ kinds: ['access_request'] });
    reflex.on('data', (e: Event__Output) => {
      if (e.type === 'PUT' && e.request?.state === 'PENDING' && e.request.roles.includes('baseline') && e.request.reviews.length === 0) {
        void admin.submitAccessReview({ requestId: e.name, proposedState: 'APPROVED', reason: 'reflex' }).catch(() => undefined);
      }
    });
    reflex.on('error', () => undefined);
    await sleep(200);
    const floor = summarize(await measure(REQUESTS, ['baseline']));
    reflex.cancel();
    const samples = await measure(REQUESTS, ['prodaccess']);
    stream.cancel();
    const s = summarize(samples);
    const pdCalls = pd.requests().length;
    const line = `pagerduty auto-approval (create -> APPROVED seen by a watcher, ${s.n} requests, one at a time): p50 ${ms(s.p50)}, p99 ${ms(s.p99)} (target p99 <= ${TARGET_P99_MS} ms: ${s.p99 <= TARGET_P99_MS ? 'met' : 'MISSED'}); ${pdCalls} PagerDuty calls; baseline (a client approving on the PENDING event): p50 ${ms(floor.p50)}, p99 ${ms(floor.p99)}`;
    console.log(line);
    return {
      requests: s.n,
      auto_approval_p50_ms: Number(s.p50.toFixed(2)),
      auto_approval_p99_ms: Number(s.p99.toFixed(2)),
      target_p99_ms: TARGET_P99_MS,
      target_met: s.p99 <= TARGET_P99_MS ? 'yes' : 'no',
      pagerduty_calls: pdCalls,
      baseline_reflex_approval_p50_ms: Number(floor.p50.toFixed(2)),
      baseline_reflex_approval_p99_ms: Number(floor.p99.toFixed(2)),
    };
  } finally {
    if (plugin && plugin.exitCode === null) {
      const p = plugin;
      await new Promise<void>((resolve) => {
        p.once('exit', () => resolve());
        p.kill('SIGTERM');
      });
    }
    for (const c of clients) c.close();
    await pd.stop();
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
