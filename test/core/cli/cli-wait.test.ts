import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GatehouseClient } from '../../../core/client/gatehouse-client.ts';
import { SEED_ROLES_YAML, startTestServer, type TestServer } from '../../support/test-server.ts';
import { runGatehouse, type CliResult } from './cli-process.ts';

// `request create --wait` for scripts: the exit status says how the request ended.
describe('gatehouse request create --wait: exit status per outcome', { timeout: 180_000 }, () => {
  let t: TestServer;
  let home: string;
  let aliceFile: string;
  let bob: GatehouseClient;
  // The server's clock, moved ahead to expire a pending request without waiting for it.
  let skewMs = 0;

  beforeAll(async () => {
    t = await startTestServer({ now: () => Date.now() + skewMs });
    await t.admin.applyRoles(SEED_ROLES_YAML);
    home = mkdtempSync(path.join(tmpdir(), 'gatehouse-home-'));
    aliceFile = await t.identityFile('alice', ['sres'], { ttlMs: 29 * 3600_000 });
    bob = await t.userClient('bob', ['access-reviewer']);
  });
  afterAll(async () => {
    await t.close();
    rmSync(home, { recursive: true, force: true });
  });

  /** Starts a waiting `request create` and resolves with its request id once the server has it. */
  async function waitingRequest(reason: string, extra: string[] = []): Promise<{ id: string; done: Promise<CliResult> }> {
    const done = runGatehouse(['request', 'create', '--roles', 'prodaccess', '--reason', reason, '--wait', '--addr', t.addr, '--identity', aliceFile, ...extra], { home, timeoutMs: 60_000 });
    for (;;) {
      const found = (await t.admin.listAccessRequests({})).requests.find((r) => r.reason === reason);
      if (found) return { id: found.id, done };
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  it('exits 0 when approved, 3 when denied, 5 when deleted, 4 when it expired', async () => {
    const [approved, denied, deleted] = await Promise.all([waitingRequest('approve me'), waitingRequest('deny me', ['--format', 'json']), waitingRequest('delete me')]);
    await bob.submitAccessReview({ requestId: approved.id, proposedState: 'APPROVED', reason: 'go' });
    await bob.submitAccessReview({ requestId: denied.id, proposedState: 'DENIED', reason: 'not now' });
    await t.admin.deleteAccessRequest(deleted.id);
    const [a, d, x] = await Promise.all([approved.done, denied.done, deleted.done]);
    expect(a.code).toBe(0);
    expect(a.stdout).toContain(`Approved. Get elevated access with: gatehouse request assume ${approved.id}`);
    expect(d.code).toBe(3);
    expect(JSON.parse(d.stdout)).toMatchObject({ id: denied.id, state: 'DENIED', resolve_reason: 'not now' });
    expect(d.stderr).toBe(`Request ${denied.id} was not approved: DENIED by bob (not now)\n`);
    expect(x.code).toBe(5);
    expect(x.stderr).toContain(`Request ${deleted.id} was deleted while waiting.\n`);

    // Access of one hour asked for: the review deadline is within it, and the identity (29 h)
    // outlives the jump of the server's clock.
    const expiring = await waitingRequest('let me expire', ['--max-duration', '1h']);
    skewMs = 2 * 3600_000;
    const e = await expiring.done;
    expect(e.code).toBe(4);
    expect(e.stderr).toMatch(new RegExp(`Request ${expiring.id} was not approved: EXPIRED`));
  });
});
