import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SEED_ROLES_YAML, startTestServer, type TestServer } from '../../support/test-server.ts';
import { runGatehouse, type CliResult } from './cli-process.ts';

// Two people and the admin on one machine, as the README's first steps run them: one home,
// a checkout holding the server's ./data/admin-identity.pem.
describe('gatehouse identities: profiles per cluster and user', { timeout: 180_000 }, () => {
  let t: TestServer;
  let home: string;
  let checkout: string;
  const gh = (args: string[], opts: { cwd?: string; env?: Record<string, string> } = {}): Promise<CliResult> =>
    runGatehouse(args, { home, cwd: opts.cwd ?? home, env: { GATEHOUSE_ADDR: t.addr, ...opts.env } });
  const invite = async (name: string, roles: string[]): Promise<string> => (await t.admin.upsertUser({ user: { name, roles }, inviteTtlMs: 3600_000 })).inviteToken;
  const login = (token: string): Promise<CliResult> => runGatehouse(['login', '--addr', t.addr, '--enroll-addr', t.server.enrollAddr, '--token', token], { home });

  beforeAll(async () => {
    t = await startTestServer();
    await t.admin.applyRoles(SEED_ROLES_YAML);
    home = mkdtempSync(path.join(tmpdir(), 'gatehouse-home-'));
    checkout = path.join(home, 'checkout');
    mkdirSync(path.join(checkout, 'data'), { recursive: true });
    copyFileSync(t.adminIdentityPath, path.join(checkout, 'data', 'admin-identity.pem'));
  });
  afterAll(async () => {
    await t.close();
    rmSync(home, { recursive: true, force: true });
  });

  it('uses the checkout admin identity only while nothing else is configured, and says so', async () => {
    const users = await gh(['users', 'ls'], { cwd: checkout });
    expect(users.code).toBe(0);
    expect(users.stderr).toBe('(using ./data/admin-identity.pem, the admin identity of the server in this directory: no other identity is configured)\n');
    const none = await gh(['users', 'ls']);
    expect(none.code).toBe(2);
    expect(none.stderr).toBe('error: no identity to act with: log in with `gatehouse login --addr HOST:PORT --token TOKEN` (an admin gives the token), or pass --identity FILE\n');
  });

  it('keeps alice and bob apart: a second login never replaces the first, and nothing is guessed between them', async () => {
    const alice = await login(await invite('alice', ['sres']));
    expect(alice.code).toBe(0);
    const aliceFile = path.join(home, '.gatehouse', 'gatehouse', 'alice.pem');
    expect(alice.stdout).toContain(`profile:  gatehouse/alice (${aliceFile})`);
    expect(alice.stdout).toContain('Commands without --profile or --identity act as alice (profile gatehouse/alice, the only identity here).');
    expect(statSync(aliceFile).mode & 0o777).toBe(0o600);
    const aliceBytes = readFileSync(aliceFile, 'utf8');

    // The admin in the checkout, with alice's profile in the home: no silent switch to alice.
    const trap = await gh(['audit', 'ls'], { cwd: checkout });
    expect(trap.code).toBe(2);
    expect(trap.stderr).toBe(
      'error: several identities could be meant: gatehouse/alice, ./data/admin-identity.pem (admin). Choose one: --profile NAME or --identity FILE for one command, export GATEHOUSE_PROFILE=NAME for this shell, or gatehouse profile use NAME\n',
    );
    const asAdmin = await gh(['audit', 'ls', '--identity', 'data/admin-identity.pem', '--format', 'json'], { cwd: checkout });
    expect(asAdmin.code).toBe(0);
    expect(asAdmin.stderr).toBe('');

    const bob = await login(await invite('bob', ['access-reviewer']));
    expect(bob.code).toBe(0);
    expect(bob.stdout).toContain('Other identities are here too (gatehouse profile ls): act as bob with --profile bob (one command), export GATEHOUSE_PROFILE=bob (this shell), or gatehouse profile use bob.');
    expect(readFileSync(aliceFile, 'utf8')).toBe(aliceBytes);

    const guess = await gh(['request', 'ls']);
    expect(guess.code).toBe(2);
    expect(guess.stderr).toMatch(/^error: several identities could be meant: gatehouse\/alice, gatehouse\/bob\. Choose one/);

    // Each chosen explicitly: by flag, by environment, by `profile use`.
    const created = await gh(['--profile', 'alice', 'request', 'create', '--roles', 'prodaccess', '--reason', 'INC-42', '--format', 'json']);
    expect(created.code).toBe(0);
    const id = (JSON.parse(created.stdout) as { id: string; user: string }).id;
    const reviewed = await gh(['request', 'review', id, '--approve', '--reason', 'go'], { env: { GATEHOUSE_PROFILE: 'bob' } });
    expect(reviewed.stdout).toBe('Review submitted. Request state: APPROVED\n');
    const used = await gh(['profile', 'use', 'gatehouse/alice']);
    expect(used.stdout).toBe('Commands now act as alice (profile gatehouse/alice) unless --profile, --identity, GATEHOUSE_PROFILE or GATEHOUSE_IDENTITY says otherwise.\n');
    const ls = await gh(['profile', 'ls']);
    expect(ls.stdout).toMatch(/^\*\s+gatehouse\/alice\s+127\.0\.0\.1:\d+\s+\d{4}-/m);
    expect(ls.stdout).toMatch(/^\s+gatehouse\/bob\s/m);
    const assumed = await gh(['request', 'assume', id, '--out', 'prod.pem']);
    expect(assumed.code).toBe(0);
  });

  it('says in status which identity is used and why, as snake_case JSON too, and who was refused', async () => {
    const status = await gh(['status']);
    expect(status.code).toBe(0);
    expect(status.stdout).toMatch(new RegExp(`^Identity: ${path.join(home, '.gatehouse', 'gatehouse', 'alice.pem')}\\n  chosen:  profile gatehouse/alice, chosen by gatehouse profile use\\nUser:     alice\\nRoles:    sres\\nCluster:  gatehouse \\(server [\\d.]+\\) at 127\\.0\\.0\\.1:\\d+\\nExpires:  \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d UTC \\(in \\d+ days\\)\\n$`));
    const json = await gh(['whoami', '--format', 'json'], { env: { GATEHOUSE_PROFILE: 'bob' } });
    const parsed = JSON.parse(json.stdout) as Record<string, unknown>;
    expect(Object.keys(parsed).sort()).toEqual(['addr', 'cluster', 'identity', 'identity_expires', 'profile', 'roles', 'server_version', 'source', 'user']);
    expect(parsed).toMatchObject({ user: 'bob', profile: 'gatehouse/bob', source: 'profile gatehouse/bob, chosen by GATEHOUSE_PROFILE', cluster: 'gatehouse' });

    // alice (the active profile) runs an admin command in the checkout: refused, naming her
    // and the way to act as the admin instead.
    const denied = await gh(['audit', 'ls'], { cwd: checkout });
    expect(denied.code).toBe(1);
    expect(denied.stderr).toBe(
      'error: permission denied to "alice" (profile gatehouse/alice, chosen by gatehouse profile use): user "alice" (roles sres) may not list audit_event: no rule allows it; to act as the admin of the server in this directory: --identity ./data/admin-identity.pem\n',
    );
    const unknown = await gh(['status', '--profile', 'carol']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toBe('error: no profile "carol" (profiles here: gatehouse/alice, gatehouse/bob)\n');
  });
});
