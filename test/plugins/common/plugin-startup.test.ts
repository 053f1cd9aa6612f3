/**
 * Start-up as an orchestrator sees it (issue 18): a plugin started before the server waits for
 * it with /healthz answering, becomes ready when the server comes, and handles a request made
 * right after; only what a restart cannot fix ends it. `check` names the step that failed.
 * Through the real Slack plugin process, a real server and the fake Slack.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createFakeSlack, type FakeSlack } from '../../fakes/fake-slack.ts';
import { freePort } from '../../support/server-process.ts';
import { runPluginCommand, startPluginProcess, writeSlackPluginConfig, type PluginProcess } from '../../support/plugin-process.ts';
import { SEED_ROLES_YAML, startTestServer, type TestServer } from '../../support/test-server.ts';

const TOKEN = 'xoxb-startup-test';
const CHANNEL = { id: 'C0ACCESS1', name: 'access-requests' };

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const clean of cleanups.splice(0).reverse()) await clean();
});

async function fakeSlack(): Promise<FakeSlack> {
  const slack = createFakeSlack({ token: TOKEN, channels: [CHANNEL] });
  await slack.start();
  cleanups.push(() => slack.stop());
  return slack;
}

/** A server on a fixed port with the seed roles, an identity for the plugin, and a user. */
async function serverOnPort(): Promise<{ server: TestServer; port: number; dataDir: string; identity: string; dir: string }> {
  const dir = mkdtempSync(path.join(tmpdir(), 'gatehouse-startup-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const port = await freePort();
  const dataDir = path.join(dir, 'data');
  const server = await startTestServer({ dataDir, listen: `127.0.0.1:${port}`, enrollListen: '127.0.0.1:0' });
  cleanups.push(() => server.close());
  await server.admin.applyRoles(SEED_ROLES_YAML);
  const identity = await server.identityFile('slack-plugin', ['access-plugin']);
  return { server, port, dataDir, identity, dir };
}

function track(p: PluginProcess): PluginProcess {
  cleanups.push(() => p.kill());
  return p;
}

async function get(url: string): Promise<number> {
  return (await fetch(url)).status;
}

describe('plugin start-up', () => {
  it('waits for a server that is not up yet, with /healthz answering, then handles a request made right after', async () => {
    const slack = await fakeSlack();
    const first = await serverOnPort();
    await first.server.stop();
    const config = writeSlackPluginConfig({ dir: first.dir, addr: `127.0.0.1:${first.port}`, identity: first.identity, token: TOKEN, apiUrl: slack.apiUrl(), extra: '[http]\nlisten_addr = "127.0.0.1:0"\n' });
    const plugin = track(startPluginProcess({ args: ['start', '-c', config] }));
    const listening = await plugin.waitForLog((l) => l.msg === 'HTTP server listening');
    const url = String(listening['url']);
    await plugin.waitForLog((l) => l.msg === 'server not reachable, retrying');
    // Ten seconds without a server: still running, alive, not ready.
    await new Promise((r) => setTimeout(r, 10_000));
    expect(plugin.child.exitCode).toBeNull();
    expect(await get(`${url}/healthz`)).toBe(200);
    expect(await get(`${url}/readyz`)).toBe(503);
    const attempts = plugin.logs.filter((l) => l.msg === 'server not reachable, retrying');
    // Backoff: a line per attempt, and not one per 200 ms.
    expect(attempts.length).toBeGreaterThan(2);
    expect(attempts.length).toBeLessThan(15);

    const server = await startTestServer({ dataDir: first.dataDir, listen: `127.0.0.1:${first.port}`, enrollListen: '127.0.0.1:0' });
    cleanups.push(() => server.close());
    await plugin.waitForLog((l) => l.msg === 'plugin is ready', 30_000, 'ready once the server is up');
    expect(await get(`${url}/readyz`)).toBe(200);
    const alice = await server.userClient('alice', ['sres']);
    const request = await alice.createAccessRequest({ roles: ['prodaccess'], reason: 'server came late' });
    await slack.waitFor(() => slack.messages(CHANNEL.id).find((m) => m.text.includes(request.id)), 15_000, 'the request announced');
    expect((await plugin.stop()).code).toBe(0);
  }, 60_000);

  it('stops at once on SIGTERM while waiting for the server', async () => {
    const slack = await fakeSlack();
    const { server, port, identity, dir } = await serverOnPort();
    await server.stop();
    const plugin = track(startPluginProcess({ args: ['start', '-c', writeSlackPluginConfig({ dir, addr: `127.0.0.1:${port}`, identity, token: TOKEN, apiUrl: slack.apiUrl() })] }));
    await plugin.waitForLog((l) => l.msg === 'server not reachable, retrying');
    const started = Date.now();
    expect(await plugin.stop()).toEqual({ code: 0, signal: null });
    expect(Date.now() - started).toBeLessThan(5000);
    expect(plugin.stderr()).not.toMatch(/unsettled top-level await|\n\s+at /);
  });

  it('waits for an unreachable service too, and starts when it answers', async () => {
    const { server, dir, identity } = await serverOnPort();
    const port = await freePort();
    const config = writeSlackPluginConfig({ dir, addr: server.addr, identity, token: TOKEN, apiUrl: `http://127.0.0.1:${port}/api/` });
    const plugin = track(startPluginProcess({ args: ['start', '-c', config] }));
    await plugin.waitForLog((l) => l.msg === 'service not reachable, retrying', 20_000);
    expect(plugin.child.exitCode).toBeNull();
    // The same plugin.toml with the service reachable: ready.
    const slack = await fakeSlack();
    const reachable = track(startPluginProcess({ args: ['start', '-c', writeSlackPluginConfig({ dir, name: 'reachable.toml', addr: server.addr, identity, token: TOKEN, apiUrl: slack.apiUrl() })] }));
    await reachable.waitForLog((l) => l.msg === 'plugin is ready', 20_000);
  }, 40_000);

  it('exits 1 with one line for what a restart cannot fix: an identity of another cluster, a refused token', async () => {
    const slack = await fakeSlack();
    const ours = await serverOnPort();
    const other = await startTestServer();
    cleanups.push(() => other.close());
    const foreign = track(startPluginProcess({ args: ['start', '-c', writeSlackPluginConfig({ dir: ours.dir, name: 'foreign.toml', addr: other.addr, identity: ours.identity, token: TOKEN, apiUrl: slack.apiUrl() })] }));
    expect((await foreign.exited()).code).toBe(1);
    expect(foreign.stderr()).toMatch(/^gatehouse-slack: identity error: the server at 127\.0\.0\.1:\d+ and identity file .* do not trust each other .*\n$/);

    const refused = track(startPluginProcess({ args: ['start', '-c', writeSlackPluginConfig({ dir: ours.dir, name: 'refused.toml', addr: ours.server.addr, identity: ours.identity, token: 'xoxb-wrong', apiUrl: slack.apiUrl() })] }));
    expect((await refused.exited()).code).toBe(1);
    expect(refused.stderr()).toMatch(/^gatehouse-slack: service error: Slack rejected slack\.token \(invalid_auth\).*\n$/);
  }, 30_000);

  it('check names the step that failed: a stopped server, an unreachable service, a missing preset', async () => {
    const slack = await fakeSlack();
    const { server, dir, identity, port } = await serverOnPort();
    const good = writeSlackPluginConfig({ dir, name: 'good.toml', addr: server.addr, identity, token: TOKEN, apiUrl: slack.apiUrl() });
    const passed = await runPluginCommand(['check', '-c', good]);
    expect(passed.stderr).toBe('');
    expect(passed.stdout.split('\n').filter((l) => l.startsWith('ok')).map((l) => l.split(/\s+/)[1])).toEqual(['config', 'identity:', 'server', 'access:', 'slack:']);

    const closed = await freePort();
    const unreachable = await runPluginCommand(['check', '-c', writeSlackPluginConfig({ dir, name: 'no-slack.toml', addr: server.addr, identity, token: TOKEN, apiUrl: `http://127.0.0.1:${closed}/api/` })]);
    expect(unreachable.code).toBe(1);
    expect(unreachable.stderr).toMatch(/^gatehouse-slack check: slack: unreachable error: cannot reach Slack at .*\n$/);

    const bare = await server.identityFile('bare-plugin', ['requester']);
    const lacking = await runPluginCommand(['check', '-c', writeSlackPluginConfig({ dir, name: 'bare.toml', addr: server.addr, identity: bare, token: TOKEN, apiUrl: slack.apiUrl() })]);
    expect(lacking.code).toBe(1);
    expect(lacking.stderr).toMatch(/^gatehouse-slack check: access: access error: user "bare-plugin" .* lacks the preset access-plugin .*\n$/);

    await server.stop();
    const stopped = await runPluginCommand(['check', '-c', writeSlackPluginConfig({ dir, name: 'stopped.toml', addr: `127.0.0.1:${port}`, identity, token: TOKEN, apiUrl: slack.apiUrl() })]);
    expect(stopped.code).toBe(1);
    expect(stopped.stdout).toMatch(/ok +identity/);
    expect(stopped.stderr).toMatch(/^gatehouse-slack check: server: unreachable error: cannot reach the server at 127\.0\.0\.1:\d+: .*ECONNREFUSED.*\n$/);
  }, 40_000);
});
