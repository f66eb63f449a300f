// Headless Chromium for the dashboard tests: Debian's /usr/bin/chromium (CI installs it with apt), driven by
// playwright-core, with a fresh user data dir per launch. Every page records console errors and page errors so
// a test can fail on them.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export interface BrowserSession {
  context: BrowserContext;
  close(): Promise<void>;
}

/** Launch Chromium with a new temp profile (a persistent context is the only way to choose the profile dir). */
export async function launchBrowser(viewport = { width: 1280, height: 800 }): Promise<BrowserSession> {
  const profile = mkdtempSync(join(tmpdir(), 'switchboard-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM_PATH,
    args: ARGS,
    headless: true,
    viewport,
    reducedMotion: 'reduce',
  });
  return {
    context,
    close: async () => {
      await context.close().catch(() => {});
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

export type { Browser, Page };

/** Messages a page logged as errors, and uncaught exceptions. `allow` filters expected ones out. */
export function watchConsole(page: Page): { errors: string[]; unexpected(allow?: RegExp[]): string[] } {
  const errors: string[] = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error') errors.push(msg.text());
  });
  page.on('pageerror', (err) => errors.push(`pageerror: ${err.message}`));
  return { errors, unexpected: (allow = []) => errors.filter((e) => !allow.some((re) => re.test(e))) };
}
