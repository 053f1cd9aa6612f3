/**
 * The images run each component bundled (docker/image/bundle.ts), not the .ts tree the other tests
 * run. These tests build the bundles and run them as the image does, so a package that does not
 * survive bundling fails here, without Docker.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleComponent, componentEntry, PLUGIN_NODE_FLAGS, type ComponentBundle } from '../../docker/image/bundle.ts';
import { createFakeSlack } from '../fakes/fake-slack.ts';
import { createFakeSmtp, SMTP_PASSWORD, SMTP_USER } from '../fakes/fake-smtp.ts';
import { writeEmailPluginConfig } from '../support/email-plugin-config.ts';
import { freePort } from '../support/server-process.ts';
import { startPluginProcess, writeSlackPluginConfig } from '../support/plugin-process.ts';
import { SEED_ROLES_YAML, startTestServer } from '../support/test-server.ts';

const run = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, '../..');
const PLUGINS = ['slack', 'pagerduty', 'jira', 'email'];
/** The section of each plugin's own settings in its sample config. */
const OWN_SECTION: Readonly<Record<string, string>> = { slack: 'slack', pagerduty: 'pagerduty', jira: 'jira', email: 'smtp' };

describe('component bundles', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'gatehouse-bundle-test-'));
  const bundles = new Map<string, ComponentBundle>();

  beforeAll(async () => {
    for (const component of ['server', ...PLUGINS]) bundles.set(component, await bundleComponent(component, path.join(dir, component)));
  }, 120_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const bundle = (component: string): ComponentBundle => {
    const b = bundles.get(component);
    if (!b) throw new Error(`no bundle for ${component}`);
    return b;
  };

  it('the server bundle runs the gatehouse CLI', async () => {
    const { stdout } = await run(process.execPath, [bundle('server').main, 'version'], { cwd: dir });
    expect(stdout).toMatch(/^gatehouse \d+\.\d+\.\d+/);
  });

  it.each(PLUGINS)('the %s bundle prints its sample config, which names its section', async (plugin) => {
    const { stdout } = await run(process.execPath, [...PLUGIN_NODE_FLAGS, bundle(plugin).main, 'configure'], { cwd: dir });
    expect(stdout).toContain(`[${OWN_SECTION[plugin] ?? plugin}]`);
    expect(stdout).toContain('[gatehouse]');
  });

  it('a plugin bundle carries neither the server store nor the proto inline; the proto sits beside it', () => {
    const source = readFileSync(bundle('slack').main, 'utf8');
    expect(source).not.toContain('node:sqlite');
    expect(readFileSync(path.join(dir, 'slack/gatehouse/v1/gatehouse.proto'), 'utf8')).toContain('service AccessService');
  });

  it('the image entry point starts plugins with the same Node flags the benchmark measures', () => {
    const entrypoint = readFileSync(path.join(ROOT, 'docker/image/entrypoint.sh'), 'utf8');
    expect(entrypoint).toContain(`exec node ${PLUGIN_NODE_FLAGS.join(' ')} /app/main.mjs`);
  });

  it('an unknown component is refused with its name', () => {
    expect(() => componentEntry('nope')).toThrow('component "nope": plugins/nope/main.ts does not exist');
    expect(() => componentEntry('../core')).toThrow('component "../core" is not a valid name');
  });

  it('the Slack bundle, started as the image starts it, announces a request and passes its health check', async () => {
    const server = await startTestServer();
    const slack = createFakeSlack({ token: 'xoxb-bundle', channels: [{ id: 'C0BUNDLE1', name: 'access-requests' }] });
    await slack.start();
    const port = await freePort();
    const plugin = startPluginProcess({
      main: bundle('slack').main,
      nodeArgs: PLUGIN_NODE_FLAGS,
      args: [
        'start',
        '-c',
        writeSlackPluginConfig({
          dir: path.join(dir, 'slack'),
          addr: server.addr,
          identity: await server.identityFile('slack-plugin', ['access-plugin']),
          token: 'xoxb-bundle',
          apiUrl: slack.apiUrl(),
          extra: `\n[http]\nlisten_addr = "127.0.0.1:${port}"\n`,
        }),
      ],
    });
    try {
      await server.admin.applyRoles(SEED_ROLES_YAML);
      const alice = await server.userClient('alice', ['sres']);
      await plugin.waitForLog((l) => l.msg === 'plugin is ready', 20_000, 'plugin is ready');
      const request = await alice.createAccessRequest({ roles: ['prodaccess'], reason: 'bundled' });
      const message = await slack.waitFor(() => slack.messages('C0BUNDLE1').find((m) => m.text.includes(request.id)), 10_000, 'the message');
      expect(message.text).toContain('alice');

      const health = await run(process.execPath, [bundle('slack').healthcheck], {
        env: { PATH: process.env['PATH'] ?? '', GATEHOUSE_COMPONENT: 'slack', GATEHOUSE_HEALTH_URL: `http://127.0.0.1:${port}/healthz` },
      });
      expect(health.stdout).toMatch(/^healthy: /);
    } finally {
      await plugin.stop();
      await slack.stop();
      await server.close();
    }
  });

  it('the email bundle, started as the image starts it, emails a request over STARTTLS', async () => {
    const server = await startTestServer();
    const smtp = createFakeSmtp();
    await smtp.start();
    const emailDir = path.join(dir, 'email-run');
    mkdirSync(emailDir, { recursive: true });
    const caFile = path.join(emailDir, 'smtp-ca.pem');
    writeFileSync(caFile, smtp.caPem);
    const plugin = startPluginProcess({
      main: bundle('email').main,
      nodeArgs: PLUGIN_NODE_FLAGS,
      args: [
        'start',
        '-c',
        writeEmailPluginConfig({
          dir: emailDir,
          addr: server.addr,
          identity: await server.identityFile('email-plugin', ['access-plugin']),
          smtp: { port: smtp.port, caFile, username: SMTP_USER, password: SMTP_PASSWORD, starttls: 'mandatory' },
        }),
      ],
    });
    try {
      await server.admin.applyRoles(SEED_ROLES_YAML);
      const alice = await server.userClient('alice', ['sres']);
      await plugin.waitForLog((l) => l.msg === 'plugin is ready', 20_000, 'plugin is ready');
      const request = await alice.createAccessRequest({ roles: ['prodaccess'], reason: 'bundled' });
      const mail = await smtp.waitFor(() => smtp.messages().find((m) => m.subject.includes(request.id)), 10_000, 'the email');
      expect(mail).toMatchObject({ secure: true, contentType: 'multipart/alternative' });
    } finally {
      await plugin.stop();
      await smtp.stop();
      await server.close();
    }
  });
});
