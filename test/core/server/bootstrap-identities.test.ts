import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readIdentityFile } from '../../../core/auth/identity-file.ts';
import { GatehouseClient } from '../../../core/client/gatehouse-client.ts';
import { startTestServer, type TestServer } from '../../support/test-server.ts';

describe('bootstrap identities (the compose stack\'s plugin identity files)', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'gatehouse-bootstrap-'));
  const dataDir = path.join(dir, 'data');
  const out = path.join(dir, 'identities', 'pagerduty.pem');
  const configFile = path.join(dir, 'server.yaml');
  writeFileSync(
    configFile,
    `bootstrap:\n  identities:\n    - {user: pagerduty-plugin, roles: [access-plugin, access-plugin-reviewer], out: ${JSON.stringify(out)}, ttl: 2160h}\n`,
  );
  const running: TestServer[] = [];
  const start = async (): Promise<TestServer> => {
    const t = await startTestServer({ dataDir, configFile });
    running.push(t);
    return t;
  };
  const ping = async (t: TestServer) => {
    const c = new GatehouseClient({ addr: t.addr, identity: await readIdentityFile(out), timeoutMs: 10_000 });
    try {
      return await c.ping();
    } finally {
      c.close();
    }
  };
  afterAll(async () => {
    for (const t of running) await t.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('re-issues the file on start when its user was deleted and created again since', async () => {
    const first = await start();
    expect(await ping(first)).toMatchObject({ user: 'pagerduty-plugin', roles: ['access-plugin', 'access-plugin-reviewer'] });
    const issued = (await readIdentityFile(out)).certPem;

    // An admin deletes the plugin's user and creates it again with the same roles: the file,
    // though fresh and for the right roles, belongs to the earlier user.
    await first.admin.deleteUser('pagerduty-plugin');
    await first.admin.upsertUser({ user: { name: 'pagerduty-plugin', roles: ['access-plugin', 'access-plugin-reviewer'] }, createOnly: true });
    await expect(ping(first)).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
    await first.stop();

    const second = await start();
    expect((await readIdentityFile(out)).certPem).not.toBe(issued);
    expect(await ping(second)).toMatchObject({ user: 'pagerduty-plugin' });
    const renewed = (await readIdentityFile(out)).certPem;
    await second.stop();

    // A file that still belongs to its user is kept.
    const third = await start();
    expect((await readIdentityFile(out)).certPem).toBe(renewed);
    expect(await ping(third)).toMatchObject({ user: 'pagerduty-plugin' });
  });
});
