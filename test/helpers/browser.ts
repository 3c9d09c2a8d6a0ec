// The explorer's browser tests: Debian's chromium, headless, driven by playwright-core, a
// fresh profile per test file. Imported directly (not through index.ts), so other tests do
// not load playwright.
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { REPO_ROOT } from './service.js';
import { tempDir } from './temp.js';

export const CHROMIUM = process.env.CHAINLAB_CHROMIUM ?? '/usr/bin/chromium';
/** Where the tests' screenshots go (kept by CI as artifacts). */
export const SHOTS = path.join(REPO_ROOT, 'test-artifacts', 'explorer');
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Fails at once, with the fix, when chromium is missing; makes the screenshot folder. */
export function requireChromium(): void {
  if (!existsSync(CHROMIUM))
    throw new Error(
      `${CHROMIUM} not found: install Debian's chromium (apt-get install -y chromium) or set CHAINLAB_CHROMIUM`,
    );
  mkdirSync(SHOTS, { recursive: true });
}

/**
 * A browser with one page of `viewport`; the page's console errors and uncaught errors are
 * pushed to `errors` (a test checks at the end that there were none).
 */
export async function openBrowser(
  viewport: { width: number; height: number },
  errors: string[],
): Promise<{ ctx: BrowserContext; page: Page }> {
  const ctx = await chromium.launchPersistentContext(tempDir('chainlab-chromium-'), {
    executablePath: CHROMIUM,
    args: CHROMIUM_ARGS,
    viewport,
  });
  const page = ctx.pages()[0] ?? (await ctx.newPage());
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(e.message));
  return { ctx, page };
}
