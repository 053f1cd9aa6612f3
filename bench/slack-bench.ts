/**
 * Slack plugin benchmark: request-created -> Slack-message-posted latency (p50/p99 over 200
 * requests, one at a time) and the plugin process's idle RSS. Starts a real server, the fake
 * Slack and the real plugin process (`node plugins/slack/main.ts start`).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { WebClient } from '@slack/web-api';
import { createFakeSlack } from '../test/fakes/fake-slack.ts';
import { startPluginProcess, writeSlackPluginConfig } from '../test/support/plugin-process.ts';
import { SEED_ROLES_YAML, startTestServer } from '../test/support/test-server.ts';

const REQUESTS = 200;
const WARMUP = 20;
const TOKEN = 'xoxb-bench-token';

function percentile(sorted: readonly number[], p: number): number {
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i] ?? Number.NaN;
}

/** Linux only: resident set size of a process in MB, from /proc. */
function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)\s+kB/.exec(status)?.[1] ?? Number.NaN);
  return Math.round((kb / 1024) * 10) / 10;
}

async function bareBaseline(
  server: Awaited<ReturnType<typeof startTestServer>>,
  slack: ReturnType<typeof createFakeSlack>,
  alice: Awaited<ReturnType<TestServerType['userClient']>>,
): Promise<{ p50: number; p99: number }> {
  const web = new WebClient(TOKEN, { slackApiUrl: slack.apiUrl() });
  const watcher = await server.userClient('bare-loop', ['access-plugin']);
  const stream = watcher.watchEvents({ states: ['PENDING'] });
  stream.on('data', (e: { type: string; request?: { id: string } | null }) => {
    if (e.type === 'PUT' && e.request) void web.chat.postMessage({ channel: 'C0BASE001', text: `bare ${e.request.id}` });
  });
  stream.on('error', () => undefined);
  await new Promise((r) => setTimeout(r, 500));
  const latencies: number[] = [];
  for (let i = -WARMUP; i < REQUESTS; i++) {
    const t0 = performance.now();
    const request = await alice.createAccessRequest({ roles: ['prodaccess'], reason: `bare ${i}` });
    await slack.waitFor(() => slack.messages('C0BASE001').find((m) => m.text.includes(request.id)), 10_000, `bare message for ${request.id}`);
    if (i >= 0) latencies.push(performance.now() - t0);
  }
  stream.cancel();
  const sorted = latencies.sort((a, b) => a - b);
  return { p50: percentile(sorted, 50), p99: percentile(sorted, 99) };
}

/** RSS of Node 24 running an empty .ts file (type stripping loaded, nothing imported). */
async function idleRssOfBareNode(dir: string): Promise<number> {
  const file = path.join(dir, 'idle.ts');
  writeFileSync(file, 'const keep: number = 1;\nsetInterval(() => keep, 1000);\n');
  const child = spawn(process.execPath, [file], { stdio: 'ignore' });
  await new Promise((r) => setTimeout(r, 1500));
  const rss = rssMb(child.pid ?? 0);
  child.kill('SIGKILL');
  return rss;
}

type TestServerType = Awaited<ReturnType<typeof startTestServer>>;

export async function runSlackBench(): Promise<Record<string, number | string>> {
  const dir = mkdtempSync(path.join(tmpdir(), 'gatehouse-slack-bench-'));
  const server = await startTestServer();
  const slack = createFakeSlack({ token: TOKEN, channels: [{ id: 'C0BENCH01', name: 'access-requests' }, { id: 'C0BASE001', name: 'bare-loop' }] });
  await slack.start();
  const plugin = startPluginProcess({
    args: [
      'start',
      '-c',
      writeSlackPluginConfig({
        dir,
        addr: server.addr,
        identity: await server.identityFile('slack-plugin', ['access-plugin']),
        token: TOKEN,
        apiUrl: slack.apiUrl(),
        // info, not debug: the hot path should not pay for debug logs.
        severity: 'info',
      }),
    ],
  });
  try {
    await server.admin.applyRoles(SEED_ROLES_YAML);
    const alice = await server.userClient('alice', ['sres']);
    await plugin.waitForLog((l) => l.msg === 'plugin is ready', 20_000, 'plugin is ready');
    // Let start-up work (reconcile, JIT warm-up of the first handful) settle before measuring idle RSS.
    await new Promise((r) => setTimeout(r, 2000));
    const idleRss = rssMb(plugin.child.pid ?? 0);

    const latencies: number[] = [];
    // The first requests pay for JIT compilation in both processes; measure steady state.
    for (let i = -WARMUP; i < REQUESTS; i++) {
      const t0 = performance.now();
      const request = await alice.createAccessRequest({ roles: ['prodaccess'], reason: `bench ${i}` });
      await slack.waitFor(() => slack.messages('C0BENCH01').find((m) => m.threadTs === undefined && m.text.includes(request.id)), 10_000, `message for ${request.id}`);
      if (i >= 0) latencies.push(performance.now() - t0);
    }
    // Baseline in the same run: the same requests, the same fake Slack, but a bare loop (a watch
    // stream plus one chat.postMessage per PENDING event, no runtime, no plugin data).
    const baseline = await bareBaseline(server, slack, alice);
    const bareRss = await idleRssOfBareNode(dir);
    const sorted = [...latencies].sort((a, b) => a - b);
    const round = (n: number): number => Math.round(n * 100) / 100;
    const figures = {
      slack_requests: REQUESTS,
      slack_warmup_requests: WARMUP,
      slack_latency_p50_ms: round(percentile(sorted, 50)),
      slack_latency_p99_ms: round(percentile(sorted, 99)),
      slack_latency_max_ms: round(sorted.at(-1) ?? Number.NaN),
      bare_loop_p50_ms: round(baseline.p50),
      bare_loop_p99_ms: round(baseline.p99),
      slack_idle_rss_mb: idleRss,
      bare_node_ts_idle_rss_mb: bareRss,
      slack_rss_after_mb: rssMb(plugin.child.pid ?? 0),
    };
    console.log(
      `slack: created -> posted over ${REQUESTS} requests: p50 ${figures.slack_latency_p50_ms} ms, p99 ${figures.slack_latency_p99_ms} ms (target p99 <= 50 ms) | bare watch+post loop p50 ${figures.bare_loop_p50_ms} ms, p99 ${figures.bare_loop_p99_ms} ms | p99 ratio ${(figures.slack_latency_p99_ms / figures.bare_loop_p99_ms).toFixed(2)}x`,
    );
    console.log(`slack: idle RSS ${idleRss} MB (target <= 60 MB) | an idle node running an empty .ts file: ${bareRss} MB`);
    return figures;
  } finally {
    await plugin.stop();
    await slack.stop();
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.main) {
  console.log(await runSlackBench());
}
