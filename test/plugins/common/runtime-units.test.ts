import { Writable } from 'node:stream';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { isEmail } from '../../../plugins/common/is-email.ts';
import { KeyedQueue } from '../../../plugins/common/keyed-queue.ts';
import { loadPluginConfig } from '../../../plugins/common/load-plugin-config.ts';
import { PluginError } from '../../../plugins/common/plugin-error.ts';
import { parseClaim } from '../../../plugins/common/effect-claim.ts';
import { resolveSecret, Secret } from '../../../plugins/common/secret.ts';
import { truncateText } from '../../../plugins/common/truncate-text.ts';
import { withRetry } from '../../../plugins/common/with-retry.ts';

const tick = () => new Promise((r) => setImmediate(r));

describe('KeyedQueue', () => {
  it('runs one task at a time per key, in order, and keys concurrently up to the bound', async () => {
    const q = new KeyedQueue({ concurrency: 2, onError: (err) => { throw err; } });
    const log: string[] = [];
    let running = 0;
    let maxRunning = 0;
    const gates = new Map<string, () => void>();
    const task = (name: string) => async () => {
      running++;
      maxRunning = Math.max(maxRunning, running);
      log.push(`start ${name}`);
      await new Promise<void>((resolve) => gates.set(name, resolve));
      log.push(`end ${name}`);
      running--;
    };
    q.push('a', task('a1'));
    q.push('a', task('a2'));
    q.push('b', task('b1'));
    q.push('c', task('c1'));
    await tick();
    expect(log).toEqual(['start a1', 'start b1']);
    gates.get('a1')!();
    await tick();
    await tick();
    expect(log).toEqual(['start a1', 'start b1', 'end a1', 'start c1']);
    gates.get('b1')!();
    await tick();
    await tick();
    expect(log.slice(4)).toEqual(['end b1', 'start a2']);
    gates.get('c1')!();
    gates.get('a2')!();
    await q.idle();
    expect(maxRunning).toBe(2);
    expect(q.size).toBe(0);
  });
});

describe('withRetry', () => {
  it('waits exactly what Retry-After asks (plus jitter under 100 ms), then succeeds', async () => {
    const waits: number[] = [];
    let calls = 0;
    const result = await withRetry(
      async () => {
        calls++;
        if (calls < 3) throw Object.assign(new Error('limited'), { retryAfter: 2 });
        return 'ok';
      },
      { retryAfterMs: (err) => (err as { retryAfter: number }).retryAfter * 1000, sleep: async (ms) => void waits.push(ms), random: () => 0.5 },
    );
    expect(result).toBe('ok');
    expect(waits).toEqual([2050, 2050]);
  });

  it('backs off exponentially with jitter and stops at the retry count', async () => {
    const waits: number[] = [];
    await expect(withRetry(async () => { throw new Error('down'); }, { retries: 4, initialDelayMs: 100, sleep: async (ms) => void waits.push(ms), random: () => 1 })).rejects.toThrow('down');
    expect(waits).toEqual([100, 200, 400, 800]);
  });

  it('gives up at once when the next wait would pass the time budget', async () => {
    let now = 0;
    const waits: number[] = [];
    await expect(
      withRetry(async () => { throw new Error('slow'); }, { retries: 10, maxElapsedMs: 1000, retryAfterMs: () => 800, now: () => now, sleep: async (ms) => { waits.push(ms); now += ms; }, random: () => 0 }),
    ).rejects.toThrow('slow');
    expect(waits).toEqual([800]);
  });

  it('does not retry what is not retryable', async () => {
    let calls = 0;
    await expect(withRetry(async () => { calls++; throw new Error('no'); }, { isRetryable: () => false })).rejects.toThrow('no');
    expect(calls).toBe(1);
  });
});

describe('loadPluginConfig', () => {
  const schema = () => z.object({ demo: z.object({ token: z.string() }).strict() }).strict();
  const load = (text: string, env: Record<string, string> = {}) =>
    loadPluginConfig({ file: '/etc/demo.toml', pluginSchema: schema, env, readFile: () => Buffer.from(text) });

  it('accepts [teleport] as an alias, a list of addresses and case-insensitive severities', () => {
    const c = load(`[teleport]\naddr = ["a:1", "b:2"]\nidentity = "/id.pem"\n[demo]\ntoken = "t"\n[log]\noutput = "/var/log/demo.log"\nseverity = "WARNING"\n`);
    expect(c.gatehouse.addrs).toEqual(['a:1', 'b:2']);
    expect(c.gatehouse.credentials).toEqual({ kind: 'identity', identityFile: '/id.pem' });
    expect(c.log).toEqual({ output: { kind: 'file', path: '/var/log/demo.log' }, level: 'warn' });
    expect(Object.isFrozen(c)).toBe(true);
  });

  it('names the file and each bad key', () => {
    expect(() => load(`[gatehouse]\naddr = "a:1"\nidentity = "/id"\n[log]\nseverity = "loud"\n[demo]\ntoken = 1\n`)).toThrow(
      /\/etc\/demo\.toml: invalid configuration:\n {2}log\.severity: unsupported severity "loud".*\n {2}demo\.token: /s,
    );
  });

  it('rejects mixing identity with TLS files, and half a TLS set', () => {
    expect(() => load(`[gatehouse]\nidentity = "/id"\nclient_key = "/k"\n[demo]\ntoken = "t"\n`)).toThrow(/mutually exclusive/);
    expect(() => load(`[gatehouse]\nclient_key = "/k"\nclient_crt = "/c"\n[demo]\ntoken = "t"\n`)).toThrow(/gatehouse\.root_cas missing/);
    expect(() => load(`[gatehouse]\naddr = "a:1"\n[demo]\ntoken = "t"\n`)).toThrow(PluginError);
  });
});

describe('secrets', () => {
  it('resolve from env:NAME or a file, and print as [redacted] everywhere, including pino logs', () => {
    const fromEnv = resolveSecret('env:TOKEN', { env: { TOKEN: 'xoxb-super-secret' } });
    const fromFile = resolveSecret('/run/secrets/token', { env: {}, readFile: () => Buffer.from('  xoxb-file-secret\n') });
    expect(fromEnv.reveal()).toBe('xoxb-super-secret');
    expect(fromFile.reveal()).toBe('xoxb-file-secret');
    expect(resolveSecret('plain', { env: {} }).reveal()).toBe('plain');
    let out = '';
    const log = pino(new Writable({ write(chunk, _enc, cb) { out += String(chunk); cb(); } }));
    log.info({ config: { token: fromEnv, nested: [fromFile] } }, `token ${fromEnv}`);
    expect(out).not.toContain('secret');
    expect(out).toContain('[redacted]');
    expect(JSON.stringify({ s: new Secret('x') })).toBe('{"s":"[redacted]"}');
    expect(() => resolveSecret('env:MISSING', { env: {} })).toThrow('environment variable MISSING is not set or empty');
  });
});

describe('text helpers', () => {
  it('truncateText cuts on code points and word breaks', () => {
    expect(truncateText('  short  ', 10)).toBe('short');
    const cut = truncateText(`${'word '.repeat(200)}`, 100);
    expect(cut.endsWith('… (truncated)')).toBe(true);
    expect(cut).toMatch(/word… \(truncated\)$/);
    const emoji = truncateText('😀'.repeat(20), 5);
    expect(emoji).toBe(`${'😀'.repeat(5)}… (truncated)`);
  });

  it('isEmail accepts bare addresses only', () => {
    expect(isEmail('alice@example.com')).toBe(true);
    expect(isEmail('Alice <alice@example.com>')).toBe(false);
    expect(isEmail('alice')).toBe(false);
    expect(isEmail('alice@localhost')).toBe(false);
  });

  it('parseClaim reads well-formed claims and refuses corrupt ones', () => {
    expect(parseClaim('claim:{"by":"p1","op":"post","at":5,"prev":""}')).toEqual({ by: 'p1', op: 'post', at: 5, prev: '' });
    expect(() => parseClaim('claim:{"by":1}')).toThrow(/malformed claim/);
    expect(parseClaim('{"channel":"C1"}')).toBeUndefined();
    expect(parseClaim(undefined)).toBeUndefined();
  });
});
