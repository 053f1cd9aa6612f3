import http2 from 'node:http2';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadOrCreateClusterCA } from '../../../core/auth/cluster-ca.ts';
import { issueServerCert } from '../../../core/auth/issue-server-cert.ts';
import { deferGracefulCloseComplete, installGracefulCloseGuard, nativeHandle } from '../../../core/api/http2-graceful-close.ts';

/**
 * The guard against Node 24's HTTP/2 segfault (see core/api/http2-graceful-close.ts), on real
 * Node HTTP/2 sessions over TLS. The crash itself needs load and luck to show
 * (`npm run stress:disconnects`); these tests pin the property the fix rests on: the
 * graceful-close notification no longer destroys the session inside the call that delivers it.
 */

type Handle = { ongracefulclosecomplete: (...args: unknown[]) => unknown };

function handleOf(session: object): Handle {
  const handle = nativeHandle(session);
  if (typeof handle?.ongracefulclosecomplete !== 'function') {
    throw new Error('this Node has no ongracefulclosecomplete on its HTTP/2 session handle');
  }
  return handle as Handle;
}

async function until(cond: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('HTTP/2 graceful-close guard', () => {
  let dir: string;
  let server: http2.Http2SecureServer;
  let caPem: string;
  let port: number;
  let sessions: http2.ServerHttp2Session[];

  beforeEach(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'gatehouse-h2-'));
    const ca = await loadOrCreateClusterCA(dir, 'h2-test');
    const cert = await issueServerCert(ca, { hosts: ['127.0.0.1', 'localhost'], ttlMs: 3600_000 });
    caPem = ca.certPem;
    sessions = [];
    server = http2.createSecureServer({ key: cert.keyPem, cert: cert.certPem });
    server.on('session', (s) => sessions.push(s));
    server.on('stream', (stream: http2.ServerHttp2Stream) => {
      stream.respond({ ':status': 200 });
      stream.end('hello');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as { port: number }).port;
  });

  afterEach(async () => {
    for (const s of sessions) s.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    rmSync(dir, { recursive: true, force: true });
  });

  /** One request on a new connection, then the client closes it gracefully (GOAWAY NO_ERROR). */
  async function requestThenCloseGracefully(): Promise<void> {
    const client = http2.connect(`https://localhost:${port}`, { ca: caPem });
    client.on('error', () => undefined);
    await new Promise<void>((resolve, reject) => {
      const req = client.request({ ':path': '/' });
      req.on('data', () => undefined);
      req.on('end', resolve);
      req.on('error', reject);
      req.end();
    });
    client.close();
  }

  it('a guarded session is destroyed on the turn after the notification, not inside it', async () => {
    // Stand between the native side and Node's own handler: when the notification comes, hand
    // it to the guarded handler and look at the session before returning to the native caller.
    let seen: { before: boolean; after: boolean } | undefined;
    server.once('session', (session) => {
      const handle = handleOf(session);
      const nodeNotify = handle.ongracefulclosecomplete;
      handle.ongracefulclosecomplete = function (this: unknown, ...args: unknown[]) {
        handle.ongracefulclosecomplete = nodeNotify;
        deferGracefulCloseComplete(session);
        const before = session.destroyed;
        handle.ongracefulclosecomplete.apply(this, args);
        seen = { before, after: session.destroyed }; // unguarded, Node destroys it right here
      };
    });
    await requestThenCloseGracefully();
    await until(() => seen !== undefined, 'the graceful-close notification');
    expect(seen).toEqual({ before: false, after: false });
    await until(() => sessions[0]!.destroyed, 'the session to be destroyed on a later turn');
  });

  it('once installed, every session is guarded and a graceful close still ends it', async () => {
    installGracefulCloseGuard();
    let original: unknown;
    server.once('session', (s) => (original = handleOf(s).ongracefulclosecomplete));
    await requestThenCloseGracefully();
    const session = sessions[0]!;
    expect(handleOf(session).ongracefulclosecomplete).not.toBe(original);
    await until(() => session.destroyed, 'the server session to close after the client closed it');
  });
});
