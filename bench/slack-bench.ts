/**
 * Slack plugin benchmark: request-created -> Slack-message-posted latency (p50/p99 over 200
 * requests, one at a time) and the plugin process's idle RSS. Starts a real server, the fake
 * Slack and the real plugin process as the image runs it: the bundle of docker/image/bundle.ts
 * with PLUGIN_NODE_FLAGS. Beside it, in the same run: the plugin run from its .ts files (as in
 * development), the least a Node process needs for the same job (bench/bare-slack-loop.ts, bundled
 * and started the same way) and an empty Node process.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { bundleComponent, bundleEntry, PLUGIN_NODE_FLAGS } from '../docker/image/bundle.ts';
import { createFakeSlack } from '../test/fakes/fake-slack.ts';
import { type LogLine, type PluginProcess, startPluginProcess, writeSlackPluginConfig } from '../test/support/plugin-process.ts';
import { SEED_ROLES_YAML, startTestServer } from '../test/support/test-server.ts';

const REQUESTS = 200;
const WARMUP = 20;
const TOKEN = 'xoxb-bench-token';

function percentile(sorted: readonly number[], p: number): number {
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i] ?? Number.NaN;
}

/** Linux only: a /proc/PID/status field (VmRSS, RssAnon, ...) in MB. */
function statusMb(pid: number, field: 'VmRSS' | 'RssAnon'): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(new RegExp(`${field}:\\s+(\\d+)\\s+kB`).exec(status)?.[1] ?? Number.NaN);
  return Math.round((kb / 1024) * 10) / 10;
}

/** Resident set size in MB, and the private (anonymous) part of it. */
interface Rss {
  rss: number;
  anon: number;
}

function rssOf(pid: number): Rss {
  return { rss: statusMb(pid, 'VmRSS'), anon: statusMb(pid, 'RssAnon') };
}

const formatRss = (r: Rss): string => `${r.rss} MB (private ${r.anon} MB)`;

/** Lets start-up work (reconcile, JIT warm-up) settle, then reads the process's RSS. */
async function idleRss(pid: number | undefined): Promise<Rss> {
  await new Promise((r) => setTimeout(r, 2000));
  return rssOf(pid ?? 0);
}

/** RSS of Node 24 running an empty JavaScript file with the plugin's flags. */
async function idleRssOfEmptyNode(dir: string): Promise<Rss> {
  const file = path.join(dir, 'idle.mjs');
  writeFileSync(file, 'setInterval(() => undefined, 1000);\n');
  const child = spawn(process.execPath, [...PLUGIN_NODE_FLAGS, file], { stdio: 'ignore' });
  const rss = await idleRss(child.pid);
  child.kill('SIGKILL');
  return rss;
}

type Alice = Awaited<ReturnType<Awaited<ReturnType<typeof startTestServer>>['userClient']>>;

/** Created -> posted latency (ms) of whichever process posts PENDING requests into `channel`. */
async function latencies(alice: Alice, slack: ReturnType<typeof createFakeSlack>, channel: string): Promise<number[]> {
  const measured: number[] = [];
  // The first requests pay for JIT compilation; measure steady state.
  for (let i = -WARMUP; i < REQUESTS; i++) {
    const t0 = performance.now();
    const request = await alice.createAccessRequest({ roles: ['prodaccess'], reason: `bench ${channel} ${i}` });
    await slack.waitFor(() => slack.messages(channel).find((m) => m.threadTs === undefined && m.text.includes(request.id)), 10_000, `message for ${request.id} in ${channel}`);
    if (i >= 0) measured.push(performance.now() - t0);
  }
  return measured.sort((x, y) => x - y);
}

export async function runSlackBench(): Promise<Record<string, number | string>> {
  const dir = mkdtempSync(path.join(tmpdir(), 'gatehouse-slack-bench-'));
  const bundleDir = path.join(dir, 'bundle');
  const { main } = await bundleComponent('slack', bundleDir);
  const bareMain = path.join(bundleDir, 'bare-slack-loop.mjs');
  await bundleEntry(path.join(import.meta.dirname, 'bare-slack-loop.ts'), bareMain);
  const server = await startTestServer();
  const slack = createFakeSlack({ token: TOKEN, channels: [{ id: 'C0BENCH01', name: 'access-requests' }, { id: 'C0BASE001', name: 'bare-loop' }] });
  await slack.start();
  const processes: PluginProcess[] = [];
  const start = (entry: string, nodeArgs: readonly string[], args: readonly string[]): PluginProcess => {
    const child = startPluginProcess({ main: entry, nodeArgs, args });
    processes.push(child);
    return child;
  };
  try {
    await server.admin.applyRoles(SEED_ROLES_YAML);
    const alice = await server.userClient('alice', ['sres']);
    const config = writeSlackPluginConfig({
      dir,
      addr: server.addr,
      identity: await server.identityFile('slack-plugin', ['access-plugin']),
      token: TOKEN,
      apiUrl: slack.apiUrl(),
      // info, not debug: the hot path should not pay for debug logs.
      severity: 'info',
    });
    const ready = (l: LogLine): boolean => l.msg === 'plugin is ready';

    // The plugin run from its .ts files, as in development: idle RSS only.
    const dev = start('plugins/slack/main.ts', [], ['start', '-c', config]);
    await dev.waitForLog(ready, 20_000, 'plugin (.ts) is ready');
    const devRss = await idleRss(dev.child.pid);
    await dev.stop();

    // The plugin as the image runs it.
    const plugin = start(main, PLUGIN_NODE_FLAGS, ['start', '-c', config]);
    await plugin.waitForLog(ready, 20_000, 'plugin (bundle) is ready');
    const shippedRss = await idleRss(plugin.child.pid);
    const sorted = await latencies(alice, slack, 'C0BENCH01');
    const afterRss = await idleRss(plugin.child.pid);
    await plugin.stop();

    // Baseline in the same run, started the same way: a bare watch stream plus one
    // chat.postMessage per PENDING event, no runtime, no plugin data.
    const bare = start(bareMain, PLUGIN_NODE_FLAGS, [server.addr, await server.identityFile('bare-loop', ['access-plugin']), slack.apiUrl(), TOKEN, 'C0BASE001']);
    await bare.waitForLog((l) => l.msg === 'watching', 20_000, 'bare loop is watching');
    const bareRss = await idleRss(bare.child.pid);
    const bareSorted = await latencies(alice, slack, 'C0BASE001');
    const bareAfterRss = await idleRss(bare.child.pid);
    await bare.stop();
    const emptyRss = await idleRssOfEmptyNode(dir);

    const round = (n: number): number => Math.round(n * 100) / 100;
    const figures = {
      slack_requests: REQUESTS,
      slack_warmup_requests: WARMUP,
      slack_latency_p50_ms: round(percentile(sorted, 50)),
      slack_latency_p99_ms: round(percentile(sorted, 99)),
      slack_latency_max_ms: round(sorted.at(-1) ?? Number.NaN),
      bare_loop_p50_ms: round(percentile(bareSorted, 50)),
      bare_loop_p99_ms: round(percentile(bareSorted, 99)),
      slack_idle_rss_mb: shippedRss.rss,
      slack_idle_private_mb: shippedRss.anon,
      slack_rss_after_mb: afterRss.rss,
      slack_ts_idle_rss_mb: devRss.rss,
      bare_loop_idle_rss_mb: bareRss.rss,
      bare_loop_idle_private_mb: bareRss.anon,
      bare_loop_rss_after_mb: bareAfterRss.rss,
      empty_node_idle_rss_mb: emptyRss.rss,
    };
    console.log(
      `slack: created -> posted over ${REQUESTS} requests: p50 ${figures.slack_latency_p50_ms} ms, p99 ${figures.slack_latency_p99_ms} ms (target p99 <= 50 ms) | bare watch+post loop p50 ${figures.bare_loop_p50_ms} ms, p99 ${figures.bare_loop_p99_ms} ms | p99 ratio ${(figures.slack_latency_p99_ms / figures.bare_loop_p99_ms).toFixed(2)}x`,
    );
    console.log(
      `slack: idle RSS as shipped (bundle, ${PLUGIN_NODE_FLAGS.join(' ')}) ${formatRss(shippedRss)} (target <= 60 MB), idle after ${REQUESTS + WARMUP} requests ${formatRss(afterRss)} | from .ts ${formatRss(devRss)} | bare watch+post loop, bundled alike ${formatRss(bareRss)}, after its requests ${formatRss(bareAfterRss)} | empty node ${formatRss(emptyRss)}`,
    );
    return figures;
  } finally {
    await Promise.all(processes.map((p) => p.stop()));
    await slack.stop();
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.main) {
  console.log(await runSlackBench());
}
