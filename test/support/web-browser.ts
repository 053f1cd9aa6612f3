import { existsSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser as PlaywrightBrowser, type BrowserContext } from 'playwright-core';

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
  /** A new, empty context (its own cookies): one per person in a test. */
  newContext(options?: { colorScheme?: 'light' | 'dark'; width?: number }): Promise<BrowserContext>;
  close(): Promise<void>;
}

/** The flags every browser test launches Chromium with: nothing leaves the machine. */
export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/**
 * One headless Chromium for one test file (Playwright gives each launch a fresh temporary
 * --user-data-dir and removes it on close). Tests only open 127.0.0.1. The cluster CA is
 * private, so its certificate errors are ignored, as a browser would after the CA is installed.
 */
export async function launchBrowser(): Promise<Browser> {
  const browser: PlaywrightBrowser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
  return {
    newContext: (options = {}) =>
      browser.newContext({
        ignoreHTTPSErrors: true,
        viewport: { width: options.width ?? 1200, height: 900 },
        colorScheme: options.colorScheme ?? 'light',
        timezoneId: 'Europe/Berlin',
      }),
    close: () => browser.close(),
  };
}
