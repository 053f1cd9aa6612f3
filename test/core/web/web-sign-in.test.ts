import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readIdentityFile } from '../../../core/auth/identity-file.ts';
import { SEED_ROLES_YAML, startTestServer, type TestServer } from '../../support/test-server.ts';
import { loginToken, rawWebRequest, WebClient } from '../../support/web-client.ts';

describe('web console: signing in by one-time link, sessions and headers', () => {
  let t: TestServer;
  let offsetMs = 0;
  let aliceFile: string;
  const web = () => new WebClient(t.server.webAddr, t.server.caPem);

  beforeAll(async () => {
    t = await startTestServer({ webListen: '127.0.0.1:0', now: () => Date.now() + offsetMs });
    await t.admin.applyRoles(SEED_ROLES_YAML, 'roles.yaml');
    aliceFile = await t.identityFile('alice', ['sres']);
  });
  afterAll(async () => {
    await t.close();
  });

  it('is off unless web_listen is set', async () => {
    const plain = await startTestServer();
    try {
      expect(plain.server.webAddr).toBe('');
    } finally {
      await plain.close();
    }
  });

  it('gives a link only to a client certificate of the cluster', async () => {
    const none = await rawWebRequest(t.server.webAddr, t.server.caPem, { method: 'POST', path: '/web/api/login-links', body: '' });
    expect(none.status).toBe(401);
    expect(JSON.parse(none.body).error).toMatch(/client certificate/);
    const identity = await readIdentityFile(aliceFile);
    const ok = await rawWebRequest(t.server.webAddr, t.server.caPem, { method: 'POST', path: '/web/api/login-links?next=/web/requests/new', identity, body: '' });
    expect(ok.status).toBe(200);
    const link = JSON.parse(ok.body) as { url: string; user: string; expires_ms: number };
    expect(link.user).toBe('alice');
    expect(link.url).toMatch(new RegExp(`^https://${t.server.webAddr}/web/login/[A-Za-z0-9_-]{43}\\?next=%2Fweb%2Frequests%2Fnew$`));
    expect(link.expires_ms - Date.now()).toBeLessThanOrEqual(60_000);
  });

  it('signs in by link once: the page asks first, the post sets a strict cookie, a reused link is refused', async () => {
    const token = await loginToken(t.server.webAddr, t.server.caPem, aliceFile);
    const c = web();
    // Opening the link (as a chat unfurler would) does not use it up.
    for (let i = 0; i < 2; i++) {
      const confirm = await c.get(`/web/login/${token}`);
      expect(confirm.status).toBe(200);
      expect(confirm.body).toContain('Sign in as alice');
    }
    const res = await c.post('/web/login', { token, next: '/web/requests/new' });
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/web/requests/new');
    const cookie = res.headers['set-cookie']?.[0] ?? '';
    expect(cookie).toMatch(/^__Host-gatehouse-session=[A-Za-z0-9_-]{43}; Path=\/; Secure; HttpOnly; SameSite=Strict; Max-Age=\d+$/);
    // Bound to the certificate's lifetime (1h in these tests).
    expect(Number(/Max-Age=(\d+)/.exec(cookie)?.[1])).toBeLessThanOrEqual(3600);
    c.cookie = cookie.split(';')[0] ?? '';
    const page = await c.get('/web/requests');
    expect(page.status).toBe(200);
    expect(page.body).toContain('Signed in as <strong>alice</strong>');

    const again = await web().post('/web/login', { token });
    expect(again.status).toBe(410);
    expect(again.headers['set-cookie']).toBeUndefined();
    expect((await web().get(`/web/login/${token}`)).status).toBe(410);
  });

  it('refuses an expired link, a made-up one and a sign-in posted from another site', async () => {
    const token = await loginToken(t.server.webAddr, t.server.caPem, aliceFile);
    offsetMs += 61_000;
    try {
      const res = await web().post('/web/login', { token });
      expect(res.status).toBe(410);
      expect(res.body).toContain('expired or was already used');
    } finally {
      offsetMs -= 61_000;
    }
    expect((await web().post('/web/login', { token: 'x'.repeat(43) })).status).toBe(410);
    expect((await web().post('/web/login', { token: '<script>' })).status).toBe(410);
    const fresh = await loginToken(t.server.webAddr, t.server.caPem, aliceFile);
    const cross = await web().post('/web/login', { token: fresh }, { 'Sec-Fetch-Site': 'cross-site', Origin: 'https://evil.example' });
    expect(cross.status).toBe(403);
  });

  it('signs out, ends idle sessions and the sessions of a deleted user', async () => {
    const c = web();
    await c.signIn(aliceFile);
    const csrf = await c.csrf();
    expect((await c.post('/web/logout', { _csrf: csrf })).headers['set-cookie']?.[0]).toMatch(/Max-Age=0/);
    expect((await c.get('/web/requests')).status).toBe(401);

    const idle = web();
    await idle.signIn(aliceFile);
    offsetMs += 31 * 60_000;
    try {
      expect((await idle.get('/web/requests')).status).toBe(401);
    } finally {
      offsetMs -= 31 * 60_000;
    }

    const bobFile = await t.identityFile('bob', ['access-reviewer']);
    const bob = web();
    await bob.signIn(bobFile);
    expect((await bob.get('/web/requests')).status).toBe(200);
    await t.admin.deleteUser('bob');
    const after = await bob.get('/web/requests');
    expect(after.status).toBe(401);
    expect(after.body).toContain('gatehouse web login');
    // The user created again under the same name does not inherit the old session.
    await t.identityFile('bob', ['access-reviewer']);
    expect((await bob.get('/web/requests')).status).toBe(401);
  });

  it('sends strict security headers and no inline script on every page', async () => {
    const c = web();
    await c.signIn(aliceFile);
    for (const path of ['/web/requests', '/web/requests/new', '/web/signin', '/web/nowhere']) {
      const res = await (path === '/web/signin' ? web() : c).get(path);
      expect(res.headers['content-security-policy']).toBe(
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
      );
      expect(res.headers['cache-control']).toBe('no-store');
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['x-frame-options']).toBe('DENY');
      expect(res.headers['referrer-policy']).toBe('same-origin');
      expect(res.body).not.toMatch(/<script(?![^>]*\ssrc=)[^>]*>/);
      expect(res.body).not.toMatch(/\sstyle=|\son[a-z]+=/);
      expect(res.body).not.toMatch(/https?:\/\/(?!127\.0\.0\.1)/);
    }
    const js = await c.get('/web/assets/console.js');
    expect(js.headers['content-type']).toMatch(/^text\/javascript/);
  });

  it('lets a link from another site through to the session (SameSite=Strict withholds the cookie once)', async () => {
    const res = await web().get('/web/requests/0190a6f8-0000-7000-8000-000000000000', { 'Sec-Fetch-Site': 'cross-site', 'Sec-Fetch-Dest': 'document' });
    expect(res.status).toBe(200);
    expect(res.body).toContain('<meta http-equiv="refresh" content="0; url=/web/requests/0190a6f8-0000-7000-8000-000000000000">');
    const direct = await web().get('/web/requests/0190a6f8-0000-7000-8000-000000000000');
    expect(direct.status).toBe(401);
    expect(direct.body).toContain('gatehouse web login --next /web/requests/0190a6f8-0000-7000-8000-000000000000');
  });
});
