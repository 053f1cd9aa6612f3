import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadServerConfig } from '../../../core/server/server-config.ts';
import { startTestServer, type TestServer } from '../../support/test-server.ts';

/** GET (or another method) on the metrics listener over real HTTP. */
async function fetchText(t: TestServer, path: string, method = 'GET'): Promise<{ status: number; type: string; text: string }> {
  const res = await fetch(`http://${t.server.metricsAddr}${path}`, { method });
  return { status: res.status, type: res.headers.get('content-type') ?? '', text: await res.text() };
}

/** The value of one sample line of the Prometheus text format, or undefined if absent. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('server metrics listener', () => {
  let t: TestServer;

  beforeAll(async () => {
    t = await startTestServer({ metricsListen: '127.0.0.1:0' });
  });
  afterAll(async () => {
    await t.close();
  });

  it('counts RPCs by method and status code, and reports open watchers and the event position', async () => {
    await t.admin.ping();
    await t.admin.ping();
    await expect(t.admin.getAccessRequest('0198a000-0000-7000-8000-000000000001')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    const before = sample((await fetchText(t, '/metrics')).text, 'gatehouse_watchers') ?? NaN;
    const stream = t.admin.watchEvents({});
    stream.on('error', () => undefined); // CANCELLED, once cancelled below
    await new Promise<void>((resolve) => stream.once('data', () => resolve()));
    await t.admin.upsertUser({ user: { name: 'carol', roles: ['requester'], traits: {} } });

    const res = await fetchText(t, '/metrics');
    stream.cancel();
    expect(res.status).toBe(200);
    expect(res.type).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(sample(res.text, 'gatehouse_rpc_duration_seconds_count{method="Ping",code="OK"}')).toBe(2);
    expect(sample(res.text, 'gatehouse_rpc_duration_seconds_count{method="GetAccessRequest",code="NOT_FOUND"}')).toBe(1);
    expect(sample(res.text, 'gatehouse_rpc_duration_seconds_count{method="UpsertUser",code="OK"}')).toBe(1);
    expect(sample(res.text, 'gatehouse_watchers')).toBe(before + 1);
    expect(sample(res.text, 'gatehouse_event_log_position')).toBe(await t.server.store.lastPosition());
    expect(sample(res.text, 'process_resident_memory_bytes')).toBeGreaterThan(0);
    // The upsert, at least, was committed and synced to disk (SQLite) while metrics were on.
    expect(sample(res.text, 'gatehouse_store_duration_seconds_count{stage="commit"}')).toBeGreaterThan(0);
    expect(sample(res.text, 'gatehouse_store_duration_seconds_count{stage="sync"}')).toBeGreaterThan(0);
    expect(sample(res.text, 'gatehouse_store_commit_writes_count')).toBe(sample(res.text, 'gatehouse_store_duration_seconds_count{stage="commit"}'));
  });

  it('answers /healthz, and refuses other paths and methods', async () => {
    expect(await fetchText(t, '/healthz')).toMatchObject({ status: 200, text: 'ok\n' });
    expect((await fetchText(t, '/metrics?x=1')).status).toBe(200);
    expect((await fetchText(t, '/admin')).status).toBe(404);
    expect((await fetchText(t, '/metrics', 'POST')).status).toBe(405);
  });

  it('is off unless configured, and a bad address is an error naming the flag', async () => {
    const plain = await startTestServer();
    try {
      expect(plain.server.metricsAddr).toBe('');
    } finally {
      await plain.close();
    }
    expect(() => loadServerConfig({ metricsListen: 'localhost' })).toThrow('--metrics-listen: expected HOST:PORT, got "localhost"');
  });
});
