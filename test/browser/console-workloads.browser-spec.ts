import type { Page } from 'playwright-core';
import { validLogFile } from '../factories/log-file.factory';
import { ADMIN, createTestApp, type TestApp } from '../utils/test-app';
import { collectPageErrors, launchBrowser, recordRequests, screenshot, seriousViolations, signIn, type BrowserSession } from './browser';

// Globals of the page, for the functions evaluated inside it (the test project has no DOM types).
/* eslint-disable @typescript-eslint/no-explicit-any */
declare const window: any, document: any, sessionStorage: any, MutationObserver: any;

// The console in a real chromium against the app on its embedded defaults: what a user does with
// log files and ECGs, and what an admin does with users.
describe('web console in a browser', () => {
  let app: TestApp;
  let browser: BrowserSession;
  let baseUrl: string;
  let user: { username: string; password: string };
  let page: Page;
  let pageErrors: string[];

  beforeAll(async () => {
    // A per-line delay keeps the ingest running long enough to be watched.
    app = await createTestApp({ INGEST_LINE_DELAY_MS_MAX: '40' });
    browser = await launchBrowser();
    baseUrl = `http://127.0.0.1:${(app.app.getHttpServer().address() as { port: number }).port}`;
    user = { username: 'console-user', password: 'user-password-1' };
    await app.createUser(user.username, user.password);
  });
  afterAll(async () => {
    await browser?.close();
    await app?.close();
  });
  beforeEach(async () => {
    page = await browser.context.newPage();
    pageErrors = collectPageErrors(page);
  });
  afterEach(async () => {
    await page.close();
    expect(pageErrors).toEqual([]);
  });

  it('signs in, uploads a log file and watches its bar reach 100 % over Socket.IO, without polling', async () => {
    const requests = recordRequests(page);
    await page.goto(`${baseUrl}/`);
    await page.getByRole('heading', { name: 'Sign in to Horizon' }).waitFor();
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, 'sign-in');
    await signIn(page, baseUrl, user.username, user.password, /Your work/);

    const lines = validLogFile(200).split('\n');
    lines[4] = 'this line is not JSON';
    const answer = page.waitForResponse((res) => res.url().endsWith('/api/v1/files/upload'));
    await page.getByLabel('Log file (.jsonl)').setInputFiles({ name: 'app.jsonl', mimeType: 'application/x-ndjson', buffer: Buffer.from(lines.join('\n')) });
    await page.getByRole('button', { name: 'Upload log file' }).click();
    const jobId = ((await (await answer).json()) as { job_id: string }).job_id;

    // The new upload is listed at once, with its own bar.
    const bar = page.locator(`tr[data-id="${jobId}"] progress`);
    await bar.waitFor();
    await bar.evaluate((el: any) => {
      const seen: number[] = [];
      (window as unknown as { seen: number[] }).seen = seen;
      const note = () => el.dataset.progress && seen.push(Number(el.dataset.progress));
      note();
      new MutationObserver(note).observe(el, { attributes: true, attributeFilter: ['data-progress'] });
    });
    await page.locator(`tr[data-id="${jobId}"] progress[data-progress="100"]`).waitFor({ timeout: 60000 });
    const seen = await page.evaluate(() => (window as unknown as { seen: number[] }).seen);
    expect(seen.some((p) => p > 0 && p < 100)).toBe(true); // it moved while we watched
    expect(seen).toEqual([...seen].sort((a, b) => a - b)); // and never went backwards
    await expect(page.locator(`tr[data-id="${jobId}"] .status`).textContent()).resolves.toBe('completed');
    // Driven by the socket: the job itself was never fetched while its bar moved.
    expect(requests.filter((r) => r.method === 'GET' && r.path === `/api/v1/jobs/${jobId}`)).toEqual([]);
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, 'work');

    // The job's page: one GET of the job, then its entries (filtered, paged: line 5 is rejected, so
    // page 2 starts at line 52) and its rejection.
    await page.getByRole('link', { name: 'app.jsonl' }).click();
    await page.getByRole('heading', { level: 1, name: /Log file app\.jsonl/ }).waitFor();
    await page.locator('td.rejected-line', { hasText: /^5$/ }).waitFor();
    await page.getByRole('cell', { name: 'request 1 served' }).waitFor();
    await page.getByRole('button', { name: 'Next page' }).first().click();
    await page.getByRole('cell', { name: 'request 52 served' }).waitFor();
    await page.getByLabel('Level').selectOption('ERROR');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.waitForFunction(() => {
      const levels = [...document.querySelectorAll('table .level')].map((el: any) => el.textContent);
      return levels.length > 0 && levels.every((l) => l === 'ERROR');
    });
    expect(requests.filter((r) => r.method === 'GET' && r.path === `/api/v1/jobs/${jobId}`)).toHaveLength(1);
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, 'job');
  });

  it('shows a 415 as words next to the upload form', async () => {
    await signIn(page, baseUrl, user.username, user.password, /Your work/);
    await page.getByLabel('Log file (.jsonl)').setInputFiles({ name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('hello\n') });
    await page.getByRole('button', { name: 'Upload log file' }).click();
    const alert = page.getByRole('alert');
    await alert.waitFor();
    expect(await alert.textContent()).toContain('That type of file is not accepted here.');
  });

  it("submits an ECG and shows its per-lead insights and heart rate", async () => {
    await signIn(page, baseUrl, user.username, user.password, /Your work/);
    await page.getByText('Submit an ECG').click();
    await page.getByRole('button', { name: 'Fill in an example' }).click();
    const answer = page.waitForResponse((res) => res.url().endsWith('/api/v1/ecgs') && res.request().method() === 'POST');
    await page.getByRole('button', { name: 'Submit ECG' }).click();
    const id = ((await (await answer).json()) as { id: string }).id;
    await page.locator(`tr[data-id="${id}"] .status`, { hasText: 'completed' }).waitFor({ timeout: 60000 });
    await page.getByRole('link', { name: id }).click();
    await page.locator('.heart-rate', { hasText: /bpm/ }).waitFor();
    const heartRate = Number((await page.locator('.heart-rate').textContent())!.replace(/[^\d.]/g, ''));
    expect(heartRate).toBeGreaterThan(65);
    expect(heartRate).toBeLessThan(80);
    await page.getByRole('columnheader', { name: 'zero crossings' }).waitFor();
    expect(await page.getByRole('rowheader').allTextContents()).toEqual(['I', 'II']);
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, 'ecg');
  });

  it('lets an admin create a user, with the API’s messages beside the fields', async () => {
    await signIn(page, baseUrl, ADMIN.username, ADMIN.password, /Users/);
    await page.getByLabel('Username').fill('x');
    await page.getByLabel('Password').fill('short');
    await page.getByRole('button', { name: 'Create user' }).click();
    await page.locator('#new-password-error').waitFor();
    await page.locator('#new-username-error').waitFor();
    expect(await page.getByLabel('Password').getAttribute('aria-invalid')).toBe('true');

    await page.getByLabel('Username').fill('made-in-console');
    await page.getByLabel('Password').fill('a-long-enough-password');
    await page.getByRole('button', { name: 'Create user' }).click();
    await page.locator('table.users').getByRole('cell', { name: 'made-in-console', exact: true }).waitFor();
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, 'users');
    // The new user can sign in.
    await expect(app.tokenFor('made-in-console', 'a-long-enough-password')).resolves.toEqual(expect.any(String));
  });

  it('returns to sign-in with a message when the token is no longer accepted', async () => {
    await signIn(page, baseUrl, user.username, user.password, /Your work/);
    // Well-formed, not yet expired by its claims, but not signed by this server: the API answers 401.
    await page.evaluate(() => {
      const saved = JSON.parse(sessionStorage.getItem('horizon.session')!);
      const claims = btoa(JSON.stringify({ sub: saved.user.id, role: 'user', exp: Math.floor(Date.now() / 1000) + 3600 }));
      sessionStorage.setItem('horizon.session', JSON.stringify({ ...saved, token: `eyJhbGciOiJIUzI1NiJ9.${claims}.bad` }));
    });
    await page.reload();
    await page.getByRole('heading', { name: 'Sign in to Horizon' }).waitFor();
    expect(await page.getByRole('status').textContent()).toMatch(/session has expired/);

    // A token whose exp passes while the page is open signs the user out by itself.
    await signIn(page, baseUrl, user.username, user.password, /Your work/);
    await page.evaluate(() => {
      const saved = JSON.parse(sessionStorage.getItem('horizon.session')!);
      const claims = btoa(JSON.stringify({ sub: saved.user.id, role: 'user', exp: Math.floor(Date.now() / 1000) - 1 }));
      sessionStorage.setItem('horizon.session', JSON.stringify({ ...saved, token: `eyJhbGciOiJIUzI1NiJ9.${claims}.x` }));
    });
    await page.reload();
    await page.getByRole('heading', { name: 'Sign in to Horizon' }).waitFor();
    expect(await page.getByRole('status').textContent()).toMatch(/session has expired/);
    // Never a cookie.
    expect(await browser.context.cookies()).toEqual([]);
  });

  it('can be used with the keyboard alone', async () => {
    await page.goto(`${baseUrl}/`);
    await page.getByRole('heading', { name: 'Sign in to Horizon' }).waitFor();
    await page.keyboard.press('Tab');
    await page.keyboard.type(user.username);
    await page.keyboard.press('Tab');
    await page.keyboard.type(user.password);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { level: 1, name: 'Your work' }).waitFor();
    // The page's heading has the focus after navigation; before it come the header's stops, in
    // reading order, the skip link first.
    expect(await page.evaluate(() => document.activeElement?.tagName)).toBe('H1');
    // Walk back to the skip link (the header gains stops as workloads add views, e.g. search).
    const backwards: string[] = [];
    for (let i = 0; i < 10 && backwards.at(-1) !== 'Skip to content'; i++) {
      await page.keyboard.press('Shift+Tab');
      backwards.push((await page.evaluate(() => document.activeElement?.textContent)) ?? '');
    }
    expect(backwards[0]).toBe('Sign out');
    expect(backwards.slice(-3)).toEqual(['Your work', 'Horizon', 'Skip to content']);
    await page.keyboard.press('Enter');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('content');
    expect(new URL(page.url()).hash).toBe('#/');
  });

  // Runs after the tests above, which left work in the list.
  it('fits a phone-width screen', async () => {
    await page.setViewportSize({ width: 375, height: 812 });
    await signIn(page, baseUrl, user.username, user.password, /Your work/);
    await page.locator('table.work').waitFor();
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, 'work-phone');
  });
});
