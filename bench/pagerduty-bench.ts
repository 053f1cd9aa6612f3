/**
 * PagerDuty plugin benchmark (issue: end-to-end auto-approval latency). The server and the
 * plugin run in their own processes, the fake PagerDuty and the clients here. One sample is the
 * time from `createAccessRequest` (by a requester on call, whose role names a notify service and
 * two services) to a watcher seeing the request APPROVED: watch event -> plugin -> incident +
 * user/service/on-call lookups in PagerDuty -> review -> event. Requests run one at a time.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { createKeyAndCsr } from '../core/auth/csr.ts';
import { writeIdentityFile } from '../core/auth/identity-file.ts';
import { GatehouseClient, type ClientIdentity } from '../core/client/gatehouse-client.ts';
import type { Event__Output } from '../proto/gen/gatehouse/v1/Event.ts';
import { createFakePagerDuty } from '../test/fakes/fake-pagerduty.ts';
import { startServerProcess } from '../test/support/server-process.ts';
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
`;

async function identityFor(admin: GatehouseClient, user: string, roles: string[]): Promise<ClientIdentity> {
  await admin.upsertUser({ user: { name: user, roles } });
  const { keyPem, csrPem } = await createKeyAndCsr(user);
  const certs = await admin.generateUserCerts({ csrPem, user, ttlMs: 6 * 3600_000 });
  return { keyPem, certPem: certs.certPem, caPems: certs.caPems };
}

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
    const alice = new GatehouseClient({ addr: server.addr, identity: await identityFor(admin, 'alice@example.com', ['oncall']) });
    clients.push(alice);
    const identityPath = path.join(dir, 'plugin.pem');
    await writeIdentityFile(identityPath, await identityFor(admin, 'access-pagerduty', ['access-plugin']));
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

    const approvedAt = new Map<string, number>();
    const stream = admin.watchEvents({ kinds: ['access_request'] });
    let init = false;
    stream.on('data', (e: Event__Output) => {
      if (e.type === 'INIT') init = true;
      else if (e.type === 'PUT' && e.request?.state === 'APPROVED' && !approvedAt.has(e.name)) approvedAt.set(e.name, performance.now());
    });
    stream.on('error', () => undefined);
    while (!init) await sleep(10);

    const samples: number[] = [];
    for (let i = 0; i < WARMUP + REQUESTS; i++) {
      const t0 = performance.now();
      const r = await alice.createAccessRequest({ roles: ['prodaccess'], reason: `bench ${i}` });
      const deadline = Date.now() + 15_000;
      while (!approvedAt.has(r.id)) {
        if (Date.now() > deadline) throw new Error(`request ${r.id} was not approved within 15 s`);
        await new Promise((resolve) => setImmediate(resolve));
      }
      if (i >= WARMUP) samples.push(approvedAt.get(r.id)! - t0);
    }
    stream.cancel();
    const s = summarize(samples);
    const pdCalls = pd.requests().length;
    const line = `pagerduty auto-approval (create -> APPROVED seen by a watcher, ${s.n} requests, one at a time): p50 ${ms(s.p50)}, p99 ${ms(s.p99)} (target p99 <= ${TARGET_P99_MS} ms: ${s.p99 <= TARGET_P99_MS ? 'met' : 'MISSED'}); ${pdCalls} PagerDuty calls`;
    console.log(line);
    return {
      requests: s.n,
      auto_approval_p50_ms: Number(s.p50.toFixed(2)),
      auto_approval_p99_ms: Number(s.p99.toFixed(2)),
      target_p99_ms: TARGET_P99_MS,
      target_met: s.p99 <= TARGET_P99_MS ? 'yes' : 'no',
      pagerduty_calls: pdCalls,
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
