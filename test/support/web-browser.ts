import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';

/** Debian's Chromium (`apt-get install chromium`, done by ./dev setup). */
export const CHROMIUM = '/usr/bin/chromium';

/** Whether the browser tests can run; under CI=true they must, so a missing browser fails them. */
export function chromiumAvailable(ci: boolean): boolean {
  if (existsSync(CHROMIUM)) return true;
  if (ci) throw new Error(`${CHROMIUM} is missing: CI must run the browser tests (./dev setup installs Debian's chromium)`);
  return false;
}

/** Where screenshots go (kept as test artifacts). */
export const SCREENSHOT_DIR = path.resolve('test-artifacts', 'web');

export interface Browser {
  context: BrowserContext;
  close(): Promise<void>;
}

/**
 * One headless Chromium with a fresh profile, for one test file. No network beyond loopback is
 * wanted: background networking, updates and sync are off, and tests only open 127.0.0.1. The
 * cluster CA is private, so its certificate errors are ignored (as a browser would after the
 * CA is installed).
 */
export async function launchBrowser(): Promise<Browser> {
  const profile = mkdtempSync(path.join(tmpdir(), 'gatehouse-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    ignoreHTTPSErrors: true,
    viewport: { width: 1200, height: 900 },
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  return {
    context,
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
