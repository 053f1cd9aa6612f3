import { execFile } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkAccessibility } from '../../support/a11y-check.ts';
import { SEED_ROLES_YAML, startTestServer, type TestServer } from '../../support/test-server.ts';
import { chromiumAvailable, launchBrowser, SCREENSHOT_DIR, type Browser } from '../../support/web-browser.ts';

const run = promisify(execFile);
const CLI = path.resolve('core/cli/main.ts');

/** In a real Chromium: sign in by link, live updates, keyboard approval, refusals, accessibility. */
describe.skipIf(!chromiumAvailable(process.env.CI === 'true'))('web console in Chromium', () => {
  let t: TestServer;
  let browser: Browser;
  let offsetMs = 0;
  const files: Record<string, string> = {};
  let alice: BrowserContext;
  let bob: BrowserContext;

  /** The real CLI, as the person would type it. */
  const gatehouse = async (identity: string, ...args: string[]): Promise<string> =>
    (await run(process.execPath, [CLI, '--addr', t.addr, '--identity', identity, ...args], { timeout: 20_000 })).stdout;
  const linkFor = async (who: string): Promise<string> =>
    (JSON.parse(await gatehouse(files[who] ?? '', 'web', 'login', '--web', `https://${t.server.webAddr}`, '--format', 'json')) as { url: string }).url;
  const signIn = async (context: BrowserContext, who: string): Promise<Page> => {
    const page = await context.newPage();
    await page.goto(await linkFor(who));
    await page.getByRole('button', { name: `Sign in as ${who}` }).click();
    await page.waitForURL('**/web/requests');
    return page;
  };
  const createRequest = async (reason: string): Promise<string> =>
    (JSON.parse(await gatehouse(files.alice ?? '', 'request', 'create', '--roles', 'prodaccess', '--reason', reason, '--format', 'json')) as { id: string }).id;
  const shot = (page: Page, name: string) => page.screenshot({ path: path.join(SCREENSHOT_DIR, `${name}.png`), fullPage: true });

  beforeAll(async () => {
    mkdirSync(SCREENSHOT_DIR, { recursive: true });
    t = await startTestServer({ webListen: '127.0.0.1:0', now: () => Date.now() + offsetMs });
    await t.admin.applyRoles(SEED_ROLES_YAML, 'roles.yaml');
    files.alice = await t.identityFile('alice', ['sres']);
    files.bob = await t.identityFile('bob', ['access-reviewer']);
    files.admin = t.adminIdentityPath;
    browser = await launchBrowser();
    alice = await browser.newContext();
    bob = await browser.newContext();
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('a reviewer signed in by link sees a request appear live, approves it by keyboard, and the requester sees it approved', { timeout: 90_000 }, async () => {
    const bobPage = await signIn(bob, 'bob');
    await bobPage.locator('[data-live-state="open"]').waitFor();
    await shot(bobPage, 'requests-empty');

    const id = await createRequest('deploy the hotfix');
    const row = bobPage.locator(`[data-section="review"] tr[data-id="${id}"]`);
    await row.waitFor({ timeout: 10_000 });
    expect(await row.textContent()).toContain('deploy the hotfix');
    await shot(bobPage, 'requests-live');

    const alicePage = await signIn(alice, 'alice');
    await alicePage.goto(`https://${t.server.webAddr}/web/requests/${id}`);
    expect(await alicePage.getByRole('button', { name: 'Approve' }).count()).toBe(0);
    await alicePage.locator('[data-live-state="open"]').waitFor();
    await shot(alicePage, 'request-pending-requester');

    // Keyboard only: Tab to the reason, type, Tab to Approve, Enter.
    await bobPage.goto(`https://${t.server.webAddr}/web/requests/${id}`);
    await shot(bobPage, 'request-pending-reviewer');
    for (let i = 0; i < 40 && (await bobPage.evaluate(() => document.activeElement?.id)) !== 'review-reason'; i++) await bobPage.keyboard.press('Tab');
    await bobPage.keyboard.type('looks right');
    await bobPage.keyboard.press('Tab');
    expect(await bobPage.evaluate(() => document.activeElement?.textContent)).toBe('Approve');
    await bobPage.keyboard.press('Enter');
    await bobPage.waitForURL(`**/web/requests/${id}?done=APPROVED`);
    expect(await bobPage.getByRole('status').first().textContent()).toContain('You approved this request.');

    await alicePage.locator('#request-live .state-approved').first().waitFor({ timeout: 10_000 });
    await alicePage.getByText(`gatehouse request assume ${id}`).waitFor();
    expect(await alicePage.locator('#request-live').textContent()).toContain('looks right');
    await shot(alicePage, 'request-approved-live');
  });

  it('refuses a forged self-approval and a post without the CSRF token', { timeout: 60_000 }, async () => {
    const id = await createRequest('second');
    const alicePage = await alice.newPage();
    await alicePage.goto(`https://${t.server.webAddr}/web/requests/${id}`);
    // A hand-made form with Alice's own valid token: the server still refuses self-review.
    await alicePage.evaluate((requestId) => {
      const form = document.createElement('form');
      form.method = 'post';
      form.action = `/web/requests/${requestId}/review`;
      const token = document.querySelector<HTMLInputElement>('input[name="_csrf"]')?.value ?? '';
      for (const [name, value] of [['_csrf', token], ['decision', 'APPROVED']]) {
        const input = document.createElement('input');
        input.name = name ?? '';
        input.value = value ?? '';
        form.append(input);
      }
      document.body.append(form);
      form.submit();
    }, id);
    await alicePage.waitForURL(`**/web/requests/${id}/review`);
    expect(await alicePage.locator('main').textContent()).toContain('users cannot review their own requests');
    await shot(alicePage, 'error-self-review');

    const bobPage = await bob.newPage();
    await bobPage.goto(`https://${t.server.webAddr}/web/requests/${id}`);
    await bobPage.evaluate(() => document.querySelector('form.review input[name="_csrf"]')?.remove());
    await bobPage.getByRole('button', { name: 'Approve' }).click();
    await bobPage.waitForURL(`**/web/requests/${id}/review`);
    expect(await bobPage.locator('main').textContent()).toContain('missing or wrong CSRF token');
    expect(JSON.parse(await gatehouse(files.alice ?? '', 'request', 'show', id, '--format', 'json')).state).toBe('PENDING');
  });

  it('refuses a reused link and an expired one', { timeout: 60_000 }, async () => {
    const url = await linkFor('alice');
    const first = await browser.newContext();
    const page = await first.newPage();
    await page.goto(url);
    await page.getByRole('button', { name: 'Sign in as alice' }).click();
    await page.waitForURL('**/web/requests');
    await page.goto(url);
    expect(await page.locator('main').textContent()).toContain('expired or was already used');
    await shot(page, 'sign-in-reused');

    const late = await linkFor('alice');
    offsetMs += 61_000;
    try {
      const other = await (await browser.newContext()).newPage();
      await other.goto(late);
      expect(await other.locator('main').textContent()).toContain('expired or was already used');
      expect(await other.getByRole('button', { name: /Sign in/ }).count()).toBe(0);
    } finally {
      offsetMs -= 61_000;
    }
  });

  it('every page passes the accessibility checks, light and dark, and fits a phone', { timeout: 120_000 }, async () => {
    const id = await createRequest('for the accessibility pass');
    const pages = ['/web/requests', `/web/requests/${id}`, '/web/requests/new', '/web/audit', '/web/requests?state=denied', '/web/nowhere'];
    // Light on a desktop, dark on a phone: both schemes and both layouts, two sign-ins.
    for (const [scheme, width] of [['light', 1200], ['dark', 390]] as const) {
      {
        const context = await browser.newContext({ colorScheme: scheme, width });
        const page = await signIn(context, 'admin');
        for (const p of [...pages, '/web/signin']) {
          if (p === '/web/signin') await context.clearCookies();
          await page.goto(`https://${t.server.webAddr}${p}`);
          expect(await checkAccessibility(page), `${p} (${scheme}, ${width}px)`).toEqual([]);
          expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth + 1), `${p} overflows at ${width}px`).toBe(true);
          await shot(page, `${p.replace(/[^a-z0-9]+/gi, '-').replace(/^-|-$/g, '') || 'root'}-${scheme}-${width}`);
        }
        await context.close();
      }
    }
  });
});
