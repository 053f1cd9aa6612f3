/**
 * `npm run stress:disconnects`: does the server survive watchers that disconnect while events
 * are being written to them? Each round opens 1,000 watch streams over 20 connections, delivers
 * a few creates to them, closes them, and at once runs 16 create+approve loops, so events are
 * still being written to connections that are going away. Prints what happened; exits 1 if the
 * server died.
 *
 * Why it exists: without the guard in core/api/http2-graceful-close.ts, Node.js 24.21.0 kills
 * the server with SIGSEGV in its HTTP/2 code (`nghttp2_session_want_read` from
 * `Http2Session::OnStreamAfterWrite`) within seconds to a minute of this load. Run it again on
 * each Node upgrade, and after touching the guard.
 *   DURATION_S=120 (default) · TMPDIR=/dev/shm makes commits cheap and the crash come sooner
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { GatehouseClient, SERVER_NAME, type ClientIdentity } from '../core/client/gatehouse-client.ts';
import { SEED_ROLES_YAML } from '../test/support/test-server.ts';
import { startServerProcess } from '../test/support/server-process.ts';
import { identityFor } from './bench-identity.ts';
import { runFor, sleep } from './stats.ts';

const WATCHERS = 1000;
const CONNECTIONS = 20;
const durationS = Number(process.env['DURATION_S'] ?? 120);

/** Opens the watchers, waits for `creates` requests to reach all of them, then closes them. */
async function watchRound(addr: string, identity: ClientIdentity, alice: GatehouseClient, round: number, creates: number): Promise<void> {
  const clients = Array.from(
    { length: CONNECTIONS },
    (_, i) => new GatehouseClient({ addr, identity, channelOptions: { 'grpc.use_local_subchannel_pool': 1, 'grpc.default_authority': SERVER_NAME, 'stress.connection': `${round}-${i}` } }),
  );
  const delivered = new Map<string, number>();
  let inits = 0;
  const streams = Array.from({ length: WATCHERS }, (_, i) => {
    const s = clients[i % CONNECTIONS]!.watchEvents({});
    s.on('data', (e: { type: string; name: string }) => {
      if (e.type === 'INIT') inits++;
      else delivered.set(e.name, (delivered.get(e.name) ?? 0) + 1);
    });
    s.on('error', () => undefined);
    return s;
  });
  try {
    const deadline = Date.now() + 60_000;
    while (inits < WATCHERS) {
      if (Date.now() > deadline) throw new Error(`only ${inits}/${WATCHERS} watchers got INIT`);
      await sleep(20);
    }
    for (let i = 0; i < creates; i++) {
      const r = await alice.createAccessRequest({ roles: ['prodaccess'], reason: `stress ${round}/${i}` });
      while ((delivered.get(r.id) ?? 0) < WATCHERS) {
        if (Date.now() > deadline) throw new Error(`delivery of ${r.id} timed out`);
        await new Promise((resolve) => setImmediate(resolve));
      }
    }
  } finally {
    for (const s of streams) s.cancel();
    for (const c of clients) c.close();
  }
}

const dir = mkdtempSync(path.join(tmpdir(), 'gatehouse-stress-'));
const server = await startServerProcess(path.join(dir, 'server'));
let exit: string | undefined;
let survived = false;
server.child.once('exit', (code, signal) => (exit = signal === null ? `exited with code ${code}` : `was killed by ${signal}`));
const admin = new GatehouseClient({ addr: server.addr, identity: server.adminIdentity });
let rounds = 0;
let cycles = 0;
let failure: unknown;
const started = Date.now();
try {
  await admin.applyRoles(SEED_ROLES_YAML, 'stress-roles.yaml');
  const watcher = await identityFor(admin, 'stress-watcher', ['access-plugin']);
  const alice = new GatehouseClient({ addr: server.addr, identity: await identityFor(admin, 'alice', ['sres']) });
  const bob = new GatehouseClient({ addr: server.addr, identity: await identityFor(admin, 'bob', ['access-reviewer']) });
  console.log(`Node ${process.version}: ${WATCHERS} watchers over ${CONNECTIONS} connections per round, closed while 16 create+approve loops run, for ${durationS} s`);
  while (Date.now() - started < durationS * 1000) {
    await watchRound(server.addr, watcher, alice, rounds, 5);
    await runFor(3000, 16, async () => {
      const r = await alice.createAccessRequest({ roles: ['prodaccess'], reason: 'stress' });
      await bob.submitAccessReview({ requestId: r.id, proposedState: 'APPROVED' });
      cycles++;
    });
    rounds++;
  }
  alice.close();
  bob.close();
} catch (err) {
  failure = err;
} finally {
  admin.close();
  for (let i = 0; i < 20 && exit === undefined && failure !== undefined; i++) await sleep(100);
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  if (exit !== undefined) {
    console.log(`FAIL: the server ${exit} after ${seconds} s (${rounds} rounds, ${cycles} cycles); last error seen by the client: ${String(failure)}`);
  } else if (failure !== undefined) {
    console.log(`FAIL: the server is up, but a call failed after ${seconds} s (${rounds} rounds, ${cycles} cycles): ${String(failure)}`);
  } else {
    survived = true;
    console.log(`ok: the server survived ${rounds} rounds (${cycles} create+approve cycles) in ${seconds} s`);
  }
  await server.stop(); // sets `exit` too, so the verdict above was taken before it
  rmSync(dir, { recursive: true, force: true });
}
process.exit(survived ? 0 : 1);
