import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AxeResults, RunOptions } from 'axe-core';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

/** Debian's chromium (`apt-get install chromium`): nothing is ever downloaded. CHROMIUM_PATH overrides. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Where screenshots go (a CI artifact); the README's copies live under docs/console/. */
export const ARTIFACTS_DIR = process.env.BROWSER_ARTIFACTS_DIR ?? join(__dirname, '..', '..', 'artifacts', 'browser');

export interface BrowserSession {
  browser: Browser;
  context: BrowserContext;
  close(): Promise<void>;
}

/**
 * A headless chromium with a fresh profile. The background-networking flags matter: without them
 * chromium phones home at start-up and, on a closed network, its network service refuses local
 * connections too.
 */
export async function launchBrowser(): Promise<BrowserSession> {
  const profile = await mkdtemp(join(tmpdir(), 'horizon-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    viewport: { width: 1280, height: 900 },
    locale: 'en-GB',
    timezoneId: 'Europe/Paris',
  });
  return {
    browser: context.browser() as Browser,
    context,
    close: async () => {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}

const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

/** Axe's serious and critical violations on the page as it is now (WCAG 2.1 A/AA rules). */
export async function seriousViolations(page: Page): Promise<string[]> {
  // Injected through the DevTools protocol, which the console's CSP does not govern: what
  // @axe-core/playwright does, without its Node >= 22.12 engine (the project also runs on Node 20).
  await page.evaluate(AXE_SOURCE);
  const options: RunOptions = { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } };
  const result = await page.evaluate((o) => {
    const window = globalThis as unknown as { document: unknown; axe: { run(context: unknown, options: RunOptions): Promise<AxeResults> } };
    return window.axe.run(window.document, o);
  }, options);
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

/** The README's screenshots; `UPDATE_CONSOLE_SCREENSHOTS=1 npm run test:browser` refreshes them. */
export const DOCS_SCREENSHOTS_DIR = join(__dirname, '..', '..', 'docs', 'console');

export async function screenshot(page: Page, name: string): Promise<void> {
  await mkdir(ARTIFACTS_DIR, { recursive: true });
  await page.screenshot({ path: join(ARTIFACTS_DIR, `${name}.png`), fullPage: true });
  if (process.env.UPDATE_CONSOLE_SCREENSHOTS) await page.screenshot({ path: join(DOCS_SCREENSHOTS_DIR, `${name}.png`) });
}

/** Signs in through the form and waits for the page a user of that role lands on. */
export async function signIn(page: Page, baseUrl: string, username: string, password: string, landing: RegExp): Promise<void> {
  await page.goto(`${baseUrl}/`);
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { level: 1, name: landing }).waitFor();
}

/** Every request the page makes, to assert what it did not do (e.g. poll). */
export function recordRequests(page: Page): { method: string; path: string }[] {
  const seen: { method: string; path: string }[] = [];
  page.on('request', (req) => seen.push({ method: req.method(), path: new URL(req.url()).pathname }));
  return seen;
}

/** Page errors and failed scripts fail the test that caused them. */
export function collectPageErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(err.message));
  page.on('console', (msg) => {
    // Expected 4xx answers are logged by chromium as "Failed to load resource"; a CSP refusal is not expected.
    if (msg.type() === 'error' && /Content Security Policy|SyntaxError|TypeError|ReferenceError/.test(msg.text())) errors.push(msg.text());
  });
  return errors;
}
