import { createServer as createTcpServer, type Server, type Socket } from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeIdentityFile } from '../../../core/auth/identity-file.ts';
import { freePort } from '../../support/server-process.ts';
import { SEED_ROLES_YAML, startTestServer, type TestServer } from '../../support/test-server.ts';
import { runGatehouse, type CliResult } from './cli-process.ts';

const RENEW = (user: string): string =>
  `get a new one: \`gatehouse login\` with a new invite (an admin runs \`gatehouse users update ${user} --invite\`), or ask an admin for \`gatehouse auth sign --user ${user} --out FILE\``;

// Each way a connection goes wrong, through the real CLI: one line on stderr that says what
// happened and what to do, and an exit status a script can tell apart.
describe('gatehouse errors: one plain line each, with the fix', { timeout: 180_000 }, () => {
  let t: TestServer;
  let other: TestServer;
  let home: string;
  let port: number;
  let plain: Server;
  const plainSockets = new Set<Socket>();
  const gh = (args: string[]): Promise<CliResult> => runGatehouse(args, { home });
  const admin = (args: string[]): Promise<CliResult> => gh([...args, '--identity', t.adminIdentityPath]);

  beforeAll(async () => {
    home = mkdtempSync(path.join(tmpdir(), 'gatehouse-home-'));
    port = await freePort();
    // The invite port right after the API's, as a real server has it.
    t = await startTestServer({ listen: `127.0.0.1:${port}`, enrollListen: `127.0.0.1:${port + 1}` });
    await t.admin.applyRoles(SEED_ROLES_YAML);
    const otherConfig = path.join(home, 'other.yaml');
    writeFileSync(otherConfig, 'cluster_name: other\n');
    other = await startTestServer({ configFile: otherConfig });
    // Something on a port that is not the API: it answers, but not with TLS.
    plain = createTcpServer((socket) => {
      plainSockets.add(socket);
      socket.on('error', () => undefined); // the CLI hangs up as it likes
      socket.end('HTTP/1.1 400 Bad Request\r\n\r\n');
    });
    await new Promise<void>((resolve) => plain.listen(0, '127.0.0.1', resolve));
  });
  afterAll(async () => {
    for (const socket of plainSockets) socket.destroy();
    await Promise.all([t.close(), other.close(), new Promise((resolve) => plain.close(resolve))]);
    rmSync(home, { recursive: true, force: true });
  });

  it('names the address and what to check when no Gatehouse API answers there', async () => {
    const closed = await freePort();
    const [refused, noPort, invitePort, notTls] = await Promise.all([
      admin(['status', '--addr', `127.0.0.1:${closed}`]),
      admin(['users', 'ls', '--addr', '127.0.0.1']),
      admin(['users', 'ls', '--addr', `127.0.0.1:${port + 1}`]),
      admin(['users', 'ls', '--addr', `127.0.0.1:${(plain.address() as { port: number }).port}`]),
    ]);
    expect(refused.code).toBe(6);
    expect(refused.stderr).toBe(`error: cannot reach the Gatehouse server at 127.0.0.1:${closed} (--addr): connection refused. Is it running? Check --addr\n`);
    // status still says who and where before the reason.
    expect(refused.stdout).toContain(`Cluster:  gatehouse at 127.0.0.1:${closed} (--addr): not reachable`);
    // A host without a port means the API's default port, not the 443 of grpc-js.
    expect(noPort.stderr).toMatch(/^error: .*127\.0\.0\.1:3025 \(--addr\)/);
    expect(noPort.stderr).not.toContain(':443');
    expect(invitePort.code).toBe(6);
    expect(invitePort.stderr).toBe(
      `error: 127.0.0.1:${port + 1} is the invite port of a Gatehouse server (for gatehouse login), not its API: the API is on the port before it, --addr 127.0.0.1:${port}\n`,
    );
    expect(notTls.code).toBe(6);
    expect(notTls.stderr).toMatch(/^error: 127\.0\.0\.1:\d+ \(--addr\) does not answer as a Gatehouse API \(no TLS there: the metrics port\?\)\. Check --addr; the API is on port 3025 unless configured otherwise\n$/);
    const bad = await admin(['status', '--addr', '127.0.0.1:99999']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe('error: --addr: expected HOST:PORT with a port from 1 to 65535, not "127.0.0.1:99999"\n');
  });

  it('tells a server of another cluster from a certificate the server refuses, and an expired identity', async () => {
    const refusedFile = path.join(home, 'mixed.pem');
    // Our client certificate, but trusting the other cluster's CA: the TLS handshake of
    // the server side refuses it.
    await writeIdentityFile(refusedFile, { ...t.adminIdentity, caPems: other.adminIdentity.caPems });
    const expiredFile = await t.identityFile('carol', ['sres'], { ttlMs: 1500 });
    await new Promise((resolve) => setTimeout(resolve, 1600));
    const [foreign, refused, expired] = await Promise.all([
      admin(['users', 'ls', '--addr', other.addr]),
      gh(['users', 'ls', '--addr', other.addr, '--identity', refusedFile]),
      gh(['request', 'ls', '--addr', t.addr, '--identity', expiredFile]),
    ]);
    expect(foreign.code).toBe(1);
    expect(foreign.stderr).toBe(
      `error: the server at ${other.addr} (--addr) is of another cluster (cluster "other"): its certificate is not signed by the CA of the identity ${t.adminIdentityPath} (cluster "gatehouse"). Use an identity of that cluster (--profile, --identity), or check --addr\n`,
    );
    expect(refused.code).toBe(1);
    expect(refused.stderr).toBe(
      `error: the server at ${other.addr} (--addr) refused the certificate of "admin" (${refusedFile}, chosen by --identity): it is of another cluster, expired, or no longer valid; ${RENEW('admin')}\n`,
    );
    expect(expired.code).toBe(1);
    expect(expired.stderr).toMatch(new RegExp(`^error: the identity of "carol" \\(${expiredFile.replace(/[.]/g, '\\.')}, chosen by --identity\\) expired at \\d{4}-[\\dT:.-]+Z; `));
    expect(expired.stderr.endsWith(`${RENEW('carol')}\n`)).toBe(true);
    // What the message says to do works: a new invite for the existing user, roles kept.
    const renewed = await admin(['users', 'update', 'carol', '--invite', '--addr', t.addr]);
    expect(renewed.code).toBe(0);
    expect(renewed.stdout).toContain('User "carol" updated: roles sres.');
    expect(renewed.stdout).toMatch(new RegExp(`gatehouse login --addr ${t.addr} --token gh1\\.`));
  });

  it('login: the invite port given as the address, and nothing listening', async () => {
    const token = (await t.admin.upsertUser({ user: { name: 'dave', roles: ['sres'] }, inviteTtlMs: 3600_000 })).inviteToken;
    const closed = await freePort();
    const [invitePort, nothing] = await Promise.all([
      gh(['login', '--addr', `127.0.0.1:${port + 1}`, '--token', token]),
      gh(['login', '--addr', `127.0.0.1:${closed}`, '--token', token]),
    ]);
    expect(invitePort.code).toBe(2);
    expect(invitePort.stderr).toBe(`error: 127.0.0.1:${port + 1} is the invite port; give the API address instead: gatehouse login --addr 127.0.0.1:${port} --token ...\n`);
    expect(nothing.code).toBe(6);
    expect(nothing.stderr).toBe(
      `error: cannot reach the invite port 127.0.0.1:${closed + 1} (the port after the API's, 127.0.0.1:${closed}): connection refused. Is the server running? Check --addr (the API address, e.g. 127.0.0.1:3025), or give --enroll-addr\n`,
    );
    // The address as the invite says it: the invite port is found after it.
    const ok = await gh(['login', '--addr', `127.0.0.1:${port}`, '--token', token]);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain('as dave');
  });
});
