/**
 * Jira plugin benchmark: the latency from a person's transition in (fake) Jira to the request
 * being APPROVED, over 100 requests. The server runs in its own process, the plugin in its own
 * (`node plugins/jira/main.ts start`), the fake Jira Cloud here; the fake delivers the signed
 * webhook, the plugin re-reads the issue, maps the person and submits the review on their behalf.
 * The APPROVED moment is when an admin watch stream sees it.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { writeIdentityFile } from '../core/auth/identity-file.ts';
import { GatehouseClient } from '../core/client/gatehouse-client.ts';
import type { Event__Output } from '../proto/gen/gatehouse/v1/Event.ts';
import { createFakeJira } from '../test/fakes/fake-jira.ts';
import { SEED_ROLES_YAML } from '../test/support/test-server.ts';
import { freePort, startServerProcess } from '../test/support/server-process.ts';
import { identityFor } from './bench-identity.ts';
import { ms, sleep, summarize } from './stats.ts';

const REQUESTS = 100;
const WARMUP = 5;
const SECRET = 'bench-webhook-secret';
const BOT = { accountId: 'bot-1', emailAddress: 'jira-bot@example.com', displayName: 'Gatehouse Bot', apiToken: 'bench-token' };
const BOB = { accountId: 'bob-1', emailAddress: 'bob@example.com', displayName: 'Bob' };

async function until<T>(fn: () => T | undefined | Promise<T | undefined>, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`jira bench: timed out waiting for ${what}`);
    await sleep(2);
  }
}

export async function runJiraBench(): Promise<Record<string, number | string>> {
  const dir = mkdtempSync(path.join(tmpdir(), 'gatehouse-jira-bench-'));
  const server = await startServerProcess(path.join(dir, 'server'));
  const admin = new GatehouseClient({ addr: server.addr, identity: server.adminIdentity });
  const cleanup: Array<() => Promise<void> | void> = [() => server.stop(), () => admin.close(), () => rmSync(dir, { recursive: true, force: true })];
  try {
    await admin.applyRoles(SEED_ROLES_YAML);
    await identityFor(admin, 'bob', ['access-reviewer'], { email: [BOB.emailAddress] });
    const alice = new GatehouseClient({ addr: server.addr, identity: await identityFor(admin, 'alice', ['sres']) });
    cleanup.unshift(() => alice.close());
    const identityPath = path.join(dir, 'jira-plugin.pem');
    await writeIdentityFile(identityPath, await identityFor(admin, 'jira-plugin', ['access-plugin', 'access-plugin-delegate']));

    const port = await freePort();
    const jira = createFakeJira({
      users: [BOT, BOB],
      projects: [{ key: 'ACC', id: '10000', name: 'Access', issueTypes: ['Task'] }],
      webhooks: [{ url: `http://127.0.0.1:${port}/`, secret: SECRET, events: ['jira:issue_updated'] }],
    });
    await jira.start();
    cleanup.unshift(() => jira.stop());
    const config = path.join(dir, 'jira.toml');
    writeFileSync(
      config,
      `[gatehouse]\naddr = "${server.addr}"\nidentity = ${JSON.stringify(identityPath)}\n\n[jira]\nurl = "${jira.url}"\nusername = "${BOT.emailAddress}"\napi_token = "${BOT.apiToken}"\nproject = "ACC"\nwebhook_secret = "${SECRET}"\nreconcile_interval = "1h"\n\n[http]\nlisten_addr = "127.0.0.1:${port}"\n\n[log]\noutput = "stderr"\nseverity = "warn"\n`,
    );
    const plugin = spawn(process.execPath, [path.resolve('plugins/jira/main.ts'), 'start', '-c', config], { stdio: ['ignore', 'ignore', 'inherit'] });
    cleanup.unshift(
      () =>
        new Promise<void>((resolve) => {
          if (plugin.exitCode !== null) return resolve();
          plugin.once('exit', () => resolve());
          plugin.kill('SIGTERM');
        }),
    );
    await until(async () => ((await fetch(`http://127.0.0.1:${port}/readyz`).then((r) => r.status, () => 0)) === 200 ? true : undefined), 30_000, 'plugin ready');

    const approvedAt = new Map<string, number>();
    const stream = admin.watchEvents({});
    stream.on('data', (e: Event__Output) => {
      if (e.request?.state === 'APPROVED' && !approvedAt.has(e.request.id)) approvedAt.set(e.request.id, performance.now());
    });
    stream.on('error', () => undefined);
    cleanup.unshift(() => stream.cancel());

    const samples: number[] = [];
    for (let i = 0; i < WARMUP + REQUESTS; i++) {
      const request = await alice.createAccessRequest({ roles: ['prodaccess'], reason: `bench ${i}` });
      const key = await until(() => jira.issues().find((x) => JSON.stringify(x.properties).includes(request.id))?.key, 10_000, `issue of request ${i}`);
      await until(async () => ((await admin.getPluginData(request.id, 'jira')).entries['jira']?.data['issue']?.startsWith('{') === true ? true : undefined), 10_000, 'issue recorded');
      const started = performance.now();
      jira.transitionAs(BOB.accountId, key, 'Approved', 'Reason: bench');
      const done = await until(() => approvedAt.get(request.id), 10_000, `approval of request ${i}`);
      if (i >= WARMUP) samples.push(done - started);
    }
    const s = summarize(samples);
    console.log(`jira: transition-webhook -> APPROVED over ${s.n} requests: p50 ${ms(s.p50)}, p99 ${ms(s.p99)} (target p99 <= 100 ms)`);
    return { transition_to_approved_p50_ms: Number(s.p50.toFixed(2)), transition_to_approved_p99_ms: Number(s.p99.toFixed(2)), requests: s.n, target_p99_ms: 100 };
  } finally {
    for (const step of cleanup) await step();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await runJiraBench();
  process.exit(0);
}
