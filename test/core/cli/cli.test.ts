import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SEED_ROLES_YAML, startTestServer, type TestServer } from '../../support/test-server.ts';
import { makeRequest } from '../store/store-fixtures.ts';

const run = promisify(execFile);
const CLI = path.resolve('core/cli/main.ts');

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

describe('gatehouse CLI against a real server', { timeout: 120_000 }, () => {
  let t: TestServer;
  let home: string;
  let rolesFile: string;

  async function gh(args: string[], env: Record<string, string> = {}): Promise<Result> {
    try {
      const { stdout, stderr } = await run(process.execPath, [CLI, ...args], {
        env: { PATH: process.env.PATH ?? '', HOME: home, ...env },
        cwd: home,
        timeout: 90_000,
      });
      return { code: 0, stdout, stderr };
    } catch (err) {
      const e = err as { code?: number; stdout?: string; stderr?: string };
      return { code: typeof e.code === 'number' ? e.code : 1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
    }
  }
  const admin = (args: string[]): Promise<Result> => gh([...args, '--addr', t.addr, '--identity', t.adminIdentityPath]);

  beforeAll(async () => {
    t = await startTestServer();
    home = mkdtempSync(path.join(tmpdir(), 'gatehouse-home-'));
    rolesFile = path.join(home, 'roles.yaml');
    writeFileSync(rolesFile, SEED_ROLES_YAML);
  });
  afterAll(async () => {
    await t.close();
    rmSync(home, { recursive: true, force: true });
  });

  it('applies the seed roles unchanged and lists them', async () => {
    const applied = await admin(['roles', 'apply', '-f', rolesFile]);
    expect(applied.stderr).toBe('');
    expect(applied.stdout).toContain('role "sres" applied');
    const ls = await admin(['roles', 'ls', '--format', 'json']);
    const names = (JSON.parse(ls.stdout) as Array<{ name: string }>).map((r) => r.name);
    expect(names).toEqual(expect.arrayContaining(['access-reviewer', 'sres', 'prodaccess', 'admin', 'access-plugin']));
  });

  it('invites a user who logs in with only a CSR, then requests, gets reviewed and assumes access', async () => {
    const added = await admin(['users', 'add', 'alice', '--roles', 'sres', '--format', 'json']);
    expect(added.code).toBe(0);
    const token = (JSON.parse(added.stdout) as { invite_token: string }).invite_token;
    expect(token).toMatch(/^gh1\./);
    const login = await gh(['login', '--addr', t.addr, '--enroll-addr', t.server.enrollAddr, '--token', token]);
    expect(login.stderr).toBe('');
    expect(login.stdout).toContain('Logged in');
    const identity = path.join(home, '.gatehouse', 'gatehouse', 'alice.pem');
    expect(statSync(identity).mode & 0o777).toBe(0o600);
    // The invite is one-time.
    const again = await gh(['login', '--addr', t.addr, '--enroll-addr', t.server.enrollAddr, '--token', token]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/already used/);

    const created = await gh(['request', 'create', '--roles', 'prodaccess', '--reason', 'INC-42', '--format', 'json']);
    expect(created.code).toBe(0);
    const id = (JSON.parse(created.stdout) as { id: string }).id;

    const bobFile = await t.identityFile('bob', ['access-reviewer']);
    const review = await gh(['request', 'review', id, '--approve', '--reason', 'go', '--identity', bobFile, '--addr', t.addr]);
    expect(review.stdout).toContain('Request state: APPROVED');

    const show = await gh(['request', 'show', id]);
    expect(show.stdout).toMatch(/Status:\s+APPROVED/);
    expect(show.stdout).toContain('bob');
    const ls = await gh(['request', 'ls']);
    expect(ls.stdout).toContain(id);

    const out = path.join(home, 'elevated.pem');
    const assume = await gh(['request', 'assume', id, '--out', out]);
    expect(assume.stdout).toContain('prodaccess');
    expect(existsSync(out)).toBe(true);
    const status = await gh(['status', '--identity', out]);
    expect(status.stdout).toMatch(/Roles:\s+prodaccess, sres/);

    const audit = await admin(['audit', 'ls', '--request', id, '--format', 'json']);
    const types = (JSON.parse(audit.stdout) as Array<{ type: string }>).map((e) => e.type);
    expect(types).toEqual(['access_request.create', 'access_request.review', 'cert.create']);
  });

  it('auth sign writes an identity file for a plugin user', async () => {
    await admin(['users', 'add', 'slack-plugin', '--roles', 'access-plugin', '--no-invite']);
    const out = path.join(home, 'slack.pem');
    const signed = await admin(['auth', 'sign', '--user', 'slack-plugin', '--ttl', '2160h', '--out', out]);
    expect(signed.stdout).toContain('slack-plugin');
    const status = await gh(['status', '--identity', out, '--addr', t.addr, '--format', 'json']);
    const ping = JSON.parse(status.stdout) as { user: string; identity_expires: string };
    expect(ping.user).toBe('slack-plugin');
    expect(Date.parse(ping.identity_expires) - Date.now()).toBeGreaterThan(2159 * 3600_000);
  });

  it('lists audit events and requests in a time window, and says when --limit cut the list short', async () => {
    const ids = async (args: string[]): Promise<number[]> => {
      const r = await admin(['audit', 'ls', '--format', 'json', ...args]);
      expect(r.code).toBe(0);
      return (JSON.parse(r.stdout) as Array<{ id: number }>).map((e) => e.id);
    };
    const all = await ids([]);
    expect(all.length).toBeGreaterThan(2);
    expect(await ids(['--since', '1h'])).toEqual(all);
    expect(await ids(['--since', new Date(Date.now() + 60_000).toISOString()])).toEqual([]);
    expect(await ids(['--until', '2000-01-01'])).toEqual([]);
    const cut = await admin(['audit', 'ls', '--limit', '2', '--format', 'json']);
    expect((JSON.parse(cut.stdout) as unknown[]).length).toBe(2);
    expect(cut.stderr).toMatch(/showing the first 2 events; there are more/);
    const recent = await admin(['request', 'ls', '--since', '1h', '--format', 'json']);
    expect((JSON.parse(recent.stdout) as unknown[]).length).toBeGreaterThan(0);
    const future = await admin(['request', 'ls', '--since', new Date(Date.now() + 60_000).toISOString(), '--format', 'json']);
    expect(JSON.parse(future.stdout)).toEqual([]);
    const bad = await admin(['audit', 'ls', '--since', 'yesterday']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--since: expected a duration ago/);
  });

  it('lists the requests that can still change by default, and older ones with --since or --all', async () => {
    const listed = async (args: string[]): Promise<{ ids: string[]; stderr: string }> => {
      const r = await admin(['request', 'ls', '--format', 'json', ...args]);
      expect(r.code).toBe(0);
      return { ids: (JSON.parse(r.stdout) as Array<{ id: string }>).map((x) => x.id), stderr: r.stderr };
    };
    const before = await listed([]);
    expect(before.ids.length).toBeGreaterThan(0);
    expect(before.stderr).toBe('');
    // A request resolved long ago, put straight into the store: its id carries its creation time
    // (August 2025), as every request id does.
    const old = makeRequest(1, { roles: ['prodaccess'], state: 'EXPIRED', createdMs: Date.parse('2025-08-10T00:00:00Z') });
    await t.server.store.createRequest(old, { type: 'access_request.create', actor: 'alice', requestId: old.id, details: {} });

    const recent = await listed([]);
    expect(recent.ids).toEqual(before.ids);
    expect(recent.stderr).toMatch(/showing requests created in the last 15 days; there are older ones: list them with --since WHEN or --all/);
    const all = await listed(['--all']);
    expect(all.ids).toEqual([...before.ids, old.id]);
    expect(all.stderr).toBe('');
    expect((await listed(['--since', '2025-08-01'])).ids).toEqual([...before.ids, old.id]);
    const both = await admin(['request', 'ls', '--all', '--since', '1h']);
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/--since and --all: give one or the other/);
  });

  it('takes global flags before the command as well as after it', async () => {
    const before = await gh(['--addr', t.addr, '--identity', t.adminIdentityPath, '--format=json', 'roles', 'ls']);
    expect(before.stderr).toBe('');
    expect((JSON.parse(before.stdout) as Array<{ name: string }>).map((r) => r.name)).toContain('admin');
    const short = await gh(['-i', t.adminIdentityPath, '--addr', t.addr, 'status']);
    expect(short.stdout).toMatch(/User:\s+admin/);
    const dangling = await gh(['--identity']);
    expect(dangling.code).toBe(2);
    expect(dangling.stderr).toMatch(/--identity needs a value/);
    const unknown = await gh(['--identity', t.adminIdentityPath, 'bogus']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/unknown command "bogus"/);
  });

  it('reports usage errors with exit code 2 and server errors with exit code 1, without stack traces', async () => {
    const noRoles = await admin(['request', 'create', '--reason', 'x']);
    expect(noRoles.code).toBe(2);
    expect(noRoles.stderr).toMatch(/--roles is required/);
    const unknownFlag = await admin(['request', 'ls', '--bogus']);
    expect(unknownFlag.code).toBe(2);
    expect(unknownFlag.stderr).toMatch(/bogus/);
    const both = await admin(['request', 'review', '018f0000-0000-7000-8000-000000000000', '--approve', '--deny']);
    expect(both.code).toBe(2);
    const missing = await admin(['request', 'show', '018f0000-0000-7000-8000-000000000000']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/NOT_FOUND/);
    expect(missing.stderr.trim().split('\n')).toHaveLength(1);
    expect(missing.stderr).not.toMatch(/\n\s+at /);
    const badYaml = path.join(home, 'evil.yaml');
    writeFileSync(badYaml, 'kind: role\nversion: v4\nmetadata: {name: x}\nspec: {allow: {logins: 7}}\n');
    const applied = await admin(['roles', 'apply', '-f', badYaml]);
    expect(applied.code).toBe(1);
    expect(applied.stderr).toMatch(/evil\.yaml.*logins/);
    const help = await gh(['request', '--help']);
    expect(help.stdout).toContain('gatehouse request');
  });
});
